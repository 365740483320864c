"""Adversarial cases of sync's convergence: ref forms, duplicates a workflow or a permission
will not close, damaged pending records, dry runs over pending creates."""

from __future__ import annotations

import json
import re

import pytest

from .conftest import NOON
from .fakes import FakeJira
from .fakes.postmortem_repo import JIRA_IDS, Item, Pm, build_repo, many
from .sync_setup import FAST, env_for, gh_dest, jira_dest, tickets_in, one_item_jira
from .test_sync_convergence import FakeClock, assert_converged, github_tickets, jira_tickets, state_file, sync_here
from followthrough.core.sync.markers import hidden_marker, marker_for


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _name_ticket(root, pm, title, ref):
    path = root / pm.path
    path.write_text(path.read_text().replace(f'    title: "{title}"\n', f'    title: "{title}"\n    ticket: "{ref}"\n'))


def test_a_jira_transition_that_needs_other_fields_falls_back_to_the_label_and_comments_once(tmp_path, clock, monkeypatch):
    with one_item_jira(tmp_path) as (fake, pm, root):
        marker = marker_for(pm.id, "pool-alert")
        for _ in range(2):
            fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker])
        # The workflow's screen for the transition asks for a field sync does not know of.
        fake.inject("status", "POST", r"/transitions$", status=400, body={"errorMessages": [], "errors": {"customfield_10010": "Root cause is required."}}, times=10**6)
        for _ in range(2):
            code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0, out
        assert len(fake.comments_of("PAY-2")) == 1, fake.comments_of("PAY-2")
        assert "followthrough-duplicate" in fake.issues["PAY-2"].labels
        assert_converged(root, [pm], jira_tickets(fake))


def test_a_comment_refused_on_a_github_duplicate_still_closes_it(tmp_path, github, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    for _ in range(2):
        github.add_issue("acme/web", "Alert on pool saturation", body=hidden_marker(pm.id, "pool-alert"), labels=("postmortem",))
    # A locked issue: only collaborators may comment on it.
    github.inject("status", "POST", r"/issues/2/comments$", status=403, body={"message": "Unable to create comment because issue is locked."}, times=10**6)
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0, out
    assert "closed acme/web#2 as a duplicate of acme/web#1; the comment naming #1 could not be added" in out
    assert github.issues("acme/web")[1].state_reason == "duplicate"
    assert_converged(root, [pm], github_tickets(github))
    posts = github.count(method="POST")
    assert sync_here(root, env_for(github=github), clock, monkeypatch)[0] == 0 and github.count(method="POST") == posts


def test_a_comment_refused_on_a_jira_duplicate_still_closes_it(tmp_path, jira, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    marker = marker_for(pm.id, "pool-alert")
    for _ in range(2):
        jira.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker])
    jira.inject("status", "POST", r"/comment$", status=403, body={"errorMessages": ["You do not have the permission to comment on this issue."], "errors": {}}, times=10**6)
    code, out = sync_here(root, env_for(jira), clock, monkeypatch)
    assert code == 0, out
    assert "closed PAY-2 as a duplicate of PAY-1; the comment naming the kept ticket could not be added" in out
    assert jira.issues["PAY-2"].resolution == "Duplicate"
    assert_converged(root, [pm], jira_tickets(jira))


@pytest.mark.parametrize("setting", ["settle_minutes", "max_wait", "backoff", "timeout"])
@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_a_setting_that_is_not_a_finite_number_is_refused_before_any_request(tmp_path, github, clock, monkeypatch, setting, value):
    """`.nan` or `.inf` in YAML: a pending create that never settles, or a wait that never ends."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST, setting: value}, [pm])
    before = len(github.records)
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 2 and setting in out and "finite" in out, out
    assert len(github.records) == before


def test_a_ticket_moved_to_another_project_is_not_closed_as_a_duplicate_of_its_old_key(tmp_path, jira, clock, monkeypatch):
    """Moving an issue (or renaming a project) gives it a new key; the old key in the file
    still finds it, and the marker look-up finds it under the new one: it is the same ticket."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation"), Item("pool-size", "Size the pool")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    assert sync_here(root, env_for(jira), clock, monkeypatch)[0] == 0
    assert tickets_in(root, pm) == ["PAY-1", "PAY-2"]
    jira.move("PAY-1", "OPS")
    code, out = sync_here(root, env_for(jira), clock, monkeypatch)
    assert code == 0, out
    assert "duplicate" not in out and jira.issues["OPS-1"].status == "To Do" and jira.comments_of("OPS-1") == []
    assert jira.count(method="POST", path=r"/transitions$|/comment$") == 0


