"""Sync and the follow-through loop, against the loopback fakes with the real `jira` and PyGithub
clients: a reviewed change of the file (a re-date with its reason, a new owner) is written to the
ticket once, a due date moved in the tracker is recorded once as a tracker re-date and reported
with the YAML that records it, refusals fail the item alone, and a run with nothing new costs
what it always did."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import run_cli
from .fakes import FakeGitHub, FakeJira
from .fakes.postmortem_repo import Item, Pm, build_repo
from .sync_setup import FAST, TODAY, env_for, gh_dest, jira_dest, state, sync, two_items

KEY_ALERT = "2026-05-20-payments/pool-alert"
KEY_SIZE = "2026-05-20-payments/pool-size"
REASON = "the pool driver upgrade it depends on slipped a sprint"


def redate(root: Path, pm: Pm, item: str, old: str, new: str, on: str = TODAY) -> None:
    """The reviewed edit a pull request makes: `due` moved, with a `redated:` entry giving the reason.
    `on` is never after the run's today (the fakes' day by default): lint refuses a re-date decided
    in the future (FT311), and sync skips a postmortem lint refuses."""
    path = root / pm.path
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition(f"  - id: {item}\n")
    assert sep, item
    block, nxt, tail = rest.partition("\n  - id: ")
    assert f"    due: {old}\n" in block + "\n", block
    block = (block + "\n").replace(f"    due: {old}\n", f"    due: {new}\n    redated:\n      - {{from: {old}, to: {new}, on: {on}, reason: {REASON}}}\n", 1).rstrip("\n")
    path.write_text(head + sep + block + nxt + tail, encoding="utf-8")


def reassign(root: Path, pm: Pm, item: str, old: str, new: str) -> None:
    path = root / pm.path
    text = path.read_text(encoding="utf-8")
    head, sep, rest = text.partition(f"  - id: {item}\n")
    path.write_text(head + sep + rest.replace(f"    owner: {old}\n", f"    owner: {new}\n", 1), encoding="utf-8")


def state_file(root: Path) -> Path:
    return root / ".followthrough" / "state.json"


def jira_repo(root: Path, fake: FakeJira) -> tuple[Pm, Path]:
    pm = two_items()
    return pm, build_repo(root, {"default": "pay", "destinations": {"pay": jira_dest(fake)}, **FAST}, [pm])


@pytest.fixture(params=["cloud", "dc"])
def any_jira(request, jira, jira_dc) -> FakeJira:
    return jira if request.param == "cloud" else jira_dc


# -- file to tracker ---------------------------------------------------------------------------


def test_jira_reviewed_redate_and_owner_change_are_pushed_once(tmp_path, any_jira):
    fake = any_jira
    pm, root = jira_repo(tmp_path, fake)
    assert sync(root, env=env_for(fake)).code == 0
    assert state(root)[KEY_SIZE]["pushed_due"] == "2026-06-15"
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    reassign(root, pm, "pool-alert", "max.sme", "nia.sme")
    before = fake.count("write")

    result = sync(root, env=env_for(fake, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert fake.issues["PAY-2"].duedate == "2026-07-01"
    assert fake.issues["PAY-1"].assignee == "acc-nia"  # accountId on Cloud, user name on Data Center: the people directory's `jira`
    assert fake.count("write") - before == 2  # one PUT per ticket, nothing else
    assert fake.count(method="PUT", path=r"/issue/") == 2
    assert "updated from reviewed changes (the postmortem's due date or owner, written to the ticket):" in result.out
    assert "postmortems/2026/2026-05-20-payments.md:28: pool-size (PAY-2): due 2026-06-15 -> 2026-07-01" in result.out
    assert "postmortems/2026/2026-05-20-payments.md:22: pool-alert (PAY-1): assignee -> nia.sme (acc-nia)" in result.out
    assert "updated 2 from reviewed changes" in result.out
    entries = state(root)
    assert (entries[KEY_SIZE]["pushed_due"], entries[KEY_SIZE]["due"]) == ("2026-07-01", "2026-07-01")
    assert (entries[KEY_ALERT]["pushed_owner"], entries[KEY_ALERT]["assignee"]) == ("nia.sme", "nia.sme")
    assert "redates" not in entries[KEY_SIZE]  # our own push is not a move made in the tracker
    assert "drift" not in result.out
    # The other fields of the ticket are as the create made them.
    assert fake.issues["PAY-2"].summary == "Size the pool from measured peak load"

    saved = state_file(root).read_bytes()
    writes = fake.count("write")
    again = sync(root, env=env_for(fake, FOLLOWTHROUGH_TODAY="2026-06-10"))
    assert again.code == 0, again.out + again.err
    assert fake.count("write") == writes  # pushed once: a re-run writes nothing
    assert state_file(root).read_bytes() == saved
    assert "updated from reviewed changes" not in again.out


def test_dry_run_says_what_it_would_push_and_writes_nothing(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    saved, writes = state_file(root).read_bytes(), jira.count("write")
    result = sync(root, "--dry-run", env=env_for(jira))
    assert result.code == 0, result.out + result.err
    assert "pool-size (PAY-2): would update: due 2026-06-15 -> 2026-07-01" in result.out
    assert jira.count("write") == writes and state_file(root).read_bytes() == saved
    assert jira.issues["PAY-2"].duedate == "2026-06-15"


def test_a_ticket_that_has_the_value_already_costs_no_write(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    jira.set_fields("PAY-2", duedate="2026-07-01")  # someone moved it in Jira to the date the review then agreed
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    writes = jira.count("write")
    result = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert jira.count("write") == writes
    entry = state(root)[KEY_SIZE]
    assert entry["pushed_due"] == "2026-07-01"
    # The move was seen in the tracker, and the file records it now: no "no reason recorded" left.
    assert entry["redates"] == [{"from": "2026-06-15", "to": "2026-07-01", "seen": "2026-06-09", "destination": "pay"}]
    assert "without a reason in the file" not in result.out


def test_github_push_replaces_the_due_line_only_and_keeps_other_assignees(tmp_path, github):
    pm = two_items(teams=("web",))
    root = build_repo(tmp_path, {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, [pm])
    assert sync(root, env=env_for(github=github)).code == 0
    first, second = github.issues("acme/web")
    second.body = (second.body or "") + "\nNotes from the team: Due: 2026-06-15 was agreed in the review.\n"  # a person's text
    first.assignees = ["maxsme", "octocat"]  # a person added a helper
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    reassign(root, pm, "pool-alert", "max.sme", "nia.sme")
    body_before = second.body
    writes = github.count("write")

    result = sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert github.count("write") - writes == 2  # one PATCH per issue
    assert second.body == body_before.replace("Due: 2026-06-15", "Due: 2026-07-01", 1)  # that one date, nothing else
    assert "Notes from the team: Due: 2026-06-15 was agreed" in second.body
    assert first.assignees == ["niasme", "octocat"]
    assert "pool-size (acme/web#2): due 2026-06-15 -> 2026-07-01" in result.out
    assert state(root)[KEY_SIZE]["due"] == "2026-07-01"

    writes = github.count("write")
    assert sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-10")).code == 0
    assert github.count("write") == writes


def test_github_dropping_the_assignee_fails_the_item_and_is_tried_again(tmp_path, github):
    pm = two_items(teams=("web",))
    root = build_repo(tmp_path, {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, [pm])
    assert sync(root, env=env_for(github=github)).code == 0
    github.deny_push("acme/web", "sync-bot")  # the token lost push access: GitHub drops assignee changes silently
    reassign(root, pm, "pool-alert", "max.sme", "nia.sme")
    result = sync(root, env=env_for(github=github))
    assert result.code == 1
    assert "GitHub did not assign niasme (it drops an assignee change silently when the token's account lacks push access to acme/web)" in result.out
    assert state(root)[KEY_ALERT]["pushed_owner"] == "max.sme"  # not recorded: the next sync tries again
    assert "Traceback" not in result.out + result.err


# -- refusals ----------------------------------------------------------------------------------


def test_jira_field_off_the_edit_screen_fails_that_item_and_the_rest_goes_on(tmp_path, jira_dc):
    pm, root = jira_repo(tmp_path, jira_dc)
    assert sync(root, env=env_for(jira_dc)).code == 0
    jira_dc.edit_screen = {"summary", "description", "labels", "assignee"}  # no due date on this project's edit screen
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    reassign(root, pm, "pool-alert", "max.sme", "nia.sme")
    result = sync(root, env=env_for(jira_dc))
    assert result.code == 1, result.out + result.err
    assert "the reviewed change (due 2026-06-15 -> 2026-07-01) was not pushed to PAY-2: update PAY-2: HTTP 400" in result.out
    assert "Field 'duedate' cannot be set. It is not on the appropriate screen, or unknown." in result.out
    assert jira_dc.issues["PAY-1"].assignee == "acc-nia"  # the other item's push went on
    entries = state(root)
    assert entries[KEY_SIZE]["pushed_due"] == "2026-06-15" and entries[KEY_ALERT]["pushed_owner"] == "nia.sme"
    assert "Traceback" not in result.out + result.err
    # Fixed in Jira: the next run pushes it.
    jira_dc.edit_screen = None
    assert sync(root, env=env_for(jira_dc)).code == 0
    assert jira_dc.issues["PAY-2"].duedate == "2026-07-01"


def test_jira_without_edit_permission_fails_each_item_not_the_destination(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    jira.editors = set()
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    result = sync(root, env=env_for(jira))
    assert result.code == 1
    assert "was not pushed to PAY-2: update PAY-2: HTTP 403: You do not have permission to edit issues in this project." in result.out
    assert "pulled 2" in result.out  # the pull went on: a 403 on one ticket is not the token's
    assert "Traceback" not in result.out + result.err


def test_an_unknown_assignee_is_refused_and_the_due_date_goes_on_its_own(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    del jira.users["acc-nia"]  # the account left the site
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    reassign(root, pm, "pool-size", "nia.sme", "nia.sme")  # unchanged owner
    reassign(root, pm, "pool-alert", "max.sme", "nia.sme")
    result = sync(root, env=env_for(jira))
    assert result.code == 1
    assert "pool-alert: PAY-1 was not reassigned to nia.sme (acc-nia): Specified user does not exist or you do not have required permissions" in result.out
    assert jira.issues["PAY-2"].duedate == "2026-07-01"
    assert state(root)[KEY_ALERT]["pushed_owner"] == "max.sme"


def test_an_owner_without_a_tracker_id_is_a_note_and_not_recorded(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    reassign(root, pm, "pool-alert", "max.sme", "sam.scribe")  # in the people directory, without a `jira` id
    writes = jira.count("write")
    result = sync(root, env=env_for(jira))
    assert result.code == 0, result.out + result.err
    assert "owner sam.scribe (changed from max.sme) has no `jira` id in the people directory, so PAY-1 is not reassigned" in result.out
    assert jira.count("write") == writes
    assert state(root)[KEY_ALERT]["pushed_owner"] == "max.sme"


def test_entries_written_before_pushes_record_the_file_and_push_nothing(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    raw = json.loads(state_file(root).read_text())
    for entry in raw["items"].values():
        entry.pop("pushed_due"), entry.pop("pushed_owner")
    state_file(root).write_text(json.dumps(raw, indent=2, sort_keys=True) + "\n")
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")  # unknown whether this was ever pushed
    writes = jira.count("write")
    result = sync(root, env=env_for(jira))
    assert result.code == 0, result.out + result.err
    assert jira.count("write") == writes  # nothing pushed on a guess
    assert jira.issues["PAY-2"].duedate == "2026-06-15"
    entry = state(root)[KEY_SIZE]
    assert (entry["pushed_due"], entry["pushed_owner"]) == ("2026-07-01", "nia.sme")
    assert "pool-size (PAY-2): due 2026-07-01 in the postmortem, 2026-06-15 in pay" in result.out  # drift says so instead


# -- tracker re-dates --------------------------------------------------------------------------


def test_a_redate_made_in_jira_is_recorded_once_and_the_drift_report_gives_the_yaml(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    jira.set_fields("PAY-1", duedate="2026-06-20")
    writes = jira.count("write")
    result = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert jira.count("write") == writes  # never pushed back over: the file did not change
    assert jira.issues["PAY-1"].duedate == "2026-06-20"
    entry = state(root)[KEY_ALERT]
    assert entry["due"] == "2026-06-20"
    assert entry["redates"] == [{"from": "2026-06-05", "to": "2026-06-20", "seen": "2026-06-09", "destination": "pay"}]
    lines = result.out.splitlines()
    at = lines.index(
        "  postmortems/2026/2026-05-20-payments.md:25: pool-alert (PAY-1): the due date moved in pay without a reason in the file: "
        "2026-06-05 -> 2026-06-20 (seen 2026-06-09); if the new date stands, add to the item:"
    )
    assert lines[at + 1 : at + 4] == [
        "      due: 2026-06-20",
        "      redated:",
        "        - {from: 2026-06-05, to: 2026-06-20, on: 2026-06-09, reason: <why the date moved>}",
    ]
    assert "pool-alert (PAY-1): due 2026-06-05 in the postmortem, 2026-06-20 in pay" in result.out

    again = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-12"))
    assert again.code == 0
    assert len(state(root)[KEY_ALERT]["redates"]) == 1  # seen once, kept; not seen again
    # Recording it in the file, as the report says, settles it (and pushes nothing: the ticket agrees).
    redate(root, pm, "pool-alert", "2026-06-05", "2026-06-20", on="2026-06-09")
    settled = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-12"))
    assert settled.code == 0, settled.out + settled.err
    assert "without a reason in the file" not in settled.out and "drift" not in settled.out
    assert jira.count("write") == writes


def test_the_yaml_written_as_the_report_says_is_valid_for_lint(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    jira.set_fields("PAY-1", duedate="2026-06-20")
    result = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    lines = result.out.splitlines()
    at = next(i for i, line in enumerate(lines) if "without a reason in the file" in line)
    yaml_lines = [line[2:] for line in lines[at + 1 : at + 4]]
    path = root / pm.path
    text = path.read_text()
    block = "\n".join(yaml_lines).replace("<why the date moved>", "the vendor moved the maintenance window")
    path.write_text(text.replace("    due: 2026-06-05\n", block + "\n", 1))
    lint = run_cli("lint", str(path), cwd=root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert lint.code == 0, lint.out + lint.err


def test_a_due_date_cleared_then_set_again_in_jira_is_one_move(tmp_path, jira):
    """Cleared on one pull, set on a later one: the move from the committed date to the new one is
    a re-date in the tracker like any other (a move to or from "no date" alone is shown nowhere),
    and cleared then put back as it was is none."""
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    jira.set_fields("PAY-2", duedate=None)
    cleared = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-05"))
    assert cleared.code == 0, cleared.out + cleared.err
    assert "pool-size (PAY-2): due 2026-06-15 in the postmortem, no due date in pay" in cleared.out
    jira.set_fields("PAY-2", duedate="2026-07-01")
    result = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert state(root)[KEY_SIZE]["redates"] == [{"from": "2026-06-15", "to": "2026-07-01", "seen": "2026-06-09", "destination": "pay"}]
    assert "the due date moved in pay without a reason in the file: 2026-06-15 -> 2026-07-01 (seen 2026-06-09)" in result.out
    assert "        - {from: 2026-06-15, to: 2026-07-01, on: 2026-06-09, reason: <why the date moved>}" in result.out.splitlines()

    jira.set_fields("PAY-1", duedate=None)
    assert sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-10")).code == 0
    jira.set_fields("PAY-1", duedate="2026-06-05")
    restored = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-11"))
    assert restored.code == 0
    assert "redates" not in state(root)[KEY_ALERT]
    assert "pool-alert (PAY-1)" not in restored.out


def test_a_move_in_jira_that_a_reviewed_redate_writes_over_is_not_asked_for_again(tmp_path, jira):
    """Moved in Jira to 06-20 while the pull request moved it to 07-01 with a reason: the push
    writes the reviewed date, and the Jira move is settled by it, not reported on every sync as
    a `redated:` entry to add (one that could never join the file's chain)."""
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    jira.set_fields("PAY-2", duedate="2026-06-20")
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01", on="2026-06-03")
    result = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert jira.issues["PAY-2"].duedate == "2026-07-01"
    assert "pool-size (PAY-2): due 2026-06-20 -> 2026-07-01" in result.out
    assert "pool-size: the move made in pay (2026-06-15 -> 2026-06-20) gave way to the reviewed due date 2026-07-01" in result.out
    assert "without a reason in the file" not in result.out
    assert "redates" not in state(root)[KEY_SIZE]
    again = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-10"))
    assert again.code == 0 and "drift" not in again.out and "gave way" not in again.out
    report = run_cli("report", "overdue", "--today", "2026-07-10", cwd=root)
    assert "re-dated 1 time, 16 days later than first committed (2026-06-15)\n" in report.out
    assert "no reason recorded" not in report.out


def test_a_redate_seen_on_github_is_recorded_from_the_due_line(tmp_path, github):
    pm = two_items(teams=("web",))
    root = build_repo(tmp_path, {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, [pm])
    assert sync(root, env=env_for(github=github)).code == 0
    issue = github.issues("acme/web")[0]
    issue.body = (issue.body or "").replace("Due: 2026-06-05", "Due: 2026-06-19")
    assert sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-09")).code == 0
    assert state(root)[KEY_ALERT]["redates"] == [{"from": "2026-06-05", "to": "2026-06-19", "seen": "2026-06-09", "destination": "web"}]


def test_a_due_date_a_person_wrote_in_the_github_body_is_not_the_facts_line(tmp_path, github):
    """The issue's due date is the facts line sync wrote; a `Due:` in a person's words above it is
    neither read as a move made in the tracker nor overwritten by a push."""
    pm = two_items(teams=("web",))
    root = build_repo(tmp_path, {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, [pm])
    assert sync(root, env=env_for(github=github)).code == 0
    issue = github.issues("acme/web")[0]
    note = "Due: 2026-05-01 was the vendor's date; we agreed on the later one.\n\n"
    issue.body = note + issue.body
    result = sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert "drift" not in result.out
    assert "redates" not in state(root)[KEY_ALERT]
    redate(root, pm, "pool-alert", "2026-06-05", "2026-06-19")
    result = sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-10"))
    assert result.code == 0, result.out + result.err
    assert issue.body.startswith(note)  # the person's words as they were
    assert "· Due: 2026-06-19 · Priority: P1" in issue.body
    assert state(root)[KEY_ALERT]["due"] == "2026-06-19"


def test_a_day_that_does_not_exist_in_one_github_body_fails_nothing_else(tmp_path, github):
    """`Due: 2026-06-31` typed into one issue: that issue reads as having no due date (the drift
    says so), the destination's other items are pulled, and the next reviewed re-date mends it."""
    pm = two_items(teams=("web",))
    root = build_repo(tmp_path, {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, [pm])
    assert sync(root, env=env_for(github=github)).code == 0
    issue = github.issues("acme/web")[0]
    issue.body = issue.body.replace("Due: 2026-06-05", "Due: 2026-06-31")
    github.issues("acme/web")[1].body = github.issues("acme/web")[1].body.replace("Due: 2026-06-15", "Due: 2026-06-22")
    result = sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert "pool-alert (acme/web#1): due 2026-06-05 in the postmortem, no due date in web" in result.out
    assert state(root)[KEY_SIZE]["redates"] == [{"from": "2026-06-15", "to": "2026-06-22", "seen": "2026-06-09", "destination": "web"}]
    redate(root, pm, "pool-alert", "2026-06-05", "2026-06-19")
    assert sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-10")).code == 0
    assert "· Due: 2026-06-19 · Priority: P1" in issue.body and "2026-06-31" not in issue.body


# -- GitHub's issue fields (due_field) ---------------------------------------------------------


def due_field_repo(root: Path, github: FakeGitHub, field: str = "Target date") -> tuple[Pm, Path]:
    pm = two_items(teams=("web",))
    return pm, build_repo(root, {"default": "web", "destinations": {"web": gh_dest(github, due_field=field)}, **FAST}, [pm])


def test_due_field_is_written_on_create_and_redate_and_read_back(tmp_path, github):
    fid = github.add_issue_field("acme", "Target date", "date")
    github.add_issue_field("acme", "Priority", "single_select")
    pm, root = due_field_repo(tmp_path, github)
    result = sync(root, env=env_for(github=github))
    assert result.code == 0, result.out + result.err
    assert github.field_value("acme/web", 1, fid) == "2026-06-05"
    assert github.field_value("acme/web", 2, fid) == "2026-06-15"
    assert github.count(path=r"/orgs/acme/issue-fields$") == 1  # resolved once a run
    assert state(root)[KEY_SIZE]["due"] == "2026-06-15"

    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    pushed = sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert pushed.code == 0, pushed.out + pushed.err
    assert github.field_value("acme/web", 2, fid) == "2026-07-01"
    assert "Due: 2026-07-01" in (github.issues("acme/web")[1].body or "")  # the body's line says the same
    assert "redates" not in state(root)[KEY_SIZE]

    # Moved in GitHub's field: the pull reads it back from the listing, and records the move.
    github.set_field_value("acme/web", 1, fid, "2026-06-25")
    reads = github.count("read")
    seen = sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-10"))
    assert seen.code == 0
    assert github.count("read") - reads == 3  # the repository, the field list, one listing page: no read per issue
    assert state(root)[KEY_ALERT]["redates"] == [{"from": "2026-06-05", "to": "2026-06-25", "seen": "2026-06-10", "destination": "web"}]
    assert "pool-alert (acme/web#1): due 2026-06-05 in the postmortem, 2026-06-25 in web" in seen.out


def test_due_field_the_organization_lacks_names_the_setting(tmp_path, github):
    github.add_issue_field("acme", "Start date", "date")
    _, root = due_field_repo(tmp_path, github)
    result = sync(root, env=env_for(github=github))
    assert result.code == 1
    assert "trackers.destinations.web.due_field: 'Target date' is not an issue field of the organization acme (its fields: Start date)" in result.out
    assert github.count("write") == 0  # nothing was created with the due date nowhere
    assert "Traceback" not in result.out + result.err


def test_due_field_that_is_not_a_date_names_the_setting(tmp_path, github):
    github.add_issue_field("acme", "Target date", "text")
    _, root = due_field_repo(tmp_path, github)
    result = sync(root, env=env_for(github=github))
    assert result.code == 1
    assert "trackers.destinations.web.due_field: the issue field 'Target date' of acme is a text field, not a date field" in result.out


def test_due_field_without_issue_fields_in_the_organization(tmp_path, github):
    _, root = due_field_repo(tmp_path, github)
    result = sync(root, env=env_for(github=github))
    assert result.code == 1
    assert "trackers.destinations.web.due_field: acme has no issue fields" in result.out


def test_due_field_is_a_github_setting(tmp_path, jira):
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira, due_field="Target date")}, **FAST}, [two_items()])
    result = sync(root, env=env_for(jira))
    assert result.code == 2
    assert "trackers.destinations.pay.due_field: only GitHub destinations take this setting" in result.err


