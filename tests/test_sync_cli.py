"""`followthrough sync` end to end: the real CLI in a subprocess, the real `jira` and `PyGithub`
clients, loopback Jira (Cloud and Data Center) and GitHub (github.com and Enterprise) fakes."""

from __future__ import annotations

import json

import base64
import os
import signal
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
import yaml

from .fakes import FakeGitHub
from .fakes.jira_server import adf_text
from .fakes.postmortem_repo import GITHUB_LOGINS, Item, Pm, build_repo, many
from .sync_setup import FAST, GH_TOKEN, TODAY, env_for, gh_dest, jira_dest, state, sync, tickets_in, two_items
from followthrough.core.sync.markers import marker_for

# -- create, link, pull, re-run ----------------------------------------------------------


def test_jira_cloud_create_writes_tickets_then_rerun_makes_no_writes_and_keeps_state_bytes(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    first = sync(root, env=env_for(jira))
    assert first.code == 0, first.out + first.err
    assert tickets_in(root, pm) == ["PAY-1", "PAY-2"]
    assert "created postmortems/2026/2026-05-20-payments.md:22: pool-alert -> PAY-1" in first.out
    assert jira.count("write") == 2
    assert state(root)["2026-05-20-payments/pool-alert"] == {
        "assignee": "max.sme",
        "checked": TODAY,
        "done_on": None,
        "due": "2026-06-05",
        "status": "open",
        "ticket": "PAY-1",
        "tracker_status": "To Do",
        "url": f"{jira.url}/browse/PAY-1",
        "pushed_due": "2026-06-05",  # what the create wrote: a later edit of the file is pushed from these
        "pushed_owner": "max.sme",
    }
    state_file = root / ".followthrough" / "state.json"
    files = {p: p.read_bytes() for p in [state_file, root / pm.path]}
    mtime = state_file.stat().st_mtime_ns
    writes = jira.count("write")

    second = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert second.code == 0, second.out + second.err
    assert jira.count("write") == writes  # nothing written to Jira
    assert {p: p.read_bytes() for p in files} == files  # nor to the files
    assert state_file.stat().st_mtime_ns == mtime
    assert "state file: unchanged (2 entries)" in second.out


def test_printed_request_counts_are_what_the_server_saw(tmp_path, jira, github):
    pm_pay = two_items("pay")
    pm_web = two_items("web", teams=("web",), services=("web",))
    trackers = {"default": "pay", "services": {"web": "web"}, "destinations": {"pay": jira_dest(jira), "web": gh_dest(github)}, **FAST}
    root = build_repo(tmp_path, trackers, [pm_pay, pm_web])
    result = sync(root, env=env_for(jira, github))
    assert result.code == 0, result.out + result.err
    jc, gc = jira.counts(), github.counts()
    assert f"requests: {jc['read']} read, {jc['write']} write" in result.out.split("pay (")[1].splitlines()[0]
    assert f"requests: {gc['read']} read, {gc['write']} write" in result.out.split("web (")[1].splitlines()[0]
    assert (jc["write"], gc["write"]) == (2, 2)


def test_jira_cloud_never_uses_the_removed_search(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    assert sync(root, env=env_for(jira)).code == 0
    assert sync(root, "--only", "pull", env=env_for(jira)).code == 0
    assert jira.count(path=r"/search$") == 0  # would be a 410 on Cloud
    assert jira.count(path=r"/rest/api/3/search/jql$") >= 2


def test_jira_data_center_create_and_pull(tmp_path, jira_dc):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "ops", "destinations": {"ops": jira_dest(jira_dc, "OPS")}, **FAST}, [pm])
    result = sync(root, env=env_for(jira_dc))
    assert result.code == 0, result.out + result.err
    assert tickets_in(root, pm) == ["OPS-1", "OPS-2"]
    issue = jira_dc.issues["OPS-1"]
    assert issue.assignee == "acc-max"  # the `jira` id is the username on Data Center
    assert isinstance(issue.description, str) and "[Card payments failed for EU customers|https://pm.example.com/2026/2026-05-20-payments/]" in issue.description
    assert jira_dc.count(path=r"/rest/api/2/search$") >= 1
    jira_dc.transition("OPS-1", "Done", "Done")
    assert sync(root, "--only", "pull", env=env_for(jira_dc)).code == 0
    assert state(root)["2026-05-20-payments/pool-alert"]["status"] == "done"