def test_a_deleted_named_ticket_does_not_get_the_only_other_ticket_closed(tmp_path, jira, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira)}, **FAST}, [pm])
    marker = marker_for(pm.id, "pool-alert")
    for _ in range(2):
        jira.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker])
    _name_ticket(root, pm, "Alert on pool saturation", "PAY-1")
    jira.delete("PAY-1")
    code, out = sync_here(root, env_for(jira), clock, monkeypatch)
    assert code == 1 and "PAY-1 does not exist" in out, out
    assert "duplicate" not in out and jira.issues["PAY-2"].status == "To Do"


# -- probes: each held when written; kept as tests of the promises they check ------------------


def _tree(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and ".git/" not in p.as_posix()}


def test_sixty_fresh_tickets_on_a_lagging_search_are_all_read_back(tmp_path, clock, monkeypatch):
    with FakeJira("Cloud", users={v: k for k, v in JIRA_IDS.items()}, search_lag=3.0, clock=clock.now) as fake:
        fake.now = lambda: NOON
        pms = many(3, 20)
        root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(fake)}, **FAST}, pms)
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0 and "pulled 60 (60 changed), failed 0" in out, out
        assert len(state_file(root)["items"]) == 60


def test_a_dry_run_over_pending_creates_and_duplicates_writes_nothing(tmp_path, github, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation"), Item("pool-size", "Size the pool")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    github.inject("drop", "POST", r"/repos/acme/web/issues$", after=True, skip=1)
    assert sync_here(root, env_for(github=github), clock, monkeypatch)[0] == 1  # the second is pending
    github.add_issue("acme/web", "Alert on pool saturation", body=hidden_marker(pm.id, "pool-alert"), labels=("postmortem",))
    before, writes = _tree(root), github.count("write")
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch, "--dry-run")
    assert code == 0, out
    assert "would link" in out and "would close acme/web#3 as a duplicate of acme/web#1" in out, out
    assert _tree(root) == before and github.count("write") == writes


def test_a_malformed_pending_entry_names_the_file_and_the_recovery(tmp_path, github, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    (root / ".followthrough").mkdir(exist_ok=True)
    (root / ".followthrough" / "state.json").write_text(json.dumps({"version": 1, "items": {}, "pending": {"2026-05-20-payments/pool-alert": {"destination": "d", "since": "yesterday"}}}))
    before = len(github.records)
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 2 and ".followthrough/state.json" in out and "--rebuild-state" in out and "pool-alert" in out, out
    assert len(github.records) == before
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch, "--rebuild-state")
    assert code == 0 and tickets_in(root, pm) == ["acme/web#1"], out


@pytest.mark.parametrize("written", ["#2", "acme/web#2", "ACME/Web#2", "https://github.com/acme/web/issues/2"])
def test_github_refs_in_every_form_keep_their_ticket(tmp_path, github, clock, monkeypatch, written):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation"), Item("pool-size", "Size the pool")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    for _ in range(2):
        github.add_issue("acme/web", "Alert on pool saturation", body=hidden_marker(pm.id, "pool-alert"), labels=("postmortem",))
    _name_ticket(root, pm, "Alert on pool saturation", written)
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0 and "closed acme/web#1 as a duplicate of" in out, out
    assert [i.state for i in github.issues("acme/web")] == ["closed", "open", "open"]
    for _ in range(2):
        code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
        assert code == 0 and "duplicate" not in out.split("state file")[0].split("\n", 2)[-1], out


