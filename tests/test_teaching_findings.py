"""Findings that teach: template text left in a postmortem under review, FT204's wording, `new --date`."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthrough.core.guidance import GUIDANCE, TIMELINE_EXAMPLE_EVENT
from followthrough.core.lint import lint_texts

from .conftest import BASE, PEOPLE, assert_no_traceback, lint_context, run_cli

PATH = "postmortems/2026/2026-05-20-payments.md"
CTX = lint_context()
SUMMARY = "Card payments failed for 38% of EU customers for 38 minutes after the connection pool filled.\n"  # line 37


def lint(text: str):
    return lint_texts([(PATH, text)], CTX).findings


@pytest.mark.parametrize("status", ["published", "in-review"])
def test_summary_guidance_left_under_review_is_a_finding(status):
    text = BASE.replace("status: published", f"status: {status}").replace(SUMMARY, GUIDANCE["Summary"] + "\n")
    found = [(f.code, f.line) for f in lint(text)]
    assert found == [("FT505", 37)]
    assert lint(text)[0].message == "Summary: the template's guidance is still here; replace it with this incident's own text"


def test_the_example_timeline_row_left_is_a_finding():
    text = BASE.replace("| 14:40 | Alert fires; Ana declares a SEV-2 |", f"| 14:40 | {TIMELINE_EXAMPLE_EVENT} |")
    found = lint(text)
    assert [(f.code, f.line) for f in found] == [("FT505", 44)]
    assert "the template's example timeline row is still here" in found[0].message


def test_a_draft_may_still_hold_the_guidance():
    text = BASE.replace("status: published", "status: draft").replace(SUMMARY, GUIDANCE["Summary"] + "\n")
    assert lint(text) == ()


def test_guidance_quoted_in_code_is_not_a_leftover():
    text = BASE.replace(SUMMARY, SUMMARY + "\n```\n" + GUIDANCE["Summary"] + "\n```\n")
    assert lint(text) == ()


def test_a_postmortem_from_new_then_published_without_writing_the_body(tmp_path: Path):
    (tmp_path / "mkdocs.yml").write_text("site_name: T\ndocs_dir: postmortems\nplugins:\n  - followthrough\n")
    (tmp_path / "postmortems").mkdir()
    (tmp_path / "postmortems" / "people.yml").write_text(PEOPLE)
    made = run_cli("new", "Card payments failed", "--severity", "SEV-2", "--date", "2026-05-20", cwd=tmp_path)
    assert made.code == 0, made.err
    path = tmp_path / made.out.strip()
    body = path.read_text().split("---\n", 2)[2]
    front = BASE.split("---\n", 2)[1]
    path.write_text("---\n" + front + "---\n" + body)
    result = run_cli("lint", cwd=tmp_path)
    assert_no_traceback(result)
    lines = path.read_text().split("\n")
    reported = [int(line.split(":")[1]) for line in result.out.splitlines() if " FT505 " in line]
    sections = ("Summary", "Timeline", "Impact", "Root cause", "What went well", "What went poorly", "Action items")
    assert len(reported) == len(sections) + 1  # each section's guidance and the example row
    assert all(lines[n - 1].strip() for n in reported)
    assert any(TIMELINE_EXAMPLE_EVENT in lines[n - 1] for n in reported)
    assert {line.split(" FT")[1][:3] for line in result.out.splitlines()} == {"505"}


def test_ft204_reads_as_a_sentence():
    text = BASE.replace("resolved: 2026-05-20T16:00:00Z\n", "")
    found = [f for f in lint(text) if f.code == "FT204"]
    assert [f.message for f in found] == [
        "this postmortem is published but does not say when service was fully restored; add it as resolved: 2026-05-20THH:MM:00Z"
    ]


def test_ft203_reads_as_a_sentence_too():
    text = BASE.replace("detected: 2026-05-20T14:40:00Z\n", "")
    found = [f for f in lint(text) if f.code == "FT203"]
    assert [f.message for f in found] == [
        "this postmortem is published but does not say when the incident was detected; add it as detected: 2026-05-20THH:MM:00Z"
    ]


def test_new_with_a_bad_date_names_the_date_option(tmp_path: Path):
    result = run_cli("new", "db failover", "--date", "2026-13-01", cwd=tmp_path)
    assert_no_traceback(result)
    assert result.code == 2
    assert "--date '2026-13-01': not a day of the calendar" in result.err
    assert "--today" not in result.err
