"""Sync converges on one ticket per item, whatever happened before: lost replies, creates the
server applies late, a search that lags behind writes, duplicates from earlier runs, refusals.

The runs happen in this process on a fake clock that the lagging Jira fake shares, so "three
seconds later" costs nothing; the real clients talk to the loopback fakes over HTTP."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

import pytest

from .conftest import NOON
from .fakes import FakeGitHub, FakeJira
from .fakes.postmortem_repo import JIRA_IDS, Item, Pm, build_repo, many
from .sync_setup import FAST, env_for, gh_dest, jira_dest, tickets_in, one_item_jira
from followthrough.core.errors import FollowthroughError
from followthrough.core.sync.markers import hidden_marker, marker_for
from followthrough.trackers.retry import Clock


class FakeClock:
    """Seconds since the epoch that move only when the code waits (or the test says so)."""

    def __init__(self, start: float = 1_780_000_000.0) -> None:
        self.t = start

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.t += seconds

    def clock(self) -> Clock:
        return Clock(now=self.now, sleep=self.sleep)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def lagging(clock: FakeClock) -> Iterator[FakeJira]:
    """Jira Cloud whose search sees every write 3 s late, on the test's clock."""
    with FakeJira("Cloud", users={v: k for k, v in JIRA_IDS.items()}, search_lag=3.0, clock=clock.now) as fake:
        fake.now = lambda: NOON
        yield fake


def sync_here(root: Path, env: dict[str, str], clock: FakeClock, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str]:
    """`followthrough sync ARGS` in this process on `clock`: (exit code, everything printed)."""
    from followthrough.cli.main import build_parser
    from followthrough.trackers.redact import Redacting

    monkeypatch.chdir(root)
    for name in ("JIRA_API_TOKEN", "GITHUB_TOKEN", "FOLLOWTHROUGH_TODAY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    parsed = build_parser(["sync", *args]).parse_args(["sync", *args])
    out, err = io.StringIO(), io.StringIO()
    try:
        code = parsed.run(parsed, Redacting(out, []), Redacting(err, []), clock=clock.clock())
    except FollowthroughError as exc:
        err.write(f"{exc}\n")
        code = exc.exit_code
    text = out.getvalue() + err.getvalue()
    assert "Traceback" not in text, text
    return code, text


def state_file(root: Path) -> dict[str, Any]:
    return json.loads((root / ".followthrough" / "state.json").read_text())


def three() -> Pm:
    return Pm("payments", [Item("pool-alert", "Alert on pool saturation"), Item("pool-size", "Size the pool from peak load"), Item("retry-cap", "Cap retries in the client")])


def open_with_marker(tickets: list[tuple[str, set[str], bool]]) -> dict[str, list[str]]:
    """marker -> refs of the open tickets carrying it."""
    found: dict[str, list[str]] = {}
    for ref, markers, is_open in tickets:
        if is_open:
            for m in markers:
                found.setdefault(m, []).append(ref)
    return found


def jira_tickets(fake: FakeJira) -> list[tuple[str, set[str], bool]]:
    return [(k, {x for x in i.labels if x.startswith("ft-")}, fake.statuses[i.status] != "done") for k, i in fake.issues.items()]


def github_tickets(fake: FakeGitHub, repo: str = "acme/web") -> list[tuple[str, set[str], bool]]:
    from followthrough.core.sync.markers import markers_in

    return [(f"{repo}#{i.number}", markers_in(i.body), i.state == "open") for i in fake.issues(repo)]


def assert_converged(root: Path, pms: list[Pm], tickets: list[tuple[str, set[str], bool]]) -> None:
    """Each item names one ticket, and the only open ticket carrying its marker is that one."""
    named = {}
    for pm in pms:
        for item, ref in zip(pm.items, tickets_in(root, pm)):
            assert ref is not None, f"{pm.id}/{item.id} has no ticket"
            named[marker_for(pm.id, item.id)] = ref
    carrying = open_with_marker(tickets)
    for marker, ref in named.items():
        assert carrying.get(marker) == [ref], (marker, ref, carrying.get(marker))
    assert set(carrying) <= set(named)


# -- Jira Cloud's lagging search ---------------------------------------------------------


def test_fresh_tickets_are_read_back_although_the_search_lags(tmp_path, lagging, clock, monkeypatch):
    pm = three()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(lagging)}, **FAST}, [pm])
    code, out = sync_here(root, env_for(lagging), clock, monkeypatch)
    assert code == 0, out
    assert "does not exist" not in out and "pulled 3 (3 changed), failed 0" in out
    assert {e["ticket"] for e in state_file(root)["items"].values()} == {"PAY-1", "PAY-2", "PAY-3"}
    reads = [r for r in lagging.records if r.path.endswith("/search/jql") and "key in" in r.query.get("jql", [""])[0]]
    assert reads and sorted(reads[-1].query["reconcileIssues"]) == sorted(str(i.id) for i in lagging.issues.values())