def test_a_path_run_keeps_the_pending_creates_of_other_postmortems(tmp_path, github, clock, monkeypatch):
    a = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    b = Pm("search", [Item("index-alert", "Alert on index lag")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [a, b])
    github.inject("defer", "POST", r"/repos/acme/web/issues$")
    assert sync_here(root, env_for(github=github), clock, monkeypatch, str(root / a.path))[0] == 1
    assert list(state_file(root)["pending"]) == ["2026-05-20-payments/pool-alert"]
    assert sync_here(root, env_for(github=github), clock, monkeypatch, str(root / b.path))[0] == 0
    assert list(state_file(root)["pending"]) == ["2026-05-20-payments/pool-alert"]
    github.apply_deferred()
    assert sync_here(root, env_for(github=github), clock, monkeypatch)[0] == 0
    assert "pending" not in state_file(root) and tickets_in(root, a) == ["acme/web#2"] and tickets_in(root, b) == ["acme/web#1"]


def test_a_named_ticket_marked_as_a_duplicate_elsewhere_does_not_get_the_open_one_closed(tmp_path, clock, monkeypatch):
    """Two checkouts each linked one of two tickets; the other checkout's run, on a workflow that
    cannot close duplicates, relabelled the one this file names. Closing the open one would leave none."""
    with one_item_jira(tmp_path, transitions={"Start": "In Progress", "Finish": "Done"}) as (fake, pm, root):
        fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", "followthrough-duplicate"])
        fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker_for(pm.id, "pool-alert")])
        _name_ticket(root, pm, "Alert on pool saturation", "PAY-1")
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0, out
        # The item moves to the open ticket that carries its marker; nothing is closed.
        assert "named PAY-1, which is a duplicate; now names PAY-2, which carries its marker and is open" in out, out
        assert tickets_in(root, pm) == ["PAY-2"]
        assert json.loads((root / ".followthrough" / "state.json").read_text())["items"][f"{pm.id}/pool-alert"]["ticket"] == "PAY-2"
        assert fake.issues["PAY-2"].labels == ["postmortem", marker_for(pm.id, "pool-alert")] and fake.comments_of("PAY-2") == []


def test_a_duplicate_closed_a_moment_ago_is_not_closed_again_through_a_lagging_search(tmp_path, clock, monkeypatch):
    with one_item_jira(tmp_path, search_lag=3.0, clock=clock.now) as (fake, pm, root):
        marker = marker_for(pm.id, "pool-alert")
        for _ in range(2):
            fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker])
        fake.settle()
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0 and "closed PAY-2 as a duplicate of PAY-1" in out, out
        writes = fake.count("write")
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)  # at once: the search still shows PAY-2 open
        assert code == 0, out
        assert "duplicate" not in out.split("state file")[0].split("\n", 2)[-1], out
        assert fake.count("write") == writes and len(fake.comments_of("PAY-2")) == 1
        assert fake.issues["PAY-2"].labels == ["postmortem", marker] and fake.issues["PAY-2"].resolution == "Duplicate"


def test_a_pending_create_survives_a_run_that_skips_its_postmortem_for_lint_errors(tmp_path, github, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    github.inject("defer", "POST", r"/repos/acme/web/issues$")
    assert sync_here(root, env_for(github=github), clock, monkeypatch)[0] == 1
    path = root / pm.path
    good = path.read_text()
    path.write_text(good.replace("owner: max.sme", "owner: nobody.known"))  # a lint error: the postmortem is skipped
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 1 and "lint error" in out, out
    assert list(state_file(root)["pending"]) == ["2026-05-20-payments/pool-alert"]
    github.apply_deferred()
    path.write_text(good)
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0 and "linked " in out and github.count(method="POST") == 1, out
    assert "pending" not in state_file(root)


def test_a_path_run_never_closes_a_ticket_another_postmortem_names_as_a_short_github_ref(tmp_path, github, clock, monkeypatch):
    """The state file keeps `ticket:` as written (`#1`); the claims of postmortems a PATH run
    does not read must still match the look-up's `acme/web#1`."""
    a = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    b = Pm("search", [Item("index-alert", "Alert on index lag")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [a, b])
    github.add_issue("acme/web", "Alert on pool saturation", body=hidden_marker(a.id, "pool-alert"), labels=("postmortem",))
    github.add_issue("acme/web", "Pool alerts, tracked by hand", body="by hand", labels=("postmortem",))
    _name_ticket(root, a, "Alert on pool saturation", "#2")
    _name_ticket(root, b, "Alert on index lag", "#1")  # the search postmortem's item is tracked in #1 too
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0 and "duplicate" not in out.split("state file")[0].split("\n", 2)[-1], out
    assert "state file: updated (2 entries)" in out  # `#1` and `#2` are the tickets the items name, not stale entries
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch, str(root / a.path))
    assert code == 0 and "state file: unchanged (2 entries)" in out, out
    assert [i.state for i in github.issues("acme/web")] == ["open", "open"], out


@pytest.mark.parametrize("named", [True, False])
def test_a_kept_ticket_closed_elsewhere_a_moment_ago_does_not_get_the_other_closed_through_a_lagging_search(tmp_path, clock, monkeypatch, named):
    """Another checkout kept PAY-2 and closed PAY-1 as its duplicate a moment ago; Cloud's search
    still shows PAY-1 open. Keeping PAY-1 here and closing PAY-2 would leave the item none open."""
    with one_item_jira(tmp_path, search_lag=3.0, clock=clock.now) as (fake, pm, root):
        marker = marker_for(pm.id, "pool-alert")
        for _ in range(2):
            fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker])
        fake.settle()
        if named:
            _name_ticket(root, pm, "Alert on pool saturation", "PAY-1")
        fake.transition("PAY-1", "Won't Do", "Duplicate")  # the other checkout's run
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        # Decided again on the tickets as they are now: PAY-2 is the live one, and nothing is closed.
        assert code == 0 and fake.issues["PAY-2"].status == "To Do" and fake.comments_of("PAY-2") == [], out
        assert tickets_in(root, pm) == ["PAY-2"] and "closed PAY-2" not in out
        clock.sleep(5)  # the search has caught up
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0 and fake.issues["PAY-2"].status == "To Do" and tickets_in(root, pm) == ["PAY-2"], out


