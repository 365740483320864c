"""The follow-through rules of one file (FT309-FT314), a team's manager (FT604), and a property:
a re-date chain built to be valid has no finding, and one mutation of it has one."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from hypothesis import given, settings, strategies as st

from followthrough.core.lint import lint_file
from followthrough.core.model import Directory, Person, Team
from followthrough.core.people import parse_directory
from followthrough.core.rules.context import Context
from followthrough.core.rules.followup import is_real_reason
from followthrough.core.settings import DEFAULT_SETTINGS

from .conftest import BASE

TODAY = date(2026, 6, 20)
PEOPLE = Directory(
    people={h: Person(h, h.title(), team="payments") for h in ("max.sme", "nia.sme", "ana.ic", "a.nguyen", "dev.deputy", "cora.comms", "sam.scribe")},
    teams={"payments": Team("payments", "Payments", manager="a.nguyen")},
    present=True,
    path="postmortems/people.yml",
)
CTX = Context(DEFAULT_SETTINGS, PEOPLE, TODAY)
ITEM = """  - id: pool-size
    title: Investigate sizing the connection pool from measured peak load
    owner: nia.sme
    due: 2026-06-15
"""
assert ITEM in BASE
ITEM_LINE = BASE[: BASE.index(ITEM)].count("\n") + 1  # the line of `- id: pool-size`


def findings(item: str, *, severity: str = "SEV-2", ctx: Context = CTX) -> list[tuple[str, int, str]]:
    text = BASE.replace(ITEM, item).replace("severity: SEV-2", f"severity: {severity}", 1)
    _, found = lint_file("postmortems/2026/2026-05-20-payments.md", text, ctx)
    return [(f.code, f.line - ITEM_LINE, f.message) for f in sorted(found)]


def codes(item: str, **kw: object) -> list[tuple[str, int]]:
    return [(c, line) for c, line, _ in findings(item, **kw)]  # type: ignore[arg-type]


HEAD = "  - id: pool-size\n    title: Investigate sizing the connection pool from measured peak load\n    owner: nia.sme\n"


def test_a_valid_chain_is_clean() -> None:
    item = HEAD + (
        "    due: 2026-06-19\n"
        "    redated:\n"
        "      - {from: 2026-06-01, to: 2026-06-10, on: 2026-05-27, reason: waiting on the vendor's fix, approved_by: a.nguyen}\n"
        "      - {from: 2026-06-10, to: 2026-06-19, on: 2026-06-08, reason: the load test found a second leak}\n"
    )
    assert findings(item) == []


def test_each_break_of_the_chain_is_named_at_its_line() -> None:
    item = HEAD + (
        "    due: 2026-06-18\n"  # +3
        "    redated:\n"
        "      - {from: 2026-06-01, to: 2026-06-01, on: 2026-05-27, reason: waiting on the vendor's fix}\n"  # +5: from == to
        "      - from: 2026-06-03\n"  # +6: not the previous to
        "        to: 2026-06-10\n"
        "        on: 2026-05-26\n"  # +8: before the previous on
        "        reason: the load test found a second leak\n"
    )
    got = findings(item)
    assert [(c, line) for c, line, _ in got] == [("FT309", 3), ("FT309", 5), ("FT309", 6), ("FT309", 8)]
    messages = [m for _, _, m in got]
    assert messages[0] == (
        "action_items[1].due: 2026-06-18 is not where the last re-date ended (2026-06-10); due is the current date: "
        "set due: 2026-06-10, or add the re-date that moved it to 2026-06-18"
    )
    assert "from and to are both 2026-06-01" in messages[1]
    assert messages[2].endswith("each re-date starts from the previous one's to: from: 2026-06-01")
    assert "list re-dates oldest first" in messages[3]


def test_dates_of_follow_up_are_between_the_incident_and_today() -> None:
    item = HEAD + (
        "    due: 2026-06-15\n"
        "    status: done\n"
        "    done_on: 2026-06-21\n"  # +5: after today
        "    redated:\n"
        "      - {from: 2026-06-01, to: 2026-06-15, on: 2026-05-19, reason: waiting on the vendor's fix}\n"  # +7: before the incident
    )
    got = findings(item)
    assert [(c, line) for c, line, _ in got] == [("FT311", 5), ("FT312", 7)]
    assert got[0][2] == "action_items[1].done_on: 2026-06-21 is after today (2026-06-20); write the day it was done, not a plan"
    assert got[1][2] == "action_items[1].redated[0].on: 2026-05-19 is before the incident started (2026-05-20)"


def test_a_reason_is_real_words() -> None:
    for thin in ("slipped", "TBD", "n/a", "-", "delay", "moved", "vendor late"):
        item = HEAD + f"    due: 2026-06-15\n    redated:\n      - {{from: 2026-06-01, to: 2026-06-15, on: 2026-05-27, reason: '{thin}'}}\n"
        assert codes(item) == [("FT310", 5)], thin
    # empty and TODO reasons have their own findings, and no second one
    item = HEAD + "    due: 2026-06-15\n    redated:\n      - {from: 2026-06-01, to: 2026-06-15, on: 2026-05-27, reason: ''}\n"
    assert codes(item) == [("FT108", 5)]
    item = HEAD + "    due: 2026-06-15\n    redated:\n      - {from: 2026-06-01, to: 2026-06-15, on: 2026-05-27, reason: 'TODO: why'}\n"
    assert codes(item) == [("FT505", 5)]
    assert is_real_reason("waiting on the vendor")
    assert is_real_reason("供应商的修复还没有发布")  # written without spaces: counted in letters
    assert not is_real_reason("1 2 3 4")


def test_a_reason_repeating_empty_words_is_not_one() -> None:
    """Three words are not three reasons: repeating `tbd` or one word passes no review."""
    for thin, why in (("tbd tbd tbd", "says that it happened, not why"), ("later, later, later", "says that it happened, not why"), ("ok ok ok", "is not a reason (at least 3 different words)")):
        item = HEAD + f"    due: 2026-06-15\n    redated:\n      - {{from: 2026-06-01, to: 2026-06-15, on: 2026-05-27, reason: '{thin}'}}\n"
        [(code, line, message)] = findings(item)
        assert (code, line) == ("FT310", 5), thin
        assert f"reason: {thin!r} {why};" in message
    assert is_real_reason("delayed: waiting on the vendor")  # an empty word among real ones is fine


def test_approver_and_decider_are_people_of_the_directory() -> None:
    item = HEAD + (
        "    due: 2026-06-15\n"
        "    status: wont-do\n"
        "    decision:\n"
        "      by: a.nguyn\n"  # +6
        "      on: 2026-06-02\n"
        "      reason: the payments database moves to the managed service\n"
        "    redated:\n"
        "      - {from: 2026-06-01, to: 2026-06-15, on: 2026-05-27, reason: waiting on the vendor's fix, approved_by: payments}\n"  # +10
    )
    got = findings(item)
    assert [(c, line) for c, line, _ in got] == [("FT302", 6), ("FT301", 10)]
    assert "did you mean 'a.nguyen'?" in got[0][2]
    assert "'payments' is a team" in got[1][2]


def test_wont_do_at_sev1_needs_a_decision_naming_who_decides() -> None:
    item = HEAD + "    due: 2026-06-02\n    status: wont-do\n"
    got = findings(item, severity="SEV-1")
    assert [(c, line) for c, line, _ in got if c == "FT313"] == [("FT313", 4)]
    [message] = [m for c, _, m in got if c == "FT313"]
    # nia.sme is in payments, whose manager is a.nguyen: the one whom the item escalates to
    assert message == (
        "action_items[1]: a SEV-1 item is closed as wont-do without a decision; SEV-1 items are non-negotiable, "
        "so a.nguyen, whom this item escalates to, or the review meeting decides, and the file records it: "
        "decision: {by: a.nguyen, on: 2026-06-20, reason: <why it will not be done and what covers the risk instead>}"
    )
    with_decision = item + "    decision: {by: a.nguyen, on: 2026-06-02, reason: the payments database moves to the managed service}\n"
    assert "FT313" not in [c for c, _ in codes(with_decision, severity="SEV-1")]
    assert "FT313" not in [c for c, _ in codes(item, severity="SEV-2")]  # below the non-negotiable severities


def test_a_decision_in_the_future_or_on_an_open_item() -> None:
    item = HEAD + "    due: 2026-06-15\n    decision: {by: a.nguyen, on: 2026-07-01, reason: the database moves to the managed service}\n"
    got = findings(item)
    assert [(c, line) for c, line, _ in got] == [("FT311", 4), ("FT314", 4)]
    assert got[1][2].startswith("action_items[1].decision: the item is open, not wont-do")


def test_done_on_on_an_item_not_done_is_a_warning() -> None:
    _, found = lint_file("postmortems/2026/2026-05-20-payments.md", BASE.replace(ITEM, ITEM + "    done_on: 2026-06-03\n"), CTX)
    assert [(f.code, f.level.value) for f in found] == [("FT314", "warning")]


def test_the_follow_up_window_judges_the_first_due_date() -> None:
    # Re-dated past the 30-day window with a reason: no FT306; first committed past it: FT306.
    late = HEAD + "    due: 2026-07-30\n    redated:\n      - {from: 2026-06-01, to: 2026-07-30, on: 2026-05-27, reason: waiting on the vendor's fix}\n"
    assert findings(late) == []
    first_late = HEAD + "    due: 2026-07-30\n    redated:\n      - {from: 2026-07-01, to: 2026-07-30, on: 2026-05-27, reason: waiting on the vendor's fix}\n"
    got = findings(first_late)
    assert [(c, line) for c, line, _ in got] == [("FT306", 5)]
    assert got[0][2].startswith("action_items[1].redated[0].from: 2026-07-01 is 42 days after the incident")


def test_a_team_manager_is_a_person_of_the_directory() -> None:
    text = (
        "people:\n"
        "  a.nguyen: {name: An Nguyen, team: payments}\n"
        "teams:\n"
        "  payments: {name: Payments, manager: a.nguyn}\n"
        "  platform: {name: Platform, manager: payments}\n"
        "  data: {name: Data, manager: a.nguyen}\n"
    )
    directory, found = parse_directory(text, "postmortems/people.yml")
    assert [(f.code, f.line, f.column) for f in found] == [("FT604", 4, 39), ("FT604", 5, 39)]
    assert found[0].message == (
        "teams.payments.manager: 'a.nguyn' is not a person of this directory; did you mean 'a.nguyen'?; "
        "add them under 'people:' (escalations of the team's overdue items name and mention them)"
    )
    assert "'payments' is a team; a manager is one person" in found[1].message
    assert directory.manager_of("data") == directory.people["a.nguyen"]


# --- property: chains built valid have no finding; one mutation has one --------------------------

STARTED = date(2026, 5, 20)


@st.composite
def chains(draw: st.DrawFn) -> tuple[date, list[tuple[date, date, date]]]:
    """(original due, [(from, to, on)...]) valid as of TODAY: each from the previous to, a real
    move, `on` days going forward between the incident and today."""
    due = STARTED + timedelta(days=draw(st.integers(1, 30)))
    on = STARTED
    entries = []
    for _ in range(draw(st.integers(1, 5))):
        to = due + timedelta(days=draw(st.integers(-20, 60).filter(lambda d: d != 0)))
        if to < STARTED:
            to = due + timedelta(days=7)
        on = on + timedelta(days=draw(st.integers(0, 4)))
        entries.append((due, to, on))
        due = to
    return entries[0][0], entries


def chain_item(entries: list[tuple[date, date, date]], due: date) -> str:
    lines = [HEAD.rstrip("\n"), f"    due: {due.isoformat()}", "    redated:"]
    for i, (a, b, on) in enumerate(entries):
        lines.append(f"      - {{from: {a.isoformat()}, to: {b.isoformat()}, on: {on.isoformat()}, reason: move number {i} waited on the vendor}}")
    return "\n".join(lines) + "\n"




@settings(max_examples=60, deadline=None)
@given(chains())
def test_valid_chains_have_no_finding(chain: tuple[date, list[tuple[date, date, date]]]) -> None:
    _, entries = chain
    assert findings(chain_item(entries, entries[-1][1]), severity="SEV-4") == []


@settings(max_examples=60, deadline=None)
@given(chains(), st.data())
def test_one_mutation_of_a_valid_chain_is_found(chain: tuple[date, list[tuple[date, date, date]]], data: st.DataObject) -> None:
    _, entries = chain
    due = entries[-1][1]
    kind = data.draw(st.sampled_from(["due", "from", "same", "future", "before-incident"]))
    i = data.draw(st.integers(0, len(entries) - 1))
    a, b, on = entries[i]
    expected = "FT309"
    if kind == "due":
        due = due + timedelta(days=data.draw(st.integers(1, 9)))
    elif kind == "from":
        if i == 0:
            i = len(entries)  # a first entry has no previous: add one that does not chain
            entries = entries + [(due + timedelta(days=1), due + timedelta(days=5), entries[-1][2])]
            due = due + timedelta(days=5)
        else:
            entries = [*entries[:i], (a + timedelta(days=data.draw(st.integers(1, 3))), b, on), *entries[i + 1 :]]
            if entries[i][0] == b:
                entries[i] = (a - timedelta(days=1), b, on)
    elif kind == "same":
        entries = [*entries[:i], (a, a, on), *entries[i + 1 :]]
        if i + 1 < len(entries):
            entries[i + 1] = (a, *entries[i + 1][1:])  # keep the rest chained: only this entry is wrong
        if i + 1 < len(entries) and entries[i + 1][0] == entries[i + 1][1]:
            return  # the repair made a second empty move; a single mutation is what is tested
        due = entries[-1][1]
    elif kind == "future":
        expected = "FT311"
        entries = [*entries[:i], (a, b, TODAY + timedelta(days=1)), *entries[i + 1 :]]
        if i + 1 < len(entries):
            return  # the later entries would then go back in time too: two findings
    else:
        expected = "FT312"
        if i > 0:
            return  # only the first can go before the incident without also breaking the order
        entries = [(a, b, STARTED - timedelta(days=1)), *entries[1:]]
    got = codes(chain_item(entries, due), severity="SEV-4")
    assert [c for c, _ in got] == [expected], (kind, i, entries, due, got)


def test_the_example_of_the_format_guide_is_clean() -> None:
    guide = (Path(__file__).resolve().parents[1] / "guide" / "format.md").read_text()
    section = guide[guide.index("### Re-dates, decisions and done dates") :]
    example = section[section.index("```yaml\n") + 8 : section.index("```\n", section.index("```yaml\n"))]
    assert example.startswith("action_items:\n")
    start = BASE.index("action_items:\n")
    text = BASE[:start] + example + BASE[BASE.index("---\n", start) :]
    _, found = lint_file("postmortems/2026/2026-05-20-payments.md", text, Context(DEFAULT_SETTINGS, PEOPLE, date(2026, 6, 20)))
    assert found == []
    # and at SEV-1 the won't-do item is fine too: it carries its decision
    _, found = lint_file("postmortems/2026/2026-05-20-payments.md", text.replace("severity: SEV-2", "severity: SEV-1", 1), CTX)
    assert "FT313" not in [f.code for f in found]
