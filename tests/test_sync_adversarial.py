"""Adversarial cases of sync's convergence: ref forms, duplicates a workflow or a permission
will not close, damaged pending records, dry runs over pending creates."""

from __future__ import annotations

import pytest

from .conftest import NOON
from .fakes import FakeJira
from .fakes.postmortem_repo import JIRA_IDS, Item, Pm, build_repo
from .sync_setup import FAST, env_for, gh_dest, jira_dest, tickets_in
from .test_sync_convergence import assert_converged, clock, github_tickets, jira_tickets, sync_here  # noqa: F401 - clock is a fixture
from followthrough.core.sync.markers import hidden_marker, marker_for


def _name_ticket(root, pm, title, ref):
    path = root / pm.path
    path.write_text(path.read_text().replace(f'    title: "{title}"\n', f'    title: "{title}"\n    ticket: "{ref}"\n'))


def test_a_jira_transition_that_needs_other_fields_falls_back_to_the_label_and_comments_once(tmp_path, clock, monkeypatch):
    with FakeJira("Cloud", users={v: k for k, v in JIRA_IDS.items()}) as fake:
        fake.now = lambda: NOON
        pm = Pm("payments", [Item("pool-alert", "Alert on pool saturation")])
        root = build_repo(tmp_path, {"default": "pay", "destinations": {"pay": jira_dest(fake)}, **FAST}, [pm])
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