# -- what an unchanged repo costs --------------------------------------------------------------


@pytest.mark.parametrize("kind", ["jira", "github"])
def test_an_unchanged_repo_costs_the_same_reads_and_no_write(tmp_path, kind, jira, github):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation"), Item("pool-size", "Size the pool", owner="nia.sme", due="2026-06-15")], teams=("web",))
    dest = jira_dest(jira) if kind == "jira" else gh_dest(github)
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": dest}, **FAST}, [pm])
    env = env_for(jira) if kind == "jira" else env_for(github=github)
    fake = jira if kind == "jira" else github
    assert sync(root, env=env).code == 0
    fake.reset_counts()
    assert sync(root, env=env).code == 0
    # Jira: serverInfo, the field list the client reads, one marker search; GitHub: the repository, one listing page.
    assert dict(fake.counts()) == ({"read": 3} if kind == "jira" else {"read": 2})


def test_a_create_whose_due_field_was_refused_gets_it_on_the_next_sync(tmp_path, github):
    fid = github.add_issue_field("acme", "Target date", "date")
    _, root = due_field_repo(tmp_path, github)
    github.deny_push("acme/web", "sync-bot")  # issues may be opened, but fields not set
    result = sync(root, env=env_for(github=github))
    assert result.code == 0, result.out + result.err
    assert "pool-alert: acme/web#1 was created without its due date 2026-06-05 in web; the next sync writes it" in result.out
    assert github.field_value("acme/web", 1, fid) is None
    github.without_push.clear()  # push access granted
    again = sync(root, env=env_for(github=github))
    assert again.code == 0, again.out + again.err
    assert github.field_value("acme/web", 1, fid) == "2026-06-05"
    assert "pool-alert (acme/web#1): due none -> 2026-06-05" in again.out