def test_a_first_run_on_github_reads_the_listing_not_each_new_issue(tmp_path, github, clock, monkeypatch):
    pms = many(6, 5)  # 30 items
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, pms)
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0 and "created 30, linked 0, pulled 30" in out, out
    assert github.count("read") == 2  # the repository and one listing page: the creates' answers fill it in


def test_a_dropped_create_on_a_lagging_search_is_waited_for_not_sent_again(tmp_path, lagging, clock, monkeypatch):
    pm = three()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(lagging)}, **FAST}, [pm])
    lagging.inject("drop", "POST", r"/issue$", after=True, skip=1)  # the second create is made; its reply is lost
    code, out = sync_here(root, env_for(lagging), clock, monkeypatch)
    assert code == 1 and "pool-size: may have been created, and is not sent again now" in out, out
    assert "state file: updated (2 entries)" in out  # the record of the pending create is a change too
    assert len(lagging.issues) == 3 and lagging.count(method="POST") == 3
    assert list(state_file(root)["pending"]) == ["2026-05-20-payments/pool-size"]
    # At once again (a crash, then a re-run): the search does not show it yet, so nothing is sent.
    clock.sleep(1)
    code, out = sync_here(root, env_for(lagging), clock, monkeypatch)
    assert code == 0, out
    assert "1 create(s) pending" in out and "not found by its marker yet" in out
    assert lagging.count(method="POST") == 3 and tickets_in(root, pm) == ["PAY-1", None, "PAY-3"]
    clock.sleep(5)  # the index has caught up
    code, out = sync_here(root, env_for(lagging), clock, monkeypatch)
    assert code == 0, out
    assert "linked postmortems/2026/2026-05-20-payments.md:" in out and lagging.count(method="POST") == 3
    assert tickets_in(root, pm) == ["PAY-1", "PAY-2", "PAY-3"]
    assert "pending" not in state_file(root)
    assert_converged(root, [pm], jira_tickets(lagging))


def test_a_pending_create_never_found_is_sent_again_once_the_search_has_settled(tmp_path, lagging, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(lagging)}, **FAST, "settle_minutes": 10}, [pm])
    lagging.inject("drop", "POST", r"/issue$")  # dropped before it took effect
    assert sync_here(root, env_for(lagging), clock, monkeypatch)[0] == 1
    clock.sleep(9 * 60)
    code, out = sync_here(root, env_for(lagging), clock, monkeypatch)
    assert code == 0 and "1 create(s) pending" in out and lagging.count(method="POST") == 1, out
    clock.sleep(60)
    code, out = sync_here(root, env_for(lagging), clock, monkeypatch)
    assert code == 0 and "created postmortems/2026/2026-05-20-payments.md:22: pool-alert -> PAY-1" in out, out
    assert lagging.count(method="POST") == 2 and len(lagging.issues) == 1


