"""The GitHub fake, driven by the real `github.Github` client (github.com and Enterprise Server)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
import requests
from github import Auth, BadCredentialsException, Github, GithubException, UnknownObjectException

from .fakes import FakeGitHub

TOKEN = "gh-test-token"


def client(server: FakeGitHub, per_page: int = 100, timeout: int = 5) -> Github:
    return Github(base_url=server.api, auth=Auth.Token(TOKEN), per_page=per_page, retry=None, timeout=timeout, seconds_between_requests=0, seconds_between_writes=0)


def test_repository_and_user(github):
    gh = client(github)
    repo = gh.get_repo("acme/web")
    assert (repo.full_name, repo.default_branch, repo.has_issues) == ("acme/web", "main", True)
    assert gh.get_user().login == "sync-bot"
    with pytest.raises(UnknownObjectException):
        gh.get_repo("acme/nope")


def test_create_get_edit_close_with_state_reason(github):
    repo = client(github).get_repo("acme/web")
    issue = repo.create_issue(title="Add an alert", body="<!-- marker -->\nDue: 2026-06-05", labels=["postmortem", "SEV-2"], assignees=["anaic"])
    assert (issue.number, issue.state, issue.state_reason, issue.user.login) == (1, "open", None, "sync-bot")
    assert [label.name for label in issue.labels] == ["postmortem", "SEV-2"]
    assert issue.html_url == "https://github.com/acme/web/issues/1"
    issue.edit(state="closed", state_reason="not_planned")
    again = repo.get_issue(1)
    assert (again.state, again.state_reason, again.closed_at) == ("closed", "not_planned", datetime(2026, 6, 1, 12, tzinfo=timezone.utc))
    again.edit(state="open")
    assert repo.get_issue(1).state_reason == "reopened"
    again.edit(body="new body", labels=["postmortem"])
    assert github.issues("acme/web")[0].body == "new body" and github.issues("acme/web")[0].labels == ["postmortem"]


def test_list_by_label_pages_by_link_header_and_mixes_in_pull_requests(github):
    repo = client(github).get_repo("acme/web")
    for n in range(230):
        github.add_issue("acme/web", f"issue {n}", labels=("postmortem",) if n % 2 == 0 else ())
    github.add_issue("acme/web", "a pull request", labels=("postmortem",), pull=True)
    github.reset_counts()
    listed = list(repo.get_issues(state="all", labels=["postmortem"], sort="created", direction="asc"))
    assert len(listed) == 116  # 115 issues and the pull request
    pages = [r for r in github.records if r.path == "/repos/acme/web/issues"]
    assert len(pages) == 2 and pages[1].query["page"] == ["2"]
    assert ["/pull/" in i.html_url for i in listed].count(True) == 1


def test_list_filters_state_creator_assignee_since(github):
    repo = client(github).get_repo("acme/web")
    mine = repo.create_issue(title="by the bot", labels=["postmortem"], assignees=["maxsme"])
    github.add_issue("acme/web", "by someone else", labels=("postmortem",), user="octocat")
    github.close("acme/web", 2, "completed")
    assert [i.number for i in repo.get_issues(labels=["postmortem"])] == [1]  # open by default
    assert [i.number for i in repo.get_issues(state="closed")] == [2]
    assert [i.number for i in repo.get_issues(state="all", creator="sync-bot")] == [mine.number]
    assert [i.number for i in repo.get_issues(state="all", assignee="maxsme")] == [1]
    assert [i.number for i in repo.get_issues(state="all", assignee="none")] == [2]
    assert [i.number for i in repo.get_issues(state="all", since=datetime(2027, 1, 1, tzinfo=timezone.utc))] == []


def test_comments_create_list_edit(github):
    repo = client(github).get_repo("acme/ops")
    issue = repo.create_issue(title="Overdue action items")
    comment = issue.create_comment("first")
    comment.edit("second")
    assert [c.body for c in repo.get_issue(1).get_comments()] == ["second"]
    assert github.comments("acme/ops", 1)[0].body == "second"


def test_validation_errors(github):
    repo = client(github).get_repo("acme/web")
    with pytest.raises(GithubException) as too_long:
        repo.create_issue(title="x", labels=["x" * 51])
    assert too_long.value.status == 422 and too_long.value.data["message"] == "Validation Failed"
    with pytest.raises(GithubException) as stranger:
        repo.create_issue(title="x", assignees=["not-a-collaborator"])
    assert stranger.value.data["errors"][0]["field"] == "assignees"
    assert github.issues("acme/web") == []


def test_deleted_issue_is_gone(github):
    repo = client(github).get_repo("acme/web")
    repo.create_issue(title="x")
    github.delete_issue("acme/web", 1)
    with pytest.raises(GithubException) as gone:
        repo.get_issue(1)
    assert gone.value.status == 410


def test_enterprise_server_prefix(github):
    with FakeGitHub(prefix="/api/v3") as ghes:
        gh = Github(base_url=ghes.api, auth=Auth.Token(TOKEN), retry=None, per_page=100, seconds_between_requests=0, seconds_between_writes=0)
        repo = gh.get_repo("acme/ops")
        repo.create_issue(title="x", labels=["postmortem"])
        assert [i.number for i in repo.get_issues(state="all", labels=["postmortem"])] == [1]
        assert all(r.path.startswith("/api/v3/") for r in ghes.records)
        assert requests.get(f"{ghes.url}/repos/acme/ops", timeout=5).status_code == 401  # no prefix: not the API


def test_bad_token(github):
    gh = Github(base_url=github.api, auth=Auth.Token("nope"), retry=None)
    with pytest.raises(BadCredentialsException):
        gh.get_repo("acme/web")


def test_rate_limit_headers_and_injected_faults(github):
    gh = client(github, timeout=1)
    repo = gh.get_repo("acme/web")
    assert int(gh.rate_limiting[0]) < 5000
    github.inject("status", "POST", r"/issues$", status=403, retry_after="30", body={"message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again."})
    with pytest.raises(GithubException) as limited:
        repo.create_issue(title="x")
    assert limited.value.status == 403 and limited.value.headers["retry-after"] == "30"
    github.inject("status", "POST", r"/issues$", status=500, after=True)
    with pytest.raises(GithubException):
        repo.create_issue(title="x")
    github.inject("drop", "POST", r"/issues$", after=True)
    with pytest.raises(requests.ConnectionError):
        repo.create_issue(title="x")
    github.inject("slow", "POST", r"/issues$", after=True, delay=30)
    with pytest.raises(requests.Timeout):
        repo.create_issue(title="x")
    assert len(github.issues("acme/web")) == 3  # every write whose reply was lost happened
    assert github.count("write") == 4



def test_close_as_a_duplicate_with_a_comment_naming_the_kept_issue(github):
    repo = client(github).get_repo("acme/web")
    kept = repo.create_issue(title="Add an alert", labels=["postmortem"])
    twin = repo.create_issue(title="Add an alert", labels=["postmortem"])
    twin.create_comment(f"Duplicate of #{kept.number}")
    twin.edit(state="closed", state_reason="duplicate")
    again = repo.get_issue(twin.number)
    assert (again.state, again.state_reason, again.closed_by.login) == ("closed", "duplicate", "sync-bot")
    assert [c.body for c in again.get_comments()] == ["Duplicate of #1"]
    listed = {i.number: i.state_reason for i in repo.get_issues(state="all", labels=["postmortem"])}
    assert listed == {1: None, 2: "duplicate"}
    assert [i.number for i in repo.get_issues(state="open", labels=["postmortem"])] == [kept.number]


@pytest.mark.parametrize("reason", ["reopened", "wontfix", ""])
def test_closing_takes_only_github_s_close_reasons(github, reason):
    repo = client(github).get_repo("acme/web")
    issue = repo.create_issue(title="x")
    with pytest.raises(GithubException) as refused:
        issue.edit(state="closed", state_reason=reason)
    assert refused.value.status == 422 and refused.value.data["errors"][0]["field"] == "state_reason"
    assert repo.get_issue(1).state == "open"
    for ok in ("completed", "not_planned", "duplicate"):
        issue.edit(state="closed", state_reason=ok)
        assert repo.get_issue(1).state_reason == ok
        issue.edit(state="open")


def test_a_proxy_login_page_after_five_writes(github):
    repo = client(github).get_repo("acme/web")
    page = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body><form>SSO</form></body></html>"
    github.inject("status", status=200, body=page, headers={"content-type": "text/html; charset=utf-8"}, times=10**6, skip=5, method="POST")
    for n in range(5):
        repo.create_issue(title=f"item {n}")
    answer = requests.post(f"{github.api}/repos/acme/web/issues", json={"title": "sixth"}, headers={"Authorization": f"token {TOKEN}"}, timeout=5)
    assert (answer.status_code, answer.headers["Content-Type"], answer.content) == (200, "text/html; charset=utf-8", page)
    assert len(list(repo.get_issues(state="all"))) == 5  # reads pass; the sixth write never happened
    assert github.count("write") == 6


def test_a_deferred_create_takes_effect_only_when_applied(github):
    repo = client(github).get_repo("acme/web")
    github.inject("defer", "POST", r"/issues$")
    with pytest.raises(requests.ConnectionError):
        repo.create_issue(title="late", labels=["postmortem"])
    assert github.issues("acme/web") == [] and github.deferred == 1
    assert list(repo.get_issues(state="all")) == []
    assert github.apply_deferred() == 1
    (late,) = github.issues("acme/web")
    assert (late.title, late.user, late.labels) == ("late", "sync-bot", ["postmortem"])
    assert github.apply_deferred() == 0
    assert [(r.method, r.status, r.fault) for r in github.records if r.method == "POST"] == [("POST", 0, "defer")]