def test_github_create_link_pull_and_rerun_without_writes(tmp_path, github):
    pm = two_items(teams=("web",))
    root = build_repo(tmp_path, {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, [pm])
    result = sync(root, env=env_for(github=github))
    assert result.code == 0, result.out + result.err
    assert tickets_in(root, pm) == ["acme/web#1", "acme/web#2"]
    issue = github.issues("acme/web")[0]
    assert issue.assignees == ["maxsme"]
    assert issue.labels == ["postmortem", "2026-05-20-payments", "SEV-2"]
    assert f"followthrough-item: 2026-05-20-payments/pool-alert {marker_for('2026-05-20-payments', 'pool-alert')}" in (issue.body or "")
    assert "[Card payments failed for EU customers](https://pm.example.com/2026/2026-05-20-payments/)" in (issue.body or "")
    writes = github.count("write")
    before = (root / ".followthrough" / "state.json").read_bytes()
    again = sync(root, env=env_for(github=github))
    assert again.code == 0 and github.count("write") == writes
    assert (root / ".followthrough" / "state.json").read_bytes() == before


def test_ticket_descriptions_link_the_page_mkdocs_writes_without_directory_urls(tmp_path, github):
    pm = two_items(teams=("web",))
    root = build_repo(tmp_path, {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, [pm], site_url="https://pm.example.com/docs")
    config = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    (root / "mkdocs.yml").write_text(yaml.safe_dump({**config, "use_directory_urls": False}, sort_keys=False), encoding="utf-8")
    result = sync(root, env=env_for(github=github))
    assert result.code == 0, result.out + result.err
    body = github.issues("acme/web")[0].body or ""
    assert "[Card payments failed for EU customers](https://pm.example.com/docs/2026/2026-05-20-payments.html)" in body


def test_github_enterprise_server_under_api_v3(tmp_path):
    with FakeGitHub(prefix="/api/v3", users=("sync-bot", *GITHUB_LOGINS)) as ghes:
        pm = two_items()
        root = build_repo(tmp_path, {"default": "ghe", "destinations": {"ghe": gh_dest(ghes, "acme/ops")}, **FAST}, [pm])
        result = sync(root, env=env_for(github=ghes))
        assert result.code == 0, result.out + result.err
        assert tickets_in(root, pm) == ["acme/ops#1", "acme/ops#2"]
        assert all(r.path.startswith("/api/v3/") for r in ghes.records)


# -- status, batching, drift ---------------------------------------------------------------


def test_jira_statuses_map_by_category_and_resolution(tmp_path, jira):
    pm = Pm("payments", [Item(f"i{n}", f"Fix number {n} of the pool") for n in range(4)])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    assert sync(root, "--only", "create", env=env_for(jira)).code == 0
    done_at = datetime(2026, 5, 30, 9, 0, tzinfo=timezone.utc)
    jira.transition("PAY-1", "In Progress")
    jira.transition("PAY-2", "Done", "Done", when=done_at)
    jira.transition("PAY-3", "Done", "Won't Do", when=done_at)
    result = sync(root, "--only", "pull", env=env_for(jira))
    assert result.code == 0, result.out + result.err
    got = {k.split("/")[1]: (v["status"], v["tracker_status"], v["done_on"]) for k, v in state(root).items()}
    assert got == {
        "i0": ("in-progress", "In Progress", None),
        "i1": ("done", "Done (Done)", "2026-05-30"),
        "i2": ("wont-do", "Done (Won't Do)", "2026-05-30"),
        "i3": ("open", "To Do", None),
    }


def test_a_jira_done_date_is_the_utc_date_of_its_resolution(tmp_path, jira):
    # Jira writes resolutiondate in the user's zone: 23:30 at -05:00 on 31 May is 1 June in UTC,
    # the date GitHub's closed_at (always UTC) would give.
    pm = Pm("payments", [Item("i0", "Fix the pool")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    assert sync(root, "--only", "create", env=env_for(jira)).code == 0
    jira.transition("PAY-1", "Done", "Done", when=datetime(2026, 5, 31, 23, 30, tzinfo=timezone(timedelta(hours=-5))))
    result = sync(root, "--only", "pull", env=env_for(jira))
    assert result.code == 0, result.out + result.err
    assert [v["done_on"] for v in state(root).values()] == ["2026-06-01"]


def test_github_statuses_map_by_state_and_reason(tmp_path, github):
    pm = Pm("web", [Item(f"i{n}", f"Fix number {n} of the pool") for n in range(3)])
    root = build_repo(tmp_path, {"default": "web", "destinations": {"web": gh_dest(github)}, **FAST}, [pm])
    assert sync(root, "--only", "create", env=env_for(github=github)).code == 0
    github.close("acme/web", 1, "completed", when=datetime(2026, 5, 31, tzinfo=timezone.utc))
    github.close("acme/web", 2, "not_planned")
    result = sync(root, "--only", "pull", env=env_for(github=github))
    assert result.code == 0, result.out + result.err
    got = {k.split("/")[1]: (v["status"], v["done_on"]) for k, v in state(root).items()}
    assert got == {"i0": ("done", "2026-05-31"), "i1": ("wont-do", "2026-06-01"), "i2": ("open", None)}


def test_pull_of_250_items_is_batched_per_destination(tmp_path, jira, github):
    pms = many(50, 5)  # 250 items
    for pm in pms[25:]:
        pm.teams, pm.services = ("web",), ("web",)
    trackers = {"default": "pay", "services": {"web": "web"}, "destinations": {"pay": jira_dest(jira), "web": gh_dest(github)}, **FAST}
    root = build_repo(tmp_path, trackers, pms)
    github.add_issue("acme/web", "A pull request that carries the label", labels=("postmortem",), pull=True)
    assert sync(root, "--only", "create", env=env_for(jira, github)).code == 0
    jira.reset_counts()
    github.reset_counts()
    result = sync(root, "--only", "pull", env=env_for(jira, github))
    assert result.code == 0, result.out + result.err
    assert jira.count(path="search/jql") == 2  # 125 keys: ceil(125/100)
    assert jira.counts()["read"] == 4  # + serverInfo + the field list the client reads once
    assert github.count(path=r"/issues$") == 2  # 125 issues + 1 pull request, 100 a page
    assert github.counts()["read"] == 3  # + the repository
    assert len(state(root)) == 250
    assert "acme/web#1" not in {v["ticket"] for v in state(root).values()}  # the pull request is not an item


def test_deleted_jira_key_fails_only_its_item(tmp_path, jira):
    pm = Pm("payments", [Item(f"i{n}", f"Fix number {n} of the pool") for n in range(3)])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    assert sync(root, env=env_for(jira)).code == 0
    jira.delete("PAY-2")
    jira.reset_counts()
    result = sync(root, "--only", "pull", env=env_for(jira))
    assert result.code == 1
    assert "postmortems/2026/2026-05-20-payments.md:28: i1: PAY-2 does not exist" in result.out
    assert jira.count(path="search/jql") == 2  # the 400 names the key; one retry without it
    assert state(root)["2026-05-20-payments/i2"]["ticket"] == "PAY-3"


def test_drift_is_reported_and_nothing_is_overwritten(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    assert sync(root, env=env_for(jira)).code == 0
    jira.set_fields("PAY-1", duedate="2026-07-01", assignee="acc-nia")
    text = (root / pm.path).read_bytes()
    writes = jira.count("write")
    result = sync(root, env=env_for(jira))
    assert result.code == 0, result.out + result.err
    assert "postmortems/2026/2026-05-20-payments.md:25: pool-alert (PAY-1): due 2026-06-05 in the postmortem, 2026-07-01 in pay" in result.out
    assert "postmortems/2026/2026-05-20-payments.md:24: pool-alert (PAY-1): owner max.sme in the postmortem, assigned to nia.sme in pay" in result.out
    assert (root / pm.path).read_bytes() == text
    assert jira.count("write") == writes
    assert state(root)["2026-05-20-payments/pool-alert"]["due"] == "2026-07-01"


# -- never a duplicate ------------------------------------------------------------------


def _popen_sync(root: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWTHROUGH_", "JIRA_", "GITHUB_"))}
    full.update(env)
    return subprocess.Popen([sys.executable, "-m", "followthrough", "sync"], cwd=root, env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("kind", ["jira", "github"])
def test_sync_killed_between_create_and_writeback_links_on_rerun(tmp_path, jira, github, kind):
    fake, create_path = (jira, r"/issue$") if kind == "jira" else (github, r"/repos/acme/web/issues$")
    dest = jira_dest(jira) if kind == "jira" else gh_dest(github)
    pm = Pm("payments", [Item("pool-alert", "Alert when the payments pool is above 90% for five minutes")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": dest}, **FAST}, [pm])
    launched = threading.Event()
    procs: list[subprocess.Popen[str]] = []

    def kill_client() -> None:
        launched.wait(10)
        os.kill(procs[0].pid, signal.SIGKILL)  # the ticket exists; the client never hears of it

    fake.inject("call", "POST", create_path, after=True, action=kill_client)
    procs.append(_popen_sync(root, env_for(jira, github)))
    launched.set()
    procs[0].communicate(timeout=60)
    assert procs[0].returncode == -signal.SIGKILL
    assert tickets_in(root, pm) == [None]
    assert fake.count("write") == 1

    result = sync(root, env=env_for(jira, github))
    assert result.code == 0, result.out + result.err
    expected = "PAY-1" if kind == "jira" else "acme/web#1"
    assert f"linked postmortems/2026/2026-05-20-payments.md:22: pool-alert -> {expected}" in result.out
    assert tickets_in(root, pm) == [expected]
    assert fake.count("write") == 1  # no second ticket
    assert len(jira.issues if kind == "jira" else github.issues("acme/web")) == 1


@pytest.mark.parametrize("fault", [{"kind": "drop"}, {"kind": "status", "status": 500}, {"kind": "status", "status": 503, "retry_after": "0"}])
@pytest.mark.parametrize("kind", ["jira", "github"])
def test_create_that_fails_after_taking_effect_makes_one_ticket(tmp_path, jira, github, kind, fault):
    fake, create_path = (jira, r"/issue$") if kind == "jira" else (github, r"/repos/acme/web/issues$")
    dest = jira_dest(jira) if kind == "jira" else gh_dest(github)
    pm = Pm("payments", [Item("pool-alert", "Alert when the payments pool is above 90% for five minutes"), Item("pool-size", "Size the pool")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": dest}, **FAST}, [pm])
    fake.inject(method="POST", path=create_path, after=True, **fault)
    first = sync(root, env=env_for(jira, github))
    # The outcome is unknown: never sent again in this run (a server may apply it later still).
    assert first.code == 1 and "pool-alert: may have been created, and is not sent again now" in first.out, first.out + first.err
    assert "not created" not in first.out
    pending = json.loads((root / ".followthrough" / "state.json").read_text())["pending"]
    assert list(pending) == ["2026-05-20-payments/pool-alert"] and pending["2026-05-20-payments/pool-alert"]["destination"] == "d"
    assert fake.count("write") == 2  # one create each
    second = sync(root, env=env_for(jira, github))
    assert second.code == 0, second.out + second.err
    assert fake.count("write") == 2  # found by its marker: no second ticket
    assert len(jira.issues if kind == "jira" else github.issues("acme/web")) == 2
    expected = ["PAY-1", "PAY-2"] if kind == "jira" else ["acme/web#1", "acme/web#2"]
    assert tickets_in(root, pm) == expected
    assert f"linked postmortems/2026/2026-05-20-payments.md:22: pool-alert -> {expected[0]}" in second.out
    assert "pending" not in json.loads((root / ".followthrough" / "state.json").read_text())


@pytest.mark.parametrize("kind", ["jira", "github"])
def test_slow_create_that_times_out_makes_one_ticket(tmp_path, jira, github, kind):
    fake, create_path = (jira, r"/issue$") if kind == "jira" else (github, r"/repos/acme/web/issues$")
    dest = jira_dest(jira) if kind == "jira" else gh_dest(github)
    pm = Pm("payments", [Item("pool-alert", "Alert when the payments pool is above 90% for five minutes")])
    # Jira takes fractions of a second; PyGithub only whole seconds, so 1 s there.
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": dest}, **{**FAST, "timeout": 0.5 if kind == "jira" else 1}}, [pm])
    fake.inject("slow", "POST", create_path, after=True, delay=30)
    first = sync(root, env=env_for(jira, github))
    assert first.code == 1 and "may have been created" in first.out and "no answer within" in first.out, first.out
    assert fake.count("write") == 1
    second = sync(root, env=env_for(jira, github))
    assert second.code == 0, second.out + second.err
    assert fake.count("write") == 1
    assert tickets_in(root, pm) == ["PAY-1" if kind == "jira" else "acme/web#1"]


def test_429_with_retry_after_is_waited_out_then_created(tmp_path, jira, monkeypatch):
    """In this process, on a clock that records the waits instead of sleeping them."""
    import io

    from followthrough.cli.main import build_parser
    from followthrough.trackers.redact import Redacting
    from followthrough.trackers.retry import Clock

    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST, "backoff": 5}, [pm])
    jira.inject("status", "POST", r"/issue$", status=429, retry_after="7")
    jira.inject("status", "GET", r"/search/jql$", status=429, retry_after="0")
    waits: list[float] = []
    monkeypatch.chdir(root)
    for name, value in env_for(jira).items():
        monkeypatch.setenv(name, value)
    args = build_parser(["sync"]).parse_args(["sync"])
    out, err = io.StringIO(), io.StringIO()
    code = args.run(args, Redacting(out, []), Redacting(err, []), clock=Clock(sleep=waits.append))
    assert code == 0, out.getvalue() + err.getvalue()
    assert waits == [7.0]  # the Retry-After asked for, not the backoff; a wait of 0 takes no sleep
    assert "retried 2 time(s), waiting up to 7 s (2 as the server asked, by Retry-After)" in out.getvalue()
    assert tickets_in(root, pm) == ["PAY-1", "PAY-2"]
    assert len(jira.issues) == 2


def test_a_rate_limit_that_outlasts_the_retries_stops_the_destination(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    jira.inject("status", "POST", r"/issue$", status=429, retry_after="0", times=4)  # the first item's four attempts
    result = sync(root, env=env_for(jira))
    assert result.code == 1
    assert "pay: Jira at " in result.out and "is still rate-limiting requests after every retry: try later; nothing more was sent there (2 item(s) not synced)" in result.out
    assert jira.count(method="POST") == 4  # a 429 is not applied, so it is retried; then nothing more
    assert tickets_in(root, pm) == [None, None]
    assert "1 failure(s)" in result.err


def test_a_create_the_tracker_refuses_is_not_created_and_the_others_go_on(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    jira.inject("status", "POST", r"/issue$", status=400, body={"errorMessages": [], "errors": {"summary": "Summary is required."}})
    result = sync(root, env=env_for(jira))
    assert result.code == 1
    assert "pool-alert: not created: create a ticket in Jira project PAY" in result.out and "HTTP 400: Summary is required." in result.out
    assert tickets_in(root, pm) == [None, "PAY-1"]  # the other item went on
    assert "pending" not in json.loads((root / ".followthrough" / "state.json").read_text())
    assert "1 failure(s)" in result.err


def test_one_destination_down_does_not_stop_the_others(tmp_path, jira):
    dead = FakeGitHub().start()
    dead_url = dead.api
    dead.stop()
    pm_pay = two_items("pay")
    pm_web = two_items("web", teams=("web",), services=("web",))
    trackers = {"default": "pay", "services": {"web": "web"}, "destinations": {"pay": jira_dest(jira), "web": {"type": "github", "url": dead_url, "repo": "acme/web"}}, **FAST}
    root = build_repo(tmp_path, trackers, [pm_pay, pm_web])
    result = sync(root, env=env_for(jira, GITHUB_TOKEN=GH_TOKEN))
    assert result.code == 1
    assert tickets_in(root, pm_pay) == ["PAY-1", "PAY-2"]
    assert tickets_in(root, pm_web) == [None, None]
    assert "web: open GitHub repo acme/web" in result.out and "connection refused" in result.out
    assert "(2 item(s) not synced)" in result.out


# -- what runs, what is written ---------------------------------------------------------


def test_dry_run_writes_nothing_anywhere(tmp_path, jira, github):
    pm_pay = two_items("pay")
    pm_web = two_items("web", teams=("web",), services=("web",))
    trackers = {"default": "pay", "services": {"web": "web"}, "destinations": {"pay": jira_dest(jira), "web": gh_dest(github)}, **FAST}
    root = build_repo(tmp_path, trackers, [pm_pay, pm_web])
    # One item's ticket already exists (an earlier run was killed): dry-run says it would link it.
    jira.add_issue("PAY", "x", labels=["postmortem", marker_for(pm_pay.id, "pool-size")])
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file()}
    result = sync(root, "--dry-run", env=env_for(jira, github))
    assert result.code == 0, result.out + result.err
    assert "would create postmortems/2026/2026-05-20-pay.md:22: pool-alert -> Jira project PAY" in result.out
    assert "would link postmortems/2026/2026-05-20-pay.md:27: pool-size -> PAY-1 (found by its marker)" in result.out, result.out
    assert "would create postmortems/2026/2026-05-20-web.md:22: pool-alert -> GitHub repo acme/web" in result.out
    assert jira.count("write") == 0 and github.count("write") == 0
    assert {p: p.read_bytes() for p in root.rglob("*") if p.is_file()} == before


def test_only_create_leaves_state_alone_and_only_pull_creates_nothing(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    pulled = sync(root, "--only", "pull", env=env_for(jira))
    assert pulled.code == 0 and "pay: 2 item(s) without a ticket were left for a run without --only pull to link or create" in pulled.out
    assert jira.count("write") == 0 and tickets_in(root, pm) == [None, None]
    assert sync(root, "--only", "create", env=env_for(jira)).code == 0
    assert tickets_in(root, pm) == ["PAY-1", "PAY-2"]
    assert not (root / ".followthrough" / "state.json").exists()
    assert sync(root, "--only", "pull", env=env_for(jira)).code == 0
    assert set(state(root)) == {"2026-05-20-payments/pool-alert", "2026-05-20-payments/pool-size"}


def test_only_mirrored_statuses_are_created_and_lint_errors_are_skipped(tmp_path, jira):
    good = two_items("good")
    draft = two_items("draft", status="draft")
    broken = two_items("broken")
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [good, draft, broken])
    path = root / broken.path
    path.write_text(path.read_text().replace("due: 2026-06-05", "due: next sprint"))
    result = sync(root, env=env_for(jira))
    assert result.code == 1
    assert "postmortems/2026/2026-05-20-broken.md: skipped: 1 lint error(s); run `followthrough lint postmortems/2026/2026-05-20-broken.md`" in result.out
    assert tickets_in(root, good) == ["PAY-1", "PAY-2"]
    assert tickets_in(root, draft) == [None, None]
    assert len(jira.issues) == 2


def test_routing_item_tracker_then_owner_team_then_service_then_default(tmp_path, jira, github):
    pm = Pm(
        "routed",
        [
            Item("by-tracker", "Alert on pool saturation", owner="max.sme", tracker="web"),
            Item("by-team", "Size the pool", owner="max.sme"),  # max.sme is in team payments
            Item("by-service", "Add a dashboard", owner="ana.ic"),  # team sre is not routed; service web is
        ],
        teams=("sre",),
        services=("web",),
    )
    other = Pm("other", [Item("by-default", "Write the runbook", owner="ana.ic")], teams=("sre",), services=("dns",))
    trackers = {
        "default": "ops",
        "teams": {"payments": "pay"},
        "services": {"web": "web"},
        "destinations": {"pay": jira_dest(jira), "ops": jira_dest(jira, "OPS"), "web": gh_dest(github)},
        **FAST,
    }
    root = build_repo(tmp_path, trackers, [pm, other])
    result = sync(root, env=env_for(jira, github))
    assert result.code == 0, result.out + result.err
    assert tickets_in(root, pm) == ["acme/web#1", "PAY-1", "acme/web#2"]
    assert tickets_in(root, other) == ["OPS-1"]


def test_new_ticket_carries_labels_marker_assignee_due_priority_and_links(tmp_path, jira):
    pm = two_items()
    dest = jira_dest(jira, priorities={"P1": "Highest", "P2": "High"})
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": dest}, "file_url": "https://github.com/acme/postmortems/blob/main/", **FAST}, [pm])
    assert sync(root, env=env_for(jira)).code == 0
    issue = jira.issues["PAY-1"]
    marker = marker_for("2026-05-20-payments", "pool-alert")
    assert issue.labels == ["postmortem", "2026-05-20-payments", "SEV-2", marker]
    assert (issue.assignee, issue.duedate, issue.priority) == ("acc-max", "2026-06-05", "Highest")
    doc = issue.description
    links = [m["attrs"]["href"] for p in doc["content"] for n in p["content"] for m in n.get("marks", []) if m["type"] == "link"]
    assert links == ["https://pm.example.com/2026/2026-05-20-payments/", "https://github.com/acme/postmortems/blob/main/postmortems/2026/2026-05-20-payments.md"]
    assert f"followthrough-item: 2026-05-20-payments/pool-alert {marker}" in adf_text(doc)
    assert jira.issues["PAY-2"].priority == "High"


def test_owner_without_tracker_id_is_created_unassigned_with_a_note(tmp_path, jira):
    pm = Pm("payments", [Item("runbook", "Write the pool runbook", owner="dev.deputy")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    result = sync(root, env=env_for(jira))
    assert result.code == 0
    assert "owner 'dev.deputy' has no `jira` id in the people directory; the ticket is left unassigned" in result.out
    assert jira.issues["PAY-1"].assignee is None


def test_environment_overrides_jira_url_and_fills_github_repo(tmp_path, jira, github):
    pm_pay = two_items("pay")
    pm_web = two_items("web", teams=("web",), services=("web",))
    trackers = {
        "default": "pay",
        "services": {"web": "web"},
        "destinations": {
            "pay": {"type": "jira-cloud", "url": "https://wrong.example.invalid", "email": "someone@else", "project": "PAY"},
            "web": {"type": "github", "url": github.api, "seconds_between_requests": 0, "seconds_between_writes": 0},
        },
        **FAST,
    }
    root = build_repo(tmp_path, trackers, [pm_pay, pm_web])
    env = env_for(jira, github, JIRA_BASE_URL=jira.url, JIRA_USER_EMAIL=jira.email, GITHUB_REPOSITORY="acme/ops")
    result = sync(root, env=env)
    assert result.code == 0, result.out + result.err
    assert tickets_in(root, pm_pay) == ["PAY-1", "PAY-2"]
    assert tickets_in(root, pm_web) == ["acme/ops#1", "acme/ops#2"]


def test_github_actions_output_is_grouped(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    result = sync(root, env=env_for(jira, GITHUB_ACTIONS="true"))
    assert result.code == 0
    lines = result.out.splitlines()
    start = lines.index(f"::group::pay: Jira project PAY at {jira.url}")
    end = lines.index("::endgroup::")
    assert start < end and any(line.startswith("created ") for line in lines[start:end])


def test_progress_on_a_terminal(tmp_path, jira):
    import pty

    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    master, slave = pty.openpty()
    full = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWTHROUGH_", "JIRA_", "GITHUB_"))}
    full.update(env_for(jira))
    proc = subprocess.Popen([sys.executable, "-m", "followthrough", "sync"], cwd=root, env=full, stdout=subprocess.PIPE, stderr=slave, text=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    out, _ = proc.communicate(timeout=60)
    os.close(master)
    terminal = b"".join(chunks).decode("utf-8", "replace")
    assert proc.returncode == 0, terminal
    assert "created postmortems/2026/2026-05-20-payments.md:22: pool-alert -> PAY-1" in terminal
    assert "pay (Jira project PAY" in out  # the summary still goes to stdout


# -- secrets and bad settings -----------------------------------------------------------


def test_tokens_never_appear_in_output_even_when_the_server_echoes_them(tmp_path, jira, github):
    secret = "s3cr3t-jira-token-0123456789"
    jira.token = secret
    pm_pay = two_items("pay")
    pm_web = two_items("web", teams=("web",), services=("web",))
    trackers = {"default": "pay", "services": {"web": "web"}, "destinations": {"pay": jira_dest(jira), "web": gh_dest(github)}, **FAST}
    root = build_repo(tmp_path, trackers, [pm_pay, pm_web])
    basic = base64.b64encode(f"{jira.email}:{secret}".encode()).decode()
    jira.inject("status", "POST", r"/issue$", status=400, body={"errorMessages": [f"bad request from {secret} ({basic})"], "errors": {}})
    github.inject("status", "POST", r"/issues$", status=422, body={"message": f"Validation Failed for token {GH_TOKEN}", "errors": []})
    result = sync(root, env=env_for(jira, github, FOLLOWTHROUGH_DEBUG="1"))
    assert result.code == 1
    assert "bad request from ***" in result.out and "Validation Failed for token ***" in result.out
    for value in (secret, basic, GH_TOKEN):
        assert value not in result.out and value not in result.err

    jira.token = "the-token-the-server-wants"  # now ours is refused outright
    refused = sync(root, env=env_for(jira, github, JIRA_API_TOKEN=secret))
    assert refused.code == 1 and "HTTP 401" in refused.out
    for value in (secret, basic):
        assert value not in refused.out and value not in refused.err


def test_missing_token_is_a_failure_naming_the_variable(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    result = sync(root, env={"FOLLOWTHROUGH_TODAY": TODAY})
    assert result.code == 1
    assert "pay: no token: set JIRA_API_TOKEN to an API token for Jira project PAY" in result.out


def test_configuration_errors_exit_2_naming_the_setting(tmp_path, jira):
    pm = two_items()
    root = build_repo(tmp_path, {"default": "nowhere", "destinations": {"pay": {**jira_dest(jira), "projet": "PAY"}}}, [pm])
    result = sync(root, env=env_for(jira))
    assert result.code == 2
    assert "mkdocs.yml: plugins.followthrough.trackers.destinations.pay.projet: not a setting; did you mean 'project'?" in result.err
    assert "plugins.followthrough.trackers.default: 'nowhere' is not one of the destinations ['pay']" in result.err
    empty = build_repo(tmp_path / "empty", {}, [pm])
    result = sync(empty, env=env_for(jira))
    assert result.code == 0 and "no trackers configured" in result.err and "nothing to sync" in result.err
    in_actions = sync(empty, env={**env_for(jira), "GITHUB_ACTIONS": "true"})
    assert in_actions.code == 0 and in_actions.out.startswith("::notice title=Tracker sync skipped::")


def test_ticket_of_no_configured_destination_fails_that_item(tmp_path, jira):
    pm = Pm("payments", [Item("old", "Fix the pool", ticket="ZZZ-9"), Item("new", "Size the pool")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    result = sync(root, env=env_for(jira))
    assert result.code == 1
    assert "old: ticket ZZZ-9: no Jira destination has project ZZZ" in result.out
    assert tickets_in(root, pm) == ["ZZZ-9", "PAY-1"]


def test_a_retry_after_that_is_not_a_number_is_a_plain_backoff(tmp_path, jira):
    # '²' (byte 0xB2 of a latin-1 header) passes str.isdigit but not float(): it was a crash, exit 3.
    pm = two_items()
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    jira.inject("status", "POST", r"/issue$", status=429, retry_after="\u00b2", times=1)
    result = sync(root, env=env_for(jira))
    assert result.code == 0, result.out + result.err
    assert tickets_in(root, pm) == ["PAY-1", "PAY-2"]