def test_a_reply_read_but_not_written_back_is_linked_by_its_id_at_once(tmp_path, lagging, clock, monkeypatch):
    """The create answered, then the write-back failed (here: the file changed under it): the
    pending record keeps the key and id, so the next run reads it back through the lag."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(lagging)}, **FAST}, [pm])
    path = root / pm.path
    original = path.read_text()
    lagging.inject("call", "POST", r"/issue$", after=True, action=lambda: path.write_text(original.replace("Alert on pool saturation", "Alert on pool saturation early")))
    code, out = sync_here(root, env_for(lagging), clock, monkeypatch)
    assert code == 1 and "created PAY-1 but could not write `ticket: PAY-1` into the file" in out, out
    pending = state_file(root)["pending"]["2026-05-20-payments/pool-alert"]
    assert pending["ticket"] == "PAY-1" and pending["number"] == lagging.issues["PAY-1"].id
    code, out = sync_here(root, env_for(lagging), clock, monkeypatch)  # no time has passed: the search alone would miss it
    assert code == 0 and "linked postmortems/2026/2026-05-20-payments.md:22: pool-alert -> PAY-1" in out, out
    assert lagging.count(method="POST") == 1


def test_a_rebuild_of_the_state_file_keeps_its_pending_creates(tmp_path, lagging, clock, monkeypatch):
    """Without the record, the lagging search would not show the lost create's ticket, and the
    rebuild would make a second one."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(lagging)}, **FAST}, [pm])
    lagging.inject("drop", "POST", r"/issue$", after=True)
    assert sync_here(root, env_for(lagging), clock, monkeypatch)[0] == 1
    code, out = sync_here(root, env_for(lagging), clock, monkeypatch, "--rebuild-state")
    assert code == 0 and "it is rebuilt from the trackers, keeping its 1 pending create(s)" in out, out
    assert "1 create(s) pending" in out and lagging.count(method="POST") == 1
    assert list(state_file(root)["pending"]) == ["2026-05-20-payments/pool-alert"]
    assert list((root / ".followthrough" / "tmp").glob("state.json.damaged-*"))  # the copy is where git ignores it


# -- creates applied late ----------------------------------------------------------------


@pytest.mark.parametrize("kind", ["jira-cloud", "jira-dc", "github"])
def test_a_create_applied_after_the_client_gave_up_is_linked_not_made_twice(tmp_path, jira, jira_dc, github, clock, monkeypatch, kind):
    fake = {"jira-cloud": jira, "jira-dc": jira_dc, "github": github}[kind]
    dest = gh_dest(github) if kind == "github" else jira_dest(fake)
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation"), Item("pool-size", "Size the pool")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": dest}, **FAST}, [pm])
    fake.inject("defer", "POST", r"/issue$" if kind != "github" else r"/repos/acme/web/issues$")
    code, out = sync_here(root, env_for(jira if kind == "jira-cloud" else jira_dc if kind == "jira-dc" else None, github if kind == "github" else None), clock, monkeypatch)
    assert code == 1 and "may have been created, and is not sent again now" in out, out
    assert fake.count(method="POST", path=r"/issue$|/issues$") == 2  # the lost one was not sent again in this run
    assert fake.apply_deferred() == 1  # the server gets round to it: after the timeout, the backoff, any look-up
    env = env_for(jira if kind == "jira-cloud" else jira_dc if kind == "jira-dc" else None, github if kind == "github" else None)
    code, out = sync_here(root, env, clock, monkeypatch)
    assert code == 0 and "linked " in out, out
    tickets = github_tickets(github) if kind == "github" else jira_tickets(fake)
    assert len(tickets) == 2
    assert_converged(root, [pm], tickets)


