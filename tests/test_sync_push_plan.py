"""The pure half of pushes and tracker re-dates (`core.sync.push`, `core.sync.reconcile`), against
hand-worked cases: what is written to a ticket, what the state entry records, when a move of the
tracker's due date is a re-date, and the YAML the drift report offers."""

from __future__ import annotations

from datetime import date

from followthrough.core.model import ActionItem, Directory, Person, Redate, TicketState, TrackerRedate
from followthrough.core.sync.config import Destination
from followthrough.core.sync.push import plan_push
from followthrough.core.sync.reconcile import state_entry, unrecorded_redates
from followthrough.core.sync.tickets import RemoteTicket

JIRA = Destination("pay", "jira-cloud", "https://acme.atlassian.net", project="PAY")
GITHUB = Destination("web", "github", "https://api.github.com", repo="acme/web")
PEOPLE = Directory(people={"max.sme": Person("max.sme", "Max", jira="acc-max", github="maxsme"), "nia.sme": Person("nia.sme", "Nia", jira="acc-nia", github="niasme"), "sam": Person("sam", "Sam")})
D = date.fromisoformat


def item(due: str | None = "2026-06-15", owner: str = "max.sme", redated: tuple[Redate, ...] = ()) -> ActionItem:
    return ActionItem(index=0, id="pool-size", title="Size the pool", owner=owner, due=D(due) if due else None, redated=redated, line=20, lines={"due": 23, "redated": 24})


def remote(due: str | None = "2026-06-15", assignee: str | None = "acc-max") -> RemoteTicket:
    return RemoteTicket("PAY-2", "https://acme.atlassian.net/browse/PAY-2", due=D(due) if due else None, assignee=assignee)


def entry(due: str | None = "2026-06-15", pushed_due: str | None = "2026-06-15", pushed_owner: str | None = "max.sme", ticket: str = "PAY-2", **more) -> TicketState:
    return TicketState(ticket=ticket, due=D(due) if due else None, pushed_due=D(pushed_due) if pushed_due else None, pushed_owner=pushed_owner, **more)


def test_nothing_changed_in_the_file_is_nothing_to_push():
    push = plan_push(item(), entry(), "PAY-2", remote(), PEOPLE, JIRA)
    assert not push.writes and (push.record_due, push.record_owner) == (D("2026-06-15"), "max.sme")


def test_a_reviewed_redate_is_pushed_and_then_recorded():
    push = plan_push(item("2026-07-01"), entry(), "PAY-2", remote(), PEOPLE, JIRA)
    assert (push.write_due, push.due, push.write_assignee) == (True, D("2026-07-01"), False)
    assert push.record_due == D("2026-07-01")
    assert push.described() == "due 2026-06-15 -> 2026-07-01"
    assert push.update().due == D("2026-07-01") and push.update().assignee is None


def test_a_tracker_only_move_is_never_pushed_back():
    # The file still says what was pushed; the ticket says something else: drift, not a push.
    assert not plan_push(item(), entry(), "PAY-2", remote("2026-06-30"), PEOPLE, JIRA).writes


def test_the_ticket_holding_the_value_already_needs_no_write_but_is_recorded():
    push = plan_push(item("2026-07-01"), entry(), "PAY-2", remote("2026-07-01"), PEOPLE, JIRA)
    assert not push.writes and push.record_due == D("2026-07-01")


def test_an_owner_change_assigns_the_tracker_id_and_github_replaces_only_the_old_owner():
    assert not plan_push(item(owner="nia.sme"), entry(ticket="acme/web#2"), "acme/web#2", remote(assignee="niasme"), PEOPLE, GITHUB).writes
    push = plan_push(item(owner="nia.sme"), entry(ticket="acme/web#2"), "acme/web#2", remote(assignee="maxsme"), PEOPLE, GITHUB)
    assert (push.assignee, push.replaces, push.record_owner) == ("niasme", "maxsme", "nia.sme")
    assert push.described() == "assignee -> nia.sme (niasme)"


def test_an_owner_without_a_tracker_id_is_noted_and_stays_unrecorded():
    push = plan_push(item(owner="sam"), entry(), "PAY-2", remote(), PEOPLE, JIRA)
    assert not push.writes and push.record_owner == "max.sme"
    assert push.note == "owner sam (changed from max.sme) has no `jira` id in the people directory, so PAY-2 is not reassigned"


