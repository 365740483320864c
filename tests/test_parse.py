"""The parser: typed values, the line of every field, timeline times, and file-splitting edge cases."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from followthrough.core.text.frontmatter import split
from followthrough.core.parse import parse_postmortem
from followthrough.core.settings import DEFAULT_SETTINGS

from .conftest import BASE, DATA



def parse(text: str, path: str = "postmortems/2026/2026-05-20-x.md"):
    return parse_postmortem(text, path, DEFAULT_SETTINGS)


def test_fields_are_typed_and_keep_their_lines():
    pm, findings = parse(BASE)
    assert findings == []
    assert pm.title == "Card payments failed for EU customers"
    assert pm.severity == "SEV-2" and pm.status == "published" and pm.kind == "incident"
    assert pm.services == ("payments-api",) and pm.teams == ("payments",)
    assert pm.started == datetime(2026, 5, 20, 14, 32, tzinfo=timezone.utc)
    assert pm.reviewed == date(2026, 5, 22)
    assert pm.id == "2026-05-20-x"  # defaults to the file name's stem
    lines = BASE.splitlines()
    for key in ("title", "severity", "started", "roles", "action_items"):
        assert lines[pm.line_of(key) - 1].startswith(key + ":"), key
    assert pm.roles.commander == "ana.ic" and pm.roles.sme == ("max.sme", "nia.sme")
    assert lines[pm.roles.lines["deputy"] - 1].strip().startswith("deputy:")
    first, second = pm.action_items
    assert (first.id, first.owner, first.due, first.status, first.ticket) == ("pool-alert", "max.sme", date(2026, 6, 5), "done", "PAY-101")
    assert second.status == "open" and second.priority is None
    assert lines[first.line - 1].strip() == "- id: pool-alert"
    assert lines[second.line_of("due") - 1].strip() == "due: 2026-06-15"


def test_items_without_id_get_their_position():
    text = BASE.replace("  - id: pool-size\n    title: Investigate", "  - title: Investigate")
    pm, findings = parse(text)
    assert findings == []
    assert [i.id for i in pm.action_items] == ["pool-alert", "item-2"]


def test_timeline_clock_times_take_the_date_of_the_last_dated_entry():
    pm, _ = parse(BASE)
    whens = [e.when for e in pm.timeline]
    assert whens == [
        datetime(2026, 5, 20, 14, 32, tzinfo=timezone.utc),
        datetime(2026, 5, 20, 14, 40, tzinfo=timezone.utc),
        datetime(2026, 5, 20, 15, 10, tzinfo=timezone.utc),
    ]
    lines = BASE.splitlines()
    assert "14:32" in lines[pm.timeline[0].line - 1]


def test_timeline_reads_lists_offsets_and_skips_prose():
    body = (
        "## Timeline\n\nPrepared by the Scribe at 16:00 from the channel.\n\n"
        "- 2026-05-20T23:50:00+02:00 deploy starts\n"
        "* 22:05 alert\n"
        "1. 2026-05-21 00:10 Z page acknowledged\n"
        "```\n- 01:00 inside code is ignored\n```\n"
    )
    text = BASE.split("## Summary")[0] + body
    pm, _ = parse(text)
    assert [e.when.astimezone(timezone.utc) for e in pm.timeline] == [
        datetime(2026, 5, 20, 21, 50, tzinfo=timezone.utc),
        datetime(2026, 5, 20, 22, 5, tzinfo=timezone.utc),
        datetime(2026, 5, 21, 0, 10, tzinfo=timezone.utc),
    ]


def test_crlf_and_bom_files_parse_like_lf_ones():
    pm_lf, f_lf = parse(BASE)
    pm_crlf, f_crlf = parse("\ufeff" + BASE.replace("\n", "\r\n"))
    assert f_crlf == f_lf == []
    assert pm_crlf.title == pm_lf.title and pm_crlf.line_of("roles") == pm_lf.line_of("roles")
    assert [s.title for s in pm_crlf.sections] == [s.title for s in pm_lf.sections]


def test_split_positions():
    s = split("---\na: 1\n---\nbody\n")
    assert (s.yaml_text, s.yaml_line, s.body, s.body_line) == ("a: 1\n", 2, "body\n", 4)
    assert split("no front matter\n").problem == "missing"
    assert split("---\na: 1\n").problem == "unterminated"
    assert split("---\na: 1\n...\nbody").body == "body"


def test_yaml_error_points_at_the_yaml_line_in_the_file():
    text = BASE.replace("tags: [database]", "tags: [database\nbroken: x")
    _, findings = parse(text)
    assert [f.code for f in findings] == ["FT003"]
    assert findings[0].line in (8, 9)  # libyaml reports where it noticed: the line after the open bracket


def test_times_keep_their_offset_and_compare_in_utc():
    text = BASE.replace("started: 2026-05-20T14:32:00Z", "started: 2026-05-20T16:31:00+02:00")
    pm, findings = parse(text)
    assert findings == []
    assert pm.started.utcoffset() == timedelta(hours=2)
    assert pm.started < pm.detected


def test_quoted_iso_strings_are_read_as_times_and_dates():
    text = BASE.replace("started: 2026-05-20T14:32:00Z", 'started: "2026-05-20T14:32:00Z"').replace("due: 2026-06-15", 'due: "2026-06-15"')
    pm, findings = parse(text)
    assert findings == []
    assert pm.started == datetime(2026, 5, 20, 14, 32, tzinfo=timezone.utc)
    assert pm.action_items[1].due == date(2026, 6, 15)


def at(findings, code):
    return [(f.line, f.column) for f in findings if f.code == code]


def test_a_yaml_boolean_inside_a_list_gets_the_quote_it_hint():
    _, findings = parse(BASE.replace("tags: [database]", "tags: [config, off]"))
    assert [(f.code, f.line, f.column) for f in findings] == [("FT105", 7, 16)]
    assert "'off'" in findings[0].message and "boolean" in findings[0].message and "quote" in findings[0].message


def test_the_quote_it_hint_names_what_was_written():
    _, findings = parse(BASE.replace("status: published", "status: no").replace("title: Card", "title: 2024-03-05 Card"))
    assert [f.code for f in findings] == ["FT105"]  # a date then text is text; `no` is the trap
    assert "'no'" in findings[0].message and '"no"' in findings[0].message


def test_value_findings_carry_the_values_column():
    text = (
        BASE.replace("status: published", "status:   publishd")
        .replace("services: [payments-api]", "services: payments-api")
        .replace("started: 2026-05-20T14:32:00Z", "started: 2026-05-20T14:32:00")
        .replace("owner: max.sme", "owner: [max.sme, nia.sme]")
        .replace("due: 2026-06-15", "due: soon")
    )
    _, findings = parse(text)
    assert at(findings, "FT104") == [(3, 11)]
    assert at(findings, "FT103") == [(5, 11)]
    assert at(findings, "FT201") == [(8, 10)]
    assert at(findings, "FT301") == [(24, 12)]
    assert at(findings, "FT303") == [(33, 10)]


def test_a_value_on_the_next_line_is_reported_where_it_is():
    _, findings = parse(BASE.replace("title: Card payments failed for EU customers", "title:\n  - Card payments"))
    assert [(f.code, f.line, f.column) for f in findings] == [("FT103", 3, 3)]


def test_list_items_carry_their_own_column():
    _, findings = parse(BASE.replace("tags: [database]", "tags: [database, 42, [x]]"))
    assert at(findings, "FT103") == [(7, 22)]  # 42 is text as written; a list is not


def test_numbers_read_as_text_keep_what_was_written():
    pm, findings = parse(BASE.replace("  - id: pool-alert", "  - id: 0042"))
    assert findings == [] and pm.action_items[0].id == "0042"  # YAML 1.1 would read 0042 as octal 34


def test_explicit_tags_are_findings_never_exceptions():
    text = BASE.replace("started: 2026-05-20T14:32:00Z", "started: !!timestamp 2025-03-14 04:12").replace(
        "detected: 2026-05-20T14:40:00Z", "detected: !!timestamp soon"
    )
    text = text.replace("tags: [database]", "tags: [!!binary aGVsbG8=, !!bool maybe]")
    _, findings = parse(text)
    assert [(f.code, f.line, f.column) for f in findings] == [("FT005", 7, 8), ("FT105", 7, 27), ("FT105", 8, 10), ("FT105", 9, 11)]


def test_a_value_yaml_cannot_read_is_named_by_its_field():
    text = (
        BASE.replace("started: 2026-05-20T14:32:00Z", "started: 2026-05-20T14:32:00+25:00")
        .replace("due: 2026-06-15", "due: 2026-13-45")
        .replace("tags: [database]", "tags: [database, 2026-02-30]")
    )
    _, findings = parse(text)
    assert [(f.code, f.line, f.column) for f in findings] == [("FT105", 7, 18), ("FT105", 8, 10), ("FT105", 33, 10)]
    tags, started, due = (f.message for f in findings)
    assert tags.startswith("tags[1]: '2026-02-30' looks like a date")
    assert started.startswith("started: '2026-11-20T14:32:00+25:00'".replace("11-20", "05-20"))
    assert "between -23:59 and +23:59" in started and "timedelta" not in started  # not Python's own words
    assert due.startswith("action_items[1].due: '2026-13-45' looks like a date") and "write a real date" in due


def test_an_unknown_item_field_is_named_like_every_item_finding():
    _, findings = parse(BASE.replace("    due: 2026-06-15", "    due: 2026-06-15\n    priorty: P2"))
    assert [(f.code, f.message) for f in findings] == [("FT101", "action_items[1]: unknown field 'priorty'; did you mean 'priority'?")]


@pytest.mark.parametrize("written", ["due:", "due: ~", "due: null", 'due: ""', "due: !!null"])
def test_an_empty_due_date_is_no_commitment(written):
    from followthrough.core.lint import lint_texts
    from followthrough.core.model import Directory
    from followthrough.core.rules.context import Context
    from datetime import date as _date

    base = (DATA / "rules" / "docs" / "2026" / "2026-05-20-pass-base.md").read_text()
    text = base.replace("    due: 2026-06-05\n", f"    {written}\n", 1)
    assert text != base
    result = lint_texts([("2026/2026-05-20-x.md", text)], Context(DEFAULT_SETTINGS, Directory(), _date(2026, 11, 23)))
    assert [f.code for f in result.findings if f.code == "FT303"] == ["FT303"], result.findings


def test_an_empty_start_or_detection_time_counts_as_not_written():
    from followthrough.core.lint import lint_texts
    from followthrough.core.model import Directory
    from followthrough.core.rules.context import Context
    from datetime import date as _date

    base = (DATA / "rules" / "docs" / "2026" / "2026-05-20-pass-base.md").read_text()
    ctx = Context(DEFAULT_SETTINGS, Directory(), _date(2026, 11, 23))
    started = lint_texts([("2026/2026-05-20-x.md", base.replace("started: 2026-05-20T14:32:00Z", "started: ~"))], ctx)
    assert any(f.code == "FT102" and f.line == 8 for f in started.findings), started.findings
    detected = lint_texts([("2026/2026-05-20-x.md", base.replace("detected: 2026-05-20T14:40:00Z", "detected: ~"))], ctx)
    assert "FT203" in {f.code for f in detected.findings}


@pytest.mark.parametrize(("written", "why"), [("Q3", "a period, not a date"), ("next sprint", "a period, not a date"), ("ASAP", "no day at all"), ("TBD", "no day at all"), ("27.11.2026", "not a date")])
def test_a_vague_due_date_says_what_it_is(written, why):
    _, findings = parse(BASE.replace("due: 2026-06-15", f"due: {written}"))
    assert [f.message for f in findings] == [f"action_items[1].due: {written!r} is {why}; write the day it is due as YYYY-MM-DD"]


@pytest.mark.parametrize("written", ['"2026-W21-5"', '"20260522"', '"2026-05-22T10:00"', '"２０２６-05-22"'])
def test_a_date_field_takes_only_yyyy_mm_dd(written):
    # Python's date.fromisoformat also reads week dates and the basic format; the format
    # promises YYYY-MM-DD, which is what the JSON schema checks in editors too.
    pm, findings = parse(BASE.replace("reviewed: 2026-05-22", f"reviewed: {written}"))
    assert pm.reviewed is None
    assert [(f.code, f.message) for f in findings] == [("FT103", "reviewed: expected a date as YYYY-MM-DD, got text")]


def test_a_quoted_yyyy_mm_dd_is_still_a_date():
    pm, findings = parse(BASE.replace("reviewed: 2026-05-22", 'reviewed: "2026-05-22"'))
    assert findings == [] and pm.reviewed == date(2026, 5, 22)


def test_a_date_field_with_a_time_or_an_impossible_day_says_so():
    pm, findings = parse(BASE.replace("reviewed: 2026-05-22", "reviewed: 2026-05-22T10:00:00Z"))
    assert pm.reviewed is None
    assert [(f.code, f.message) for f in findings] == [("FT103", "reviewed: write a calendar date (YYYY-MM-DD) without a time")]
    pm, findings = parse(BASE.replace("reviewed: 2026-05-22", 'reviewed: "2026-02-30"'))
    assert [(f.code, f.message) for f in findings] == [("FT103", "reviewed: '2026-02-30' is not a day of the calendar (check the month and the day)")]