def test_due_field_set_up_after_the_issues_were_made_is_filled_once(tmp_path, github):
    """Issues made before `due_field` was set have the field empty: that is not a date cleared in
    GitHub (no drift, no re-date to none), and the next sync fills it with the file's date once."""
    pm = two_items(teams=("web",))
    root = build_repo(tmp_path, {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, [pm])
    assert sync(root, env=env_for(github=github)).code == 0
    fid = github.add_issue_field("acme", "Target date", "date")
    later = build_repo(tmp_path / "with-field", {"default": "web", "destinations": {"web": gh_dest(github, due_field="Target date")}, **FAST}, [pm])
    (root / "mkdocs.yml").write_text((later / "mkdocs.yml").read_text())
    result = sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert "drift" not in result.out
    assert "pool-size (acme/web#2): due none -> 2026-06-15" in result.out
    assert (github.field_value("acme/web", 1, fid), github.field_value("acme/web", 2, fid)) == ("2026-06-05", "2026-06-15")
    assert "redates" not in state(root)[KEY_SIZE]
    writes = github.count("write")
    again = sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-10"))
    assert again.code == 0 and "drift" not in again.out
    assert github.count("write") == writes


@contextmanager
def lagging_cloud(now: list[float]):
    """Jira Cloud whose search shows a change an hour late, on the clock `now[0]`."""
    from .conftest import NOON
    from .fakes.postmortem_repo import JIRA_IDS

    with FakeJira("Cloud", users={v: k for k, v in JIRA_IDS.items()}, search_lag=3600, clock=lambda: now[0]) as fake:
        fake.now = lambda: NOON
        yield fake


def synced_once(tmp_path: Path, fake: FakeJira) -> tuple[Pm, Path]:
    """The two-item repo synced once, its creates settled into the search."""
    pm, root = jira_repo(tmp_path, fake)
    assert sync(root, env=env_for(fake)).code == 0
    fake.settle()
    return pm, root


def test_jira_cloud_lagging_search_after_a_push_is_not_taken_for_a_move_in_the_tracker(tmp_path):
    now = [1_000_000.0]
    with lagging_cloud(now) as fake:
        pm, root = synced_once(tmp_path, fake)
        redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
        assert sync(root, env=env_for(fake, FOLLOWTHROUGH_TODAY="2026-06-09")).code == 0
        assert fake.issues["PAY-2"].duedate == "2026-07-01"
        # The index still has the date before the push: the next run reads the ticket as it is now.
        result = sync(root, env=env_for(fake, FOLLOWTHROUGH_TODAY="2026-06-09"))
        assert result.code == 0, result.out + result.err
        assert "redates" not in state(root)[KEY_SIZE]
        assert "drift" not in result.out
        # A real move made in Jira is seen once the index has it.
        fake.set_fields("PAY-1", duedate="2026-06-22")
        now[0] += 3601
        moved = sync(root, env=env_for(fake, FOLLOWTHROUGH_TODAY="2026-06-10"))
        assert moved.code == 0
        assert state(root)[KEY_ALERT]["redates"] == [{"from": "2026-06-05", "to": "2026-06-22", "seen": "2026-06-10", "destination": "pay"}]


def test_jira_cloud_lagging_search_after_an_owner_push_is_not_drift(tmp_path):
    """The index still shows the assignee from before the push: the ticket is read again as it is
    now, so no "assigned to nia.sme" drift is reported and the state file does not flip back."""
    now = [1_000_000.0]
    with lagging_cloud(now) as fake:
        pm, root = synced_once(tmp_path, fake)
        reassign(root, pm, "pool-size", "nia.sme", "max.sme")
        assert sync(root, env=env_for(fake, FOLLOWTHROUGH_TODAY="2026-06-09")).code == 0
        assert fake.issues["PAY-2"].assignee == "acc-max"
        saved = state_file(root).read_bytes()
        result = sync(root, env=env_for(fake, FOLLOWTHROUGH_TODAY="2026-06-09"))
        assert result.code == 0, result.out + result.err
        assert "drift" not in result.out
        assert state_file(root).read_bytes() == saved
        assert state(root)[KEY_SIZE]["assignee"] == "max.sme"


def test_due_field_is_read_per_issue_where_the_listing_lacks_the_values(tmp_path, github):
    fid = github.add_issue_field("acme", "Target date", "date")
    _, root = due_field_repo(tmp_path, github)
    assert sync(root, env=env_for(github=github)).code == 0
    github.values_in_issues = False
    github.set_field_value("acme/web", 2, fid, "2026-06-29")
    github.reset_counts()
    result = sync(root, env=env_for(github=github, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 0, result.out + result.err
    assert github.count("read", path=r"/issue-field-values$") == 2  # one per issue, only then
    assert state(root)[KEY_SIZE]["redates"] == [{"from": "2026-06-15", "to": "2026-06-29", "seen": "2026-06-09", "destination": "web"}]


def test_a_push_whose_answer_is_lost_is_sent_again_and_applied_once(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    # The edit takes effect, then the connection drops: writing the same date again is harmless.
    jira.inject("drop", "PUT", r"/issue/", after=True, times=1)
    result = sync(root, env=env_for(jira))
    assert result.code == 0, result.out + result.err
    assert jira.issues["PAY-2"].duedate == "2026-07-01"
    assert jira.count(method="PUT", path=r"/issue/") == 2
    assert state(root)[KEY_SIZE]["pushed_due"] == "2026-07-01"


def test_a_push_that_keeps_failing_fails_the_item_and_the_next_sync_writes_only_what_is_missing(tmp_path, jira):
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    jira.inject("status", "PUT", r"/issue/", status=503, after=True, times=10)  # applied, but every answer an error
    failed = sync(root, env=env_for(jira))
    assert failed.code == 1
    assert "the reviewed change (due 2026-06-15 -> 2026-07-01) was not pushed to PAY-2: update PAY-2: HTTP 503" in failed.out
    assert "Traceback" not in failed.out + failed.err
    assert state(root)[KEY_SIZE]["pushed_due"] == "2026-06-15"
    jira.clear_faults()
    writes = jira.count("write")
    again = sync(root, env=env_for(jira))
    assert again.code == 0, again.out + again.err
    assert jira.count("write") == writes  # the ticket has the date already: only recorded
    assert state(root)[KEY_SIZE]["pushed_due"] == "2026-07-01"


def test_a_pushed_owner_of_the_wrong_type_is_the_damaged_state_message(tmp_path, jira):
    """Not a tracker failure ("TypeError; is the URL the API's?") on the item: the file named, exit 2."""
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    data = json.loads(state_file(root).read_text())
    data["items"][KEY_SIZE]["pushed_owner"] = ["nia.sme"]
    state_file(root).write_text(json.dumps(data))
    reassign(root, pm, "pool-size", "nia.sme", "max.sme")
    writes = jira.count("write")
    result = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert result.code == 2, result.out + result.err
    assert f".followthrough/state.json: the tracker state file is damaged (entry '{KEY_SIZE}' is malformed: pushed_owner must be text, not list)" in result.err
    assert jira.count("write") == writes