def test_entries_without_pushed_values_another_ticket_or_none_record_the_file_only():
    for old in (entry(pushed_due=None, pushed_owner=None), entry(ticket="PAY-9"), None):
        push = plan_push(item("2026-07-01", owner="nia.sme"), old, "PAY-2", remote(), PEOPLE, JIRA)
        assert not push.writes and (push.record_due, push.record_owner) == (D("2026-07-01"), "nia.sme")


def test_a_due_date_removed_from_the_file_is_not_cleared_on_the_ticket():
    push = plan_push(item(None), entry(), "PAY-2", remote(), PEOPLE, JIRA)
    assert not push.writes and push.record_due == D("2026-06-15")


def test_a_pull_records_a_move_of_the_due_date_once_and_keeps_the_old_ones():
    first = TrackerRedate(D("2026-06-01"), D("2026-06-15"), D("2026-06-03"), "pay")
    old = entry(redates=(first,), status="open", tracker_status="To Do")
    moved = state_entry(old, "PAY-2", remote("2026-06-30"), PEOPLE, JIRA, D("2026-06-09"))
    assert moved.redates == (first, TrackerRedate(D("2026-06-15"), D("2026-06-30"), D("2026-06-09"), "pay"))
    assert (moved.pushed_due, moved.pushed_owner) == (D("2026-06-15"), "max.sme")
    same = state_entry(moved, "PAY-2", remote("2026-06-30"), PEOPLE, JIRA, D("2026-06-10"))
    assert same.redates == moved.redates
    cleared = state_entry(moved, "PAY-2", remote(None), PEOPLE, JIRA, D("2026-06-11"))
    assert cleared.redates[-1] == TrackerRedate(D("2026-06-30"), None, D("2026-06-11"), "pay")
    # A first pull, or another ticket: nothing to compare with.
    assert state_entry(None, "PAY-2", remote("2026-06-30"), PEOPLE, JIRA, D("2026-06-09")).redates == ()
    assert state_entry(entry(ticket="PAY-7"), "PAY-2", remote("2026-06-30"), PEOPLE, JIRA, D("2026-06-09")).redates == ()


def test_the_drift_report_gives_the_yaml_for_each_unrecorded_move():
    moves = (TrackerRedate(D("2026-06-15"), D("2026-06-30"), D("2026-06-09"), "pay"), TrackerRedate(D("2026-06-30"), D("2026-07-07"), D("2026-06-12"), "pay"))
    lines = unrecorded_redates(item(), "pm.md", entry(redates=moves), JIRA)
    assert lines == [
        "pm.md:23: pool-size (PAY-2): the due date moved in pay without a reason in the file: 2026-06-15 -> 2026-06-30 (seen 2026-06-09), "
        "2026-06-30 -> 2026-07-07 (seen 2026-06-12); if the new date stands, add to the item:",
        "    due: 2026-07-07",
        "    redated:",
        "      - {from: 2026-06-15, to: 2026-06-30, on: 2026-06-09, reason: <why the date moved>}",
        "      - {from: 2026-06-30, to: 2026-07-07, on: 2026-06-12, reason: <why the date moved>}",
    ]
    # One recorded in the file already: only the other is offered, under the existing list.
    recorded = (Redate(D("2026-06-15"), D("2026-06-30"), D("2026-06-09"), "the vendor slipped", line=25),)
    lines = unrecorded_redates(item("2026-06-30", redated=recorded), "pm.md", entry(redates=moves), JIRA)
    assert lines[0].startswith("pm.md:24: pool-size (PAY-2): the due date moved in pay without a reason in the file: 2026-06-30 -> 2026-07-07 (seen 2026-06-12)")
    assert lines[0].endswith("add to the item's `redated:` list and set `due`:")
    assert lines[1:] == ["    due: 2026-07-07", "      - {from: 2026-06-30, to: 2026-07-07, on: 2026-06-12, reason: <why the date moved>}"]
    assert unrecorded_redates(item(), "pm.md", entry(), JIRA) == []