def test_removing_an_item_without_id_does_not_close_its_ticket_as_a_duplicate_of_the_next(tmp_path, github, clock, monkeypatch):
    """Ids by position: with the first item removed, the second becomes item-1 and finds the
    removed item's ticket by that marker. It names its own ticket, made for item-2: no duplicate."""

    pm = Pm("payments", [Item("a", "First item"), Item("b", "Second item"), Item("c", "Third item")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    path = root / pm.path
    path.write_text(re.sub(r"  - id: \w\n    ", "  - ", path.read_text()))
    assert sync_here(root, env_for(github=github), clock, monkeypatch)[0] == 0
    text = path.read_text()
    path.write_text(text[: text.index('  - title: "First item"')] + text[text.index('  - title: "Second item"') :])
    for _ in range(2):
        code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
        assert code == 0 and "closed" not in out, out
        assert "names acme/web#2, which carries another item's marker; acme/web#1 carries this item's and is left open" in out
    assert [i.state for i in github.issues("acme/web")] == ["open", "open", "open"]


def test_a_duplicate_transition_that_does_not_close_is_not_taken(tmp_path, clock, monkeypatch):
    """`duplicate_transitions` names a transition into an open status: taking it would close
    nothing and be taken again by every run; the duplicate is relabelled instead."""
    with one_item_jira(tmp_path, transitions={"Duplicate": "In Progress", "Finish": "Done"}) as (fake, pm, root):
        for _ in range(2):
            fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker_for(pm.id, "pool-alert")])
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0 and "marked PAY-2 as a duplicate of PAY-1" in out, out
        assert fake.issues["PAY-2"].status == "To Do" and "followthrough-duplicate" in fake.issues["PAY-2"].labels
        writes = fake.count("write")
        assert sync_here(root, env_for(fake), clock, monkeypatch)[0] == 0 and fake.count("write") == writes


# -- review: items finished in their files, assignee retries, relinks ------------------------------


def _set_status(root, pm, title, status):
    path = root / pm.path
    path.write_text(path.read_text().replace(f'    title: "{title}"\n', f'    title: "{title}"\n    status: {status}\n'))