def test_a_create_applied_after_the_next_run_made_one_is_closed_by_the_run_after(tmp_path, github, clock, monkeypatch):
    """GitHub's listing is consistent, so a run that does not find a pending create's issue sends
    it again; when the first then lands after all, the following run closes it as a duplicate."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    github.inject("defer", "POST", r"/repos/acme/web/issues$")
    env = env_for(github=github)
    assert sync_here(root, env, clock, monkeypatch)[0] == 1
    code, out = sync_here(root, env, clock, monkeypatch)
    assert code == 0 and "created postmortems/2026/2026-05-20-payments.md:22: pool-alert -> acme/web#1" in out, out
    github.apply_deferred()  # lands as #2
    code, out = sync_here(root, env, clock, monkeypatch)
    assert code == 0 and "closed acme/web#2 as a duplicate of acme/web#1" in out, out
    assert_converged(root, [pm], github_tickets(github))
    assert github.issues("acme/web")[1].state_reason == "duplicate"


# -- duplicates ----------------------------------------------------------------------------


def test_github_duplicates_are_closed_as_duplicates_with_a_comment_and_never_deleted(tmp_path, github, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation"), Item("pool-size", "Size the pool")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    body = {item.id: hidden_marker(pm.id, item.id) + "\n\nmade by an earlier run\n" for item in pm.items}
    for n in range(2):  # two earlier runs made a ticket for each item (#1..#4), and nobody wrote them back
        for item in pm.items:
            github.add_issue("acme/web", item.title, body=body[item.id], labels=("postmortem",))
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0, out
    assert tickets_in(root, pm) == ["acme/web#1", "acme/web#2"]  # the oldest of each
    assert "closed acme/web#3 as a duplicate of acme/web#1" in out and "closed acme/web#4 as a duplicate of acme/web#2" in out
    assert "linked 2, closed 2 duplicate(s)" in out
    issues = github.issues("acme/web")
    assert len(issues) == 4 and [(i.state, i.state_reason) for i in issues[2:]] == [("closed", "duplicate")] * 2
    assert github.comments("acme/web", 3)[0].body.startswith("Duplicate of #1")
    assert_converged(root, [pm], github_tickets(github))
    writes = github.count("write")
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0 and "duplicate" not in out.split("state file")[0].split("\n", 2)[-1] and github.count("write") == writes


@pytest.mark.parametrize("deployment", ["Cloud", "Server"])
def test_jira_duplicates_are_commented_and_closed_by_the_workflow(tmp_path, clock, monkeypatch, deployment):
    with one_item_jira(tmp_path, deployment) as (fake, pm, root):
        marker = marker_for(pm.id, "pool-alert")
        fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker])
        fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker])
        (root / pm.path).write_text((root / pm.path).read_text().replace('    title: "Alert on pool saturation"\n', '    title: "Alert on pool saturation"\n    ticket: PAY-2\n'))
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0, out
        assert "closed PAY-1 as a duplicate of PAY-2" in out  # the one the file names is kept, not the oldest
        dup = fake.issues["PAY-1"]
        assert (dup.status, dup.resolution) == ("Won't Do", "Duplicate")
        assert fake.comments_of("PAY-1")[0].replace("\\-", "-").startswith("Duplicate of PAY-2")  # wiki markup escapes '-' on Data Center
        assert fake.issues["PAY-2"].status == "To Do"
        assert_converged(root, [pm], jira_tickets(fake))


def test_a_jira_workflow_that_cannot_close_a_duplicate_has_it_marked_and_said(tmp_path, clock, monkeypatch):
    with one_item_jira(tmp_path, transitions={"Start": "In Progress", "Finish": "Done"}) as (fake, pm, root):
        marker = marker_for(pm.id, "pool-alert")
        for _ in range(2):
            fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker])
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0, out
        assert "marked PAY-2 as a duplicate of PAY-1; PAY-2 is left open, labelled followthrough-duplicate" in out
        assert fake.issues["PAY-2"].status == "To Do" and fake.issues["PAY-2"].labels == ["postmortem", "followthrough-duplicate"]
        assert fake.comments_of("PAY-2")[0].startswith("Duplicate of PAY-1")
        assert_converged(root, [pm], jira_tickets(fake))  # no open ticket carries the marker but the kept one
        writes = fake.count("write")
        assert sync_here(root, env_for(fake), clock, monkeypatch)[0] == 0 and fake.count("write") == writes


def test_a_ticket_another_item_names_is_neither_linked_nor_closed(tmp_path, github, clock, monkeypatch):
    """Ids by position: a new first item takes the old first item's id and marker."""
    pm = Pm("payments", [Item("item-x", "A new first item"), Item("item-y", "The old first item")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    github.add_issue("acme/web", "The old first item", body=hidden_marker(pm.id, "item-x"), labels=("postmortem",))
    text = (root / pm.path).read_text().replace('    title: "The old first item"\n', '    title: "The old first item"\n    ticket: "acme/web#1"\n')
    (root / pm.path).write_text(text)
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0, out
    assert tickets_in(root, pm) == ["acme/web#2", "acme/web#1"]
    assert github.issues("acme/web")[0].state == "open" and "duplicate" not in out


def test_two_checkouts_on_a_lagging_search_never_close_each_others_tickets(tmp_path, lagging, clock, monkeypatch):
    """Two machines made a ticket each for every item. One closes the other's as duplicates; the
    other, running while the search still shows its own open, must not close the survivors: it
    reads them as they are now and moves its items to them instead."""
    pm = three()
    a = build_repo(tmp_path / "a", {"default": "pay", "destinations": {"pay": jira_dest(lagging)}, **FAST}, [pm])
    b = tmp_path / "b"
    shutil.copytree(a, b)
    env = env_for(lagging)
    assert sync_here(a, env, clock, monkeypatch)[0] == 0  # PAY-1..3
    assert sync_here(b, env, clock, monkeypatch)[0] == 0  # the search does not show them yet: PAY-4..6
    assert tickets_in(a, pm) == ["PAY-1", "PAY-2", "PAY-3"] and tickets_in(b, pm) == ["PAY-4", "PAY-5", "PAY-6"]
    clock.sleep(5)
    code, out = sync_here(a, env, clock, monkeypatch)
    assert code == 0 and "closed PAY-4 as a duplicate of PAY-1" in out, out
    clock.sleep(1)  # b runs while the search still shows PAY-4..6 open
    code, out = sync_here(b, env, clock, monkeypatch)
    assert code == 0, out
    assert "closed PAY-1" not in out and "now names PAY-1, which carries its marker and is open" in out, out
    assert tickets_in(b, pm) == ["PAY-1", "PAY-2", "PAY-3"]
    lagging.settle()
    for root in (a, b):
        assert_converged(root, [pm], jira_tickets(lagging))
    assert [lagging.issues[k].status for k in ("PAY-1", "PAY-2", "PAY-3")] == ["To Do"] * 3


# -- two runs at once, on two machines -----------------------------------------------------


def test_two_checkouts_syncing_at_once_converge_on_the_next_run(tmp_path, github):
    """The lock holds one checkout; two machines are two checkouts. Whatever interleaving the
    two runs take, one more run leaves one open ticket per item, the one its file names."""
    pms = many(4, 5)
    a = build_repo(tmp_path / "a", {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, pms)
    b = tmp_path / "b"
    shutil.copytree(a, b)
    env = {**_clean_env(), **env_for(github=github)}
    runs = [subprocess.Popen([sys.executable, "-m", "followthrough", "sync"], cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for root in (a, b)]
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert "Traceback" not in err, err
    result = subprocess.run([sys.executable, "-m", "followthrough", "sync"], cwd=a, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_converged(a, pms, github_tickets(github))


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWTHROUGH_", "JIRA_", "GITHUB_", "SLACK_"))}


def test_a_sync_stopped_by_sigterm_mid_create_says_so_and_keeps_the_record(tmp_path, github):
    import signal
    import threading

    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **{**FAST, "timeout": 60}}, [pm])
    arrived, release = threading.Event(), threading.Event()

    def hold() -> None:  # the create has reached the server; keep the client waiting for its answer
        arrived.set()
        release.wait(30)

    github.inject("call", "POST", r"/repos/acme/web/issues$", action=hold)
    run = subprocess.Popen([sys.executable, "-m", "followthrough", "sync"], cwd=root, env={**_clean_env(), **env_for(github=github)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert arrived.wait(60)
        run.send_signal(signal.SIGTERM)
        out, err = run.communicate(timeout=60)
    finally:
        release.set()
    assert run.returncode == 143, out + err
    assert "followthrough: stopped (SIGTERM); what was done so far is kept" in err and "Traceback" not in err
    pending = state_file(root)["pending"]["2026-05-20-payments/pool-alert"]
    assert pending["why"] == "the run ended before an answer came"
    again = subprocess.run([sys.executable, "-m", "followthrough", "sync", "--wait", "0"], cwd=root, env={**_clean_env(), **env_for(github=github)}, capture_output=True, text=True, timeout=60)
    assert again.returncode == 0 and "linked " in again.stdout, again.stdout + again.stderr  # the lock was let go; the ticket found
    assert len(github.issues("acme/web")) == 1


# -- a destination that refuses us ---------------------------------------------------------

LOGIN_PAGE = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form action='/login'>SSO</form></body></html>"


@pytest.mark.parametrize("kind", ["jira", "github"])
def test_a_proxy_login_page_stops_the_destination_after_one_request(tmp_path, jira, github, clock, monkeypatch, kind):
    fake = jira if kind == "jira" else github
    pms = many(2, 6)
    dest = jira_dest(jira) if kind == "jira" else gh_dest(github)
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": dest}, **FAST}, pms)
    fake.inject("status", status=200, body=LOGIN_PAGE, headers={"Content-Type": "text/html"}, times=10**6, method="POST")
    before = len(fake.records)
    code, out = sync_here(root, env_for(jira if kind == "jira" else None, github if kind == "github" else None), clock, monkeypatch)
    assert code == 1
    assert "answered with an HTML page, not the API: is a proxy or an SSO login in the way?" in out, out
    assert "nothing more was sent there (12 item(s) not synced)" in out
    sent = fake.records[before:]
    first_page = next(i for i, r in enumerate(sent) if r.fault == "status")
    assert sent[first_page + 1 :] == []  # not one request after the refusal
    assert "pending" not in state_file(root) if (root / ".followthrough" / "state.json").exists() else True


def test_a_login_page_after_five_creates_costs_one_request_and_the_other_destination_goes_on(tmp_path, jira, github, clock, monkeypatch):
    pms = [*many(1, 8), Pm("web-outage", [Item(f"fix-{i}", f"Fix the web tier, part {i}") for i in range(4)], services=("web",))]
    trackers = {"default": "pay", "services": {"web": "web"}, "destinations": {"pay": jira_dest(jira), "web": gh_dest(github)}, **FAST}
    root = build_repo(tmp_path, trackers, pms)
    jira.inject("status", status=200, body=LOGIN_PAGE, headers={"Content-Type": "text/html"}, times=10**6, skip=5, method="POST")
    code, out = sync_here(root, env_for(jira, github), clock, monkeypatch)
    assert code == 1
    assert jira.count(method="POST") == 6  # five created, one answered by the login page, then none
    assert "nothing more was sent there" in out and "web (GitHub repo acme/web" in out
    assert len(jira.issues) == 5 and len(github.issues("acme/web")) == 4


def test_a_wait_longer_than_max_wait_stops_the_destination_with_one_message(tmp_path, github, clock, monkeypatch):
    pms = many(1, 4)
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST, "max_wait": 300}, pms)
    github.inject("status", "POST", r"/issues$", status=429, retry_after="3600", body={"message": "API rate limit exceeded"})
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 1
    assert "GitHub at " in out and "asked to wait 3600 s, more than max_wait 300: try later or raise max_wait" in out, out
    assert out.count("asked to wait") == 1 and github.count(method="POST") == 1
    assert "Retry-After" not in out.split("failed:")[0]  # nothing was waited for


@pytest.mark.parametrize("status", [401, 403])
def test_refused_credentials_mid_run_stop_the_destination(tmp_path, jira, clock, monkeypatch, status):
    pms = many(1, 4)
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": jira_dest(jira)}, **FAST}, pms)
    jira.inject("status", "POST", r"/issue$", status=status, body={"errorMessages": ["You do not have permission to create issues in this project."], "errors": {}}, skip=1)
    before = len(jira.records)
    code, out = sync_here(root, env_for(jira), clock, monkeypatch)
    assert code == 1
    expected = "Jira Cloud API tokens expire" if status == 401 else "lacks a permission sync needs"
    # The first item's ticket is in its file; its status, like the others', waits for the next run.
    assert expected in out and "nothing more was sent there (4 item(s) not synced)" in out, out
    sent = jira.records[before:]
    assert sent[-1].status == status and sent[-1].method == "POST"


# -- messages that are true ----------------------------------------------------------------


def test_a_failed_marker_look_up_is_said_once_for_the_destination(tmp_path, jira, clock, monkeypatch):
    pms = many(1, 5)
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": jira_dest(jira)}, **FAST}, pms)
    jira.inject("status", "GET", r"/search/jql$", status=500, times=4)
    code, out = sync_here(root, env_for(jira), clock, monkeypatch)
    assert code == 1
    assert out.count("markers could not be looked up") == 1 and "(5 item(s) without a ticket wait for the next sync)" in out, out
    assert jira.count(method="POST") == 0


def test_a_refused_connection_is_named_and_no_request_is_counted(tmp_path, clock, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    pms = many(1, 2)
    dest = {"type": "jira-dc", "url": f"http://127.0.0.1:{port}", "project": "PAY"}
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": dest}, **FAST}, pms)
    code, out = sync_here(root, {"JIRA_API_TOKEN": "t", "FOLLOWTHROUGH_TODAY": "2026-06-01"}, clock, monkeypatch)
    assert code == 1
    assert "could not connect: connection refused" in out and "requests: 0 read, 0 write" in out, out


def test_items_done_in_their_files_get_no_ticket(tmp_path, github, clock, monkeypatch):
    """A repo adopting sync has items finished long ago: a new, open ticket for each would count
    them as open (the tracker's status wins) and chase their owners."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation", status="done"), Item("pool-size", "Size the pool", status="wont-do"), Item("retry-cap", "Cap retries")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch, "--dry-run")
    assert "would write no state file yet (.followthrough/state.json): nothing is linked; the tickets it would create or link are added to it by the run itself" in out
    assert code == 0 and "would create 1," in out and "2 item(s) without a ticket are done or wont-do in their files: no ticket is made for them" in out, out
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0 and tickets_in(root, pm) == [None, None, "acme/web#1"] and len(github.issues("acme/web")) == 1, out


@pytest.mark.parametrize("kind", ["jira", "github"])
def test_an_assignee_the_tracker_refuses_gets_an_unassigned_ticket_and_a_note(tmp_path, clock, monkeypatch, kind):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation", owner="nia.sme")])
    fake: Any = FakeJira("Cloud", users={}) if kind == "jira" else FakeGitHub(users=("sync-bot",))  # nobody is assignable
    with fake:
        fake.now = lambda: NOON
        dest = jira_dest(fake) if kind == "jira" else gh_dest(fake)
        root = build_repo(tmp_path, {"default": "d", "destinations": {"d": dest}, **FAST}, [pm])
        code, out = sync_here(root, env_for(fake if kind == "jira" else None, fake if kind == "github" else None), clock, monkeypatch)
        assert code == 0, out
        who = "'acc-nia'" if kind == "jira" else "'niasme'"
        assert f"d refused {who} as the assignee (nia.sme's `{'jira' if kind == 'jira' else 'github'}` id in the people directory)" in out
        assert "the create is sent again without an assignee" in out and tickets_in(root, pm) == ["PAY-1" if kind == "jira" else "acme/web#1"]
        made = fake.issues["PAY-1"].assignee if kind == "jira" else fake.issues("acme/web")[0].assignees
        assert not made and fake.count(method="POST", path=r"/issue$|/issues$") == 2


def test_ticket_links_follow_use_directory_urls(tmp_path, github, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    config = root / "mkdocs.yml"
    config.write_text(config.read_text() + "use_directory_urls: false\n")
    assert sync_here(root, env_for(github=github), clock, monkeypatch)[0] == 0
    body = github.issues("acme/web")[0].body
    assert "https://pm.example.com/2026/2026-05-20-payments.html" in body and "2026-05-20-payments/)" not in body


def test_an_unwritable_state_folder_is_said_after_the_summary_with_exit_2(tmp_path, github, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation"), Item("pool-size", "Size the pool")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])

    def break_the_state_folder() -> None:
        shutil.rmtree(root / ".followthrough")
        (root / ".followthrough").write_text("a file where the state folder belongs\n")

    github.inject("call", "POST", r"/repos/acme/web/issues$", after=True, action=break_the_state_folder)
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 2, out
    assert "the tracker state file cannot be written" in out and "internal error" not in out and "FileExistsError" not in out
    assert tickets_in(root, pm) == ["acme/web#1", None]  # the first is in its file; the second was not sent unrecorded
    assert github.count(method="POST") == 1 and "pool-size: not created: a create whose answer is lost could not be recorded" in out
    assert out.index("d (GitHub repo acme/web") < out.rindex("the tracker state file cannot be written")