def test_an_item_marked_done_while_its_create_is_pending_is_still_linked_to_the_ticket(tmp_path, github, clock, monkeypatch):
    """A create whose reply was lost made a ticket; the owner then marks the item done before
    the next sync. That ticket carries the item's marker: it is linked (and its open status
    reported as drift), not left open with no item naming it, and no ticket is made."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    github.inject("drop", "POST", r"/repos/acme/web/issues$", after=True)
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 1 and "may have been created" in out, out
    _set_status(root, pm, "Alert on pool saturation", "done")
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert tickets_in(root, pm) == ["acme/web#1"], out
    assert len(github.issues("acme/web")) == 1
    assert_converged(root, [pm], github_tickets(github))
    assert "pending" not in state_file(root)


def test_an_item_done_without_a_ticket_and_none_found_gets_none_and_its_pending_create_waits(tmp_path, clock, monkeypatch):
    """On a lagging search a pending create not found yet is not forgotten because the item was
    marked done: the next run, once the search has caught up, links it."""
    with FakeJira("Cloud", users={v: k for k, v in JIRA_IDS.items()}, search_lag=3.0, clock=clock.now) as lagging:
        lagging.now = lambda: NOON
        pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
        root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(lagging)}, **FAST}, [pm])
        lagging.inject("drop", "POST", r"/issue$", after=True)
        assert sync_here(root, env_for(lagging), clock, monkeypatch)[0] == 1
        _set_status(root, pm, "Alert on pool saturation", "done")
        code, out = sync_here(root, env_for(lagging), clock, monkeypatch)
        assert tickets_in(root, pm) == [None] and lagging.count(method="POST", path=r"/issue$") == 1, out
        clock.sleep(60)  # the search has caught up
        code, out = sync_here(root, env_for(lagging), clock, monkeypatch)
        assert tickets_in(root, pm) == ["PAY-1"] and len(lagging.issues) == 1, out


def test_an_item_marked_done_whose_pending_create_made_nothing_gets_no_ticket(tmp_path, github, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    github.inject("drop", "POST", r"/repos/acme/web/issues$")  # lost before it took effect
    assert sync_here(root, env_for(github=github), clock, monkeypatch)[0] == 1
    _set_status(root, pm, "Alert on pool saturation", "done")
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0 and "is done in its file and its earlier create made no ticket: none is made" in out, out
    assert tickets_in(root, pm) == [None] and github.issues("acme/web") == [] and "pending" not in state_file(root)
    assert github.count(method="POST") == 1


def test_an_unassigned_retry_whose_reply_is_lost_is_said_as_such_and_linked_by_a_later_run(tmp_path, clock, monkeypatch):
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation", owner="nia.sme")])
    with FakeJira("Cloud", users={}, search_lag=3.0, clock=clock.now) as fake:  # nobody is assignable
        fake.now = lambda: NOON
        root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(fake)}, **FAST}, [pm])
        fake.inject("drop", "POST", r"/issue$", after=True, skip=1)  # the unassigned retry is made; its reply is lost
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 1 and "may have been created, and is not sent again now" in out, out
        assert fake.count(method="POST", path=r"/issue$") == 2 and len(fake.issues) == 1
        # The retry's outcome is unknown: the note says what was done, not that a ticket was made.
        assert "the create is sent again without an assignee" in out and "made unassigned" not in out
        for _ in range(2):
            code, out = sync_here(root, env_for(fake), clock, monkeypatch)
            clock.sleep(60)
        assert code == 0 and tickets_in(root, pm) == ["PAY-1"] and len(fake.issues) == 1, out
        assert_converged(root, [pm], jira_tickets(fake))


def test_a_ticket_another_machine_closed_after_the_listing_is_not_kept_while_its_duplicate_is_closed(tmp_path, github, clock, monkeypatch):
    """Machine A names #1 and machine B #2. B closes #1 as a duplicate of #2 just after A read
    the listing, which still shows #1 open: A closing #2 on that would leave the item no open
    ticket (and a wont-do status). Read again before closing, #2 is the live one: A moves to it."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    for _ in range(2):
        github.add_issue("acme/web", "Alert on pool saturation", body=hidden_marker(pm.id, "pool-alert"), labels=("postmortem",))
    _name_ticket(root, pm, "Alert on pool saturation", "acme/web#1")
    github.inject("call", "GET", r"/repos/acme/web/issues$", after=True, action=lambda: github.close("acme/web", 1, "duplicate"))
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0 and "now names acme/web#2, which carries its marker and is open" in out, out
    assert [i.state for i in github.issues("acme/web")] == ["closed", "open"] and tickets_in(root, pm) == ["acme/web#2"]
    assert state_file(root)["items"][f"{pm.id}/pool-alert"]["status"] == "open"
    writes = github.count("write")
    code, out = sync_here(root, env_for(github=github), clock, monkeypatch)
    assert code == 0 and github.count("write") == writes and tickets_in(root, pm) == ["acme/web#2"], out


def test_a_jira_data_center_ticket_closed_elsewhere_after_the_look_up_is_not_kept_while_its_duplicate_is_closed(tmp_path, jira_dc, clock, monkeypatch):
    """As on GitHub: Data Center's search is consistent, but it was read before the close."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
    root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(jira_dc)}, **FAST}, [pm])
    for _ in range(2):
        jira_dc.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker_for(pm.id, "pool-alert")])
    _name_ticket(root, pm, "Alert on pool saturation", "PAY-1")
    jira_dc.inject("call", None, r"/search$", after=True, action=lambda: jira_dc.transition("PAY-1", "Done", resolution="Duplicate"))
    code, out = sync_here(root, env_for(jira_dc), clock, monkeypatch)
    assert code == 0 and "now names PAY-2, which carries its marker and is open" in out, out
    assert jira_dc.issues["PAY-2"].status == "To Do" and tickets_in(root, pm) == ["PAY-2"]


def test_a_move_off_a_duplicate_that_cannot_be_read_again_keeps_the_items_state_entry(tmp_path, clock, monkeypatch):
    """The item names PAY-1, closed as a duplicate; PAY-2 carries its marker and is open. When
    the tickets cannot be read again on a lagging search, the item is not moved, and PAY-1's
    status is not recorded for it either: the item is not wont-do, its work goes on in PAY-2."""
    with one_item_jira(tmp_path, search_lag=3.0, clock=clock.now) as (fake, pm, root):
        assert sync_here(root, env_for(fake), clock, monkeypatch)[0] == 0
        entry = state_file(root)["items"][f"{pm.id}/pool-alert"]
        fake.add_issue("PAY", "Alert on pool saturation", labels=["postmortem", marker_for(pm.id, "pool-alert")])
        fake.transition("PAY-1", "Done", resolution="Duplicate")
        clock.sleep(10)  # the search shows both
        # The marker look-up answers; the read again fails, all 4 attempts (FAST: 3 retries).
        fake.inject("status", None, r"/search", status=503, skip=1, times=4)
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0 and "not moved from PAY-1 (a duplicate) to PAY-2: they could not be read again" in out, out
        assert tickets_in(root, pm) == ["PAY-1"] and state_file(root)["items"][f"{pm.id}/pool-alert"] == entry
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0 and tickets_in(root, pm) == ["PAY-2"] and state_file(root)["items"][f"{pm.id}/pool-alert"]["status"] == "open", out


def test_a_ticket_an_item_of_another_jira_destination_names_is_not_linked_to_a_second_item(tmp_path, jira, clock, monkeypatch):
    """Two destinations on one Jira site, and the marker look-up searches every project: OPS-1,
    which carries pool-size's marker, is named by pool-alert (routed to ops). pool-size, routed
    to pay, must not be linked to it too."""
    pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation", tracker="ops", ticket="OPS-1"), Item("pool-size", "Size the pool")])
    dests = {"pay": jira_dest(jira), "ops": jira_dest(jira, "OPS")}
    root = build_repo(tmp_path, {"default": "pay", "destinations": dests, **FAST}, [pm])
    jira.add_issue("OPS", "Size the pool", labels=["postmortem", marker_for(pm.id, "pool-size")])
    code, out = sync_here(root, env_for(jira), clock, monkeypatch)
    assert tickets_in(root, pm)[0] == "OPS-1" and tickets_in(root, pm)[1] != "OPS-1", out
    assert jira.issues["OPS-1"].status == "To Do"


def test_a_rebuild_of_a_state_file_with_conflict_markers_keeps_the_pending_creates_of_both_sides(tmp_path, clock, monkeypatch):
    """The conflict message offers --rebuild-state; on a lagging search, forgetting a create
    whose reply was lost would have the rebuild create its ticket a second time."""
    with FakeJira("Cloud", users={v: k for k, v in JIRA_IDS.items()}, search_lag=3.0, clock=clock.now) as fake:
        fake.now = lambda: NOON
        pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation"), Item("pool-size", "Size the pool")])
        root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(fake)}, **FAST}, [pm])
        fake.inject("drop", "POST", r"/issue$", after=True, times=2)
        assert sync_here(root, env_for(fake), clock, monkeypatch)[0] == 1
        path = root / ".followthrough" / "state.json"
        doc = json.loads(path.read_text())
        assert len(doc["pending"]) == 2
        # Two machines each recorded one of the lost creates; git's merge left both sides, in diff3 form.
        keys = sorted(doc["pending"])
        sides = [json.dumps({**doc, "pending": {k: doc["pending"][k]}}, indent=2) + "\n" for k in keys]
        path.write_text(f"<<<<<<< HEAD\n{sides[0]}||||||| base\n{json.dumps(doc)}\n=======\n{sides[1]}>>>>>>> theirs\n")
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 2 and "--rebuild-state" in out, out
        code, out = sync_here(root, env_for(fake), clock, monkeypatch, "--rebuild-state")
        assert "keeping its 2 pending create(s)" in out and len(fake.issues) == 2, out
        clock.sleep(60)
        code, out = sync_here(root, env_for(fake), clock, monkeypatch)
        assert code == 0 and tickets_in(root, pm) == ["PAY-1", "PAY-2"] and len(fake.issues) == 2, out
