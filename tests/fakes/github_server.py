"""A stateful loopback GitHub REST API (github.com, or GitHub Enterprise Server under /api/v3).

Serves what `github.Github` calls to work with issues: the authenticated user, repositories,
issues (create, get, edit, close with a `state_reason` of completed, not_planned or
duplicate, list with the `labels`, `state`, `creator`, `assignee`, `sort`, `direction`,
`since` filters and `Link`-header pagination, pull requests mixed in as the real `/issues`
does), comments, labels and assignees. Bodies follow the schemas of
github/rest-api-description (`issue`, `simple-user`, `label`, `issue-comment`,
`full-repository`); errors are {message, documentation_url[, errors]}. For sync's pushes (at the
end of the file): push access (without it label and assignee changes are dropped silently) and
organization issue fields with their per-issue values (`issue-field`, `issue-field-value`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlencode

from .httpserver import FakeServer, HttpError, Request, Response

DOCS = "https://docs.github.com/rest"
MAX_LABEL = 50
CLOSE_REASONS = ("completed", "not_planned", "duplicate")


@dataclass
class GhComment:
    id: int
    issue: int
    body: str
    user: str
    created_at: datetime
    updated_at: datetime


@dataclass
class GhIssue:
    id: int
    number: int
    title: str
    body: str | None
    user: str
    labels: list[str] = field(default_factory=list)
    assignees: list[str] = field(default_factory=list)
    state: str = "open"
    state_reason: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    closed_at: datetime | None = None
    closed_by: str | None = None
    is_pull: bool = False
    deleted: bool = False


@dataclass
class GhRepo:
    id: int
    full_name: str
    issues: dict[int, GhIssue] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower-cased name -> label
    comments: dict[int, GhComment] = field(default_factory=dict)
    assignable: set[str] = field(default_factory=set)
    next_number: int = 1


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def _parse_iso(text: str) -> datetime:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise HttpError(422, {"message": f"Invalid value for since: {text!r}", "documentation_url": DOCS}) from None


class FakeGitHub(FakeServer):
    """`prefix` is "" for github.com and "/api/v3" for GitHub Enterprise Server."""

    def __init__(
        self,
        *,
        prefix: str = "",
        tokens: dict[str, str] | None = None,
        repos: tuple[str, ...] = ("acme/ops", "acme/web"),
        users: tuple[str, ...] = ("sync-bot", "anaic", "maxsme", "octocat"),
        html_base: str = "https://github.com",
    ) -> None:
        super().__init__()
        self.prefix = prefix.rstrip("/")
        self.tokens = dict(tokens or {"gh-test-token": "sync-bot"})
        self.users = {login: 1000 + i for i, login in enumerate(users)}
        self.html_base = html_base.rstrip("/")
        self.repos: dict[str, GhRepo] = {}
        self._next_id = 5000000
        self._remaining = 5000
        for name in repos:
            self.add_repo(name)
        self._sync_state()
        p = re.escape(self.prefix)
        repo = f"{p}/repos/(?P<owner>[^/]+)/(?P<name>[^/]+)"
        self.route("GET", f"{p}/user", self.user_me)
        self.route("GET", f"{p}/users/(?P<login>[^/]+)", self.user_get)
        self.route("GET", f"{p}/rate_limit", self.rate_limit)
        self.route("GET", repo, self.repo_get)
        self.route("GET", f"{repo}/issues", self.issues_list)
        self.route("POST", f"{repo}/issues", self.issue_create)
        self.route("GET", f"{repo}/issues/comments/(?P<cid>[0-9]+)", self.comment_get)
        self.route("PATCH", f"{repo}/issues/comments/(?P<cid>[0-9]+)", self.comment_edit)
        self.route("DELETE", f"{repo}/issues/comments/(?P<cid>[0-9]+)", self.comment_delete)
        self.route("GET", f"{repo}/issues/(?P<number>[0-9]+)", self.issue_get)
        self.route("PATCH", f"{repo}/issues/(?P<number>[0-9]+)", self.issue_edit)
        self.route("GET", f"{repo}/issues/(?P<number>[0-9]+)/comments", self.comments_list)
        self.route("POST", f"{repo}/issues/(?P<number>[0-9]+)/comments", self.comment_create)
        self.route("GET", f"{repo}/issues/(?P<number>[0-9]+)/labels", self.issue_labels)
        self.route("POST", f"{repo}/issues/(?P<number>[0-9]+)/labels", self.issue_labels_add)
        self.route("PUT", f"{repo}/issues/(?P<number>[0-9]+)/labels", self.issue_labels_set)
        self.route("DELETE", f"{repo}/issues/(?P<number>[0-9]+)/labels/(?P<label>[^/]+)", self.issue_label_remove)
        self.route("POST", f"{repo}/issues/(?P<number>[0-9]+)/assignees", self.issue_assignees_add)
        self.route("GET", f"{repo}/labels", self.labels_list)
        self.route("POST", f"{repo}/labels", self.label_create)
        self.route("GET", f"{repo}/labels/(?P<label>[^/]+)", self.label_get)
        self.route("GET", f"{repo}/assignees", self.assignees_list)
        self.route("GET", f"{repo}/assignees/(?P<login>[^/]+)", self.assignee_check)
        self._sync_routes(p, repo)

    # -- auth and common replies -----------------------------------------------------------
    def authenticate(self, request: Request) -> str | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() in ("token", "bearer") and token in self.tokens:
            return self.tokens[token]
        return None

    def unauthorized(self, request: Request) -> Response:
        if request.headers.get("authorization"):
            return Response(401, {"message": "Bad credentials", "documentation_url": DOCS, "status": "401"})
        return Response(401, {"message": "Requires authentication", "documentation_url": DOCS, "status": "401"})

    def not_found(self, request: Request) -> Response:
        return Response(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})

    def error_body(self, status: int) -> Any:
        return {"message": f"fault injected: HTTP {status}", "documentation_url": DOCS, "status": str(status)}

    def dispatch(self, request: Request):  # type: ignore[override]
        response, rec, fault = super().dispatch(request)
        if response is not None:
            with self.lock:
                self._remaining = max(self._remaining - 1, 0)
                response.headers.setdefault("X-RateLimit-Limit", "5000")
                response.headers.setdefault("X-RateLimit-Remaining", str(self._remaining))
                response.headers.setdefault("X-RateLimit-Reset", str(int(self.now().timestamp()) + 3600))
                response.headers.setdefault("X-RateLimit-Used", str(5000 - self._remaining))
                response.headers.setdefault("X-RateLimit-Resource", "core")
                response.headers.setdefault("X-GitHub-Api-Version-Selected", "2022-11-28")
        return response, rec, fault

    @property
    def api(self) -> str:
        return f"{self.url}{self.prefix}"

    # -- helpers for tests -----------------------------------------------------------------
    def add_repo(self, full_name: str) -> GhRepo:
        with self.lock:
            self._next_id += 1
            repo = GhRepo(self._next_id, full_name, assignable=set(self.users))
            self.repos[full_name.lower()] = repo
            return repo

    def repo(self, full_name: str) -> GhRepo:
        try:
            return self.repos[full_name.lower()]
        except KeyError:
            raise HttpError(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"}) from None

    def add_issue(self, full_name: str, title: str, *, body: str | None = None, labels: tuple[str, ...] = (), user: str = "octocat", pull: bool = False, assignees: tuple[str, ...] = ()) -> GhIssue:
        with self.lock:
            return self._new_issue(self.repo(full_name), title, body, list(labels), list(assignees), user, pull)

    def close(self, full_name: str, number: int, reason: str = "completed", when: datetime | None = None) -> None:
        with self.lock:
            issue = self.repo(full_name).issues[number]
            moment = when or self.now()
            issue.state, issue.state_reason, issue.closed_at, issue.closed_by, issue.updated_at = "closed", reason, moment, "octocat", moment

    def reopen(self, full_name: str, number: int) -> None:
        with self.lock:
            issue = self.repo(full_name).issues[number]
            issue.state, issue.state_reason, issue.closed_at, issue.closed_by, issue.updated_at = "open", "reopened", None, None, self.now()

    def delete_issue(self, full_name: str, number: int) -> None:
        with self.lock:
            self.repo(full_name).issues[number].deleted = True

    def issues(self, full_name: str, *, pulls: bool = False) -> list[GhIssue]:
        with self.lock:
            return [i for i in self.repo(full_name).issues.values() if not i.deleted and (pulls or not i.is_pull)]

    def comments(self, full_name: str, number: int) -> list[GhComment]:
        with self.lock:
            return [c for c in self.repo(full_name).comments.values() if c.issue == number]

    # -- rendering -------------------------------------------------------------------------
    def _user(self, login: str | None) -> dict[str, Any] | None:
        if login is None:
            return None
        uid = self.users.get(login, 999)
        return {
            "login": login,
            "id": uid,
            "node_id": f"MDQ6VXNlcj{uid}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
            "gravatar_id": "",
            "url": f"{self.api}/users/{login}",
            "html_url": f"{self.html_base}/{login}",
            "followers_url": f"{self.api}/users/{login}/followers",
            "repos_url": f"{self.api}/users/{login}/repos",
            "type": "User",
            "site_admin": False,
        }

    def _label(self, repo: GhRepo, name: str) -> dict[str, Any]:
        return repo.labels[name.lower()]

    def _ensure_label(self, repo: GhRepo, name: str) -> None:
        if name.lower() not in repo.labels:
            self._next_id += 1
            repo.labels[name.lower()] = {
                "id": self._next_id,
                "node_id": f"LA_kwDO{self._next_id}",
                "url": f"{self.api}/repos/{repo.full_name}/labels/{name}",
                "name": name,
                "color": "ededed",
                "default": False,
                "description": None,
            }

    def _issue(self, repo: GhRepo, issue: GhIssue) -> dict[str, Any]:
        base = f"{self.api}/repos/{repo.full_name}/issues/{issue.number}"
        kind = "pull" if issue.is_pull else "issues"
        data: dict[str, Any] = {
            "url": base,
            "repository_url": f"{self.api}/repos/{repo.full_name}",
            "labels_url": f"{base}/labels{{/name}}",
            "comments_url": f"{base}/comments",
            "events_url": f"{base}/events",
            "html_url": f"{self.html_base}/{repo.full_name}/{kind}/{issue.number}",
            "id": issue.id,
            "node_id": f"I_kwDO{issue.id}",
            "number": issue.number,
            "title": issue.title,
            "user": self._user(issue.user),
            "labels": [self._label(repo, n) for n in issue.labels],
            "state": issue.state,
            "locked": False,
            "assignee": self._user(issue.assignees[0]) if issue.assignees else None,
            "assignees": [self._user(a) for a in issue.assignees],
            "milestone": None,
            "comments": sum(1 for c in repo.comments.values() if c.issue == issue.number),
            "created_at": _iso(issue.created_at),
            "updated_at": _iso(issue.updated_at),
            "closed_at": _iso(issue.closed_at),
            "author_association": "MEMBER",
            "active_lock_reason": None,
            "body": issue.body,
            "closed_by": self._user(issue.closed_by),
            "reactions": {"url": f"{base}/reactions", "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0, "confused": 0, "heart": 0, "rocket": 0, "eyes": 0},
            "timeline_url": f"{base}/timeline",
            "performed_via_github_app": None,
            "state_reason": issue.state_reason,
        }
        self._with_field_values(repo, issue, data)
        if issue.is_pull:
            pull = f"{self.api}/repos/{repo.full_name}/pulls/{issue.number}"
            data["draft"] = False
            data["pull_request"] = {
                "url": pull,
                "html_url": data["html_url"],
                "diff_url": f"{data['html_url']}.diff",
                "patch_url": f"{data['html_url']}.patch",
                "merged_at": None,
            }
        return data

    def _comment(self, repo: GhRepo, c: GhComment) -> dict[str, Any]:
        return {
            "id": c.id,
            "node_id": f"IC_kwDO{c.id}",
            "url": f"{self.api}/repos/{repo.full_name}/issues/comments/{c.id}",
            "html_url": f"{self.html_base}/{repo.full_name}/issues/{c.issue}#issuecomment-{c.id}",
            "body": c.body,
            "user": self._user(c.user),
            "created_at": _iso(c.created_at),
            "updated_at": _iso(c.updated_at),
            "issue_url": f"{self.api}/repos/{repo.full_name}/issues/{c.issue}",
            "author_association": "MEMBER",
            "performed_via_github_app": None,
        }

    def _repo(self, repo: GhRepo, viewer: str | None) -> dict[str, Any]:
        owner, name = repo.full_name.split("/", 1)
        api = f"{self.api}/repos/{repo.full_name}"
        return {
            "id": repo.id,
            "node_id": f"R_kgDO{repo.id}",
            "name": name,
            "full_name": repo.full_name,
            "private": False,
            "owner": {**(self._user(owner) or {}), "type": "Organization"},
            "html_url": f"{self.html_base}/{repo.full_name}",
            "description": None,
            "fork": False,
            "url": api,
            "issues_url": f"{api}/issues{{/number}}",
            "labels_url": f"{api}/labels{{/name}}",
            "has_issues": True,
            "open_issues_count": sum(1 for i in repo.issues.values() if i.state == "open" and not i.deleted),
            "default_branch": "main",
            "visibility": "public",
            "archived": False,
            "disabled": False,
            "permissions": {"admin": False, "maintain": False, "push": True, "triage": True, "pull": True},
            "created_at": "2020-01-01T00:00:00Z",
            "updated_at": _iso(self.now()),
            "pushed_at": _iso(self.now()),
        }

    def _issue_or_error(self, repo: GhRepo, number: str) -> GhIssue:
        issue = repo.issues.get(int(number))
        if issue is None:
            raise HttpError(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        if issue.deleted:
            raise HttpError(410, {"message": "This issue was deleted", "documentation_url": DOCS, "status": "410"})
        return issue

    def _validation(self, errors: list[dict[str, Any]]) -> HttpError:
        return HttpError(422, {"message": "Validation Failed", "errors": errors, "documentation_url": DOCS, "status": "422"})

    def _check_labels(self, labels: Any) -> list[str]:
        if not isinstance(labels, list):
            raise self._validation([{"resource": "Issue", "field": "labels", "code": "invalid"}])
        names = []
        for label in labels:
            name = label.get("name") if isinstance(label, dict) else label
            if not isinstance(name, str) or not name.strip() or len(name) > MAX_LABEL:
                raise self._validation([{"resource": "Label", "field": "name", "code": "invalid", "value": name}])
            names.append(name)
        return list(dict.fromkeys(names))

    def _check_assignees(self, repo: GhRepo, logins: Any) -> list[str]:
        if not isinstance(logins, list) or not all(isinstance(x, str) for x in logins):
            raise self._validation([{"resource": "Issue", "field": "assignees", "code": "invalid"}])
        for login in logins:
            if login not in repo.assignable:
                raise self._validation([{"value": login, "resource": "Issue", "field": "assignees", "code": "invalid"}])
        return list(dict.fromkeys(logins))

    def _new_issue(self, repo: GhRepo, title: str, body: str | None, labels: list[str], assignees: list[str], user: str, pull: bool = False) -> GhIssue:
        self._next_id += 1
        for name in labels:
            self._ensure_label(repo, name)
        now = self.now()
        issue = GhIssue(
            id=self._next_id,
            number=repo.next_number,
            title=title,
            body=body,
            user=user,
            labels=[self._label(repo, n)["name"] for n in labels],
            assignees=assignees,
            created_at=now,
            updated_at=now,
            is_pull=pull,
        )
        repo.issues[issue.number] = issue
        repo.next_number += 1
        return issue

    # -- endpoints -------------------------------------------------------------------------
    def user_me(self, request: Request) -> Any:
        return self._user(request.principal)

    def user_get(self, request: Request, login: str) -> Any:
        if login not in self.users:
            raise HttpError(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        return self._user(login)

    def rate_limit(self, request: Request) -> Any:
        core = {"limit": 5000, "remaining": self._remaining, "reset": int(self.now().timestamp()) + 3600, "used": 5000 - self._remaining}
        return {"resources": {"core": core, "search": {"limit": 30, "remaining": 30, "reset": core["reset"], "used": 0}}, "rate": core}

    def repo_get(self, request: Request, owner: str, name: str) -> Any:
        return self._repo(self.repo(f"{owner}/{name}"), request.principal)

    def issues_list(self, request: Request, owner: str, name: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        state = request.param("state", "open")
        if state not in ("open", "closed", "all"):
            raise self._validation([{"resource": "Issue", "field": "state", "code": "invalid"}])
        wanted_labels = [x.strip().lower() for x in (request.param("labels") or "").split(",") if x.strip()]
        creator = request.param("creator")
        assignee = request.param("assignee")
        since = request.param("since")
        since_at = _parse_iso(since) if since else None
        sort = request.param("sort", "created")
        direction = request.param("direction", "desc")
        if sort not in ("created", "updated", "comments") or direction not in ("asc", "desc"):
            raise self._validation([{"resource": "Issue", "field": "sort", "code": "invalid"}])
        try:
            per_page = min(max(int(request.param("per_page", "30") or 30), 1), 100)
            page = max(int(request.param("page", "1") or 1), 1)
        except ValueError:
            raise self._validation([{"resource": "Issue", "field": "per_page", "code": "invalid"}]) from None
        found = []
        for issue in repo.issues.values():
            if issue.deleted or (state != "all" and issue.state != state):
                continue
            if wanted_labels and not set(wanted_labels) <= {label.lower() for label in issue.labels}:
                continue
            if creator and issue.user != creator:
                continue
            if assignee == "none" and issue.assignees or assignee == "*" and not issue.assignees:
                continue
            if assignee not in (None, "none", "*") and assignee not in issue.assignees:
                continue
            if since_at and issue.updated_at and issue.updated_at < since_at:
                continue
            found.append(issue)

        def sort_key(i: GhIssue) -> Any:
            if sort == "updated":
                return (i.updated_at, i.number)
            if sort == "comments":
                return (sum(1 for c in repo.comments.values() if c.issue == i.number), i.number)
            return (i.created_at, i.number)

        found.sort(key=sort_key, reverse=direction == "desc")
        last = max((len(found) + per_page - 1) // per_page, 1)
        chunk = found[(page - 1) * per_page : page * per_page]
        headers = {}
        links = []
        params = {k: v[-1] for k, v in request.query.items() if k != "page"}

        def link(n: int, rel: str) -> str:
            return f'<{self.url}{request.path}?{urlencode({**params, "page": n})}>; rel="{rel}"'

        if page > 1:
            links.append(link(page - 1, "prev"))
        if page < last:
            links.append(link(page + 1, "next"))
            links.append(link(last, "last"))
        if page > 1:
            links.append(link(1, "first"))
        if links:
            headers["Link"] = ", ".join(links)
        return Response(200, [self._issue(repo, i) for i in chunk], headers)

    def issue_create(self, request: Request, owner: str, name: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        body = request.json()
        if not isinstance(body, dict):
            raise HttpError(400, {"message": "Problems parsing JSON", "documentation_url": DOCS, "status": "400"})
        title = body.get("title")
        if title is None:
            raise self._validation([{"resource": "Issue", "code": "missing_field", "field": "title"}])
        if not isinstance(title, (str, int)) or not str(title).strip():
            raise self._validation([{"resource": "Issue", "code": "invalid", "field": "title"}])
        if len(str(title)) > 256:
            raise self._validation([{"resource": "Issue", "code": "custom", "field": "title", "message": "title is too long (maximum is 256 characters)"}])
        text = body.get("body")
        if text is not None and not isinstance(text, str):
            raise self._validation([{"resource": "Issue", "code": "invalid", "field": "body"}])
        labels = self._check_labels(body.get("labels", []))
        assignees = list(body.get("assignees") or [])
        if body.get("assignee"):
            assignees.insert(0, body["assignee"])
        assignees = self._check_assignees(repo, assignees)
        if not self.can_push(repo, request.principal):
            labels, assignees = [], []  # "silently dropped" without push access, as GitHub's schema says
        issue = self._new_issue(repo, str(title), text, labels, assignees, request.principal or "octocat")
        self._take_field_values(repo, issue, body.get("issue_field_values"), request.principal, creating=True)
        data = self._issue(repo, issue)
        return Response(201, data, {"Location": data["url"]})

    def issue_get(self, request: Request, owner: str, name: str, number: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        return self._issue(repo, self._issue_or_error(repo, number))

    def issue_edit(self, request: Request, owner: str, name: str, number: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        issue = self._issue_or_error(repo, number)
        body = request.json()
        if not isinstance(body, dict):
            raise HttpError(400, {"message": "Problems parsing JSON", "documentation_url": DOCS, "status": "400"})
        if "title" in body:
            if not isinstance(body["title"], str) or not body["title"].strip():
                raise self._validation([{"resource": "Issue", "code": "invalid", "field": "title"}])
            issue.title = body["title"]
        if "body" in body:
            issue.body = body["body"]
        pusher = self.can_push(repo, request.principal)  # without push access, these changes are silently dropped
        if "labels" in body:
            labels = self._check_labels(body["labels"])
            for label in labels:
                self._ensure_label(repo, label)
            if pusher:
                issue.labels = [self._label(repo, n)["name"] for n in labels]
        if "assignees" in body:
            checked = self._check_assignees(repo, body["assignees"])
            issue.assignees = checked if pusher else issue.assignees
        elif "assignee" in body:
            checked = self._check_assignees(repo, [body["assignee"]]) if body["assignee"] else []
            issue.assignees = checked if pusher else issue.assignees
        if "issue_field_values" in body:
            self._take_field_values(repo, issue, body["issue_field_values"], request.principal, creating=False)
        reason = body.get("state_reason")
        state = body.get("state")
        # GitHub's schema: completed, not_planned or duplicate close an issue; reopened opens it.
        allowed = CLOSE_REASONS if state == "closed" else (*CLOSE_REASONS, "reopened")
        if reason is not None and reason not in allowed:
            raise self._validation([{"resource": "Issue", "code": "invalid", "field": "state_reason", "value": reason}])
        now = self.now()
        if state is not None:
            if state not in ("open", "closed"):
                raise self._validation([{"resource": "Issue", "code": "invalid", "field": "state"}])
            if state == "closed" and issue.state != "closed":
                issue.state, issue.closed_at, issue.closed_by = "closed", now, request.principal
                issue.state_reason = reason or "completed"
            elif state == "open" and issue.state != "open":
                issue.state, issue.closed_at, issue.closed_by, issue.state_reason = "open", None, None, "reopened"
            elif reason is not None:
                issue.state_reason = reason
        issue.updated_at = now
        return self._issue(repo, issue)

    def comments_list(self, request: Request, owner: str, name: str, number: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        self._issue_or_error(repo, number)
        return [self._comment(repo, c) for c in repo.comments.values() if c.issue == int(number)]

    def comment_create(self, request: Request, owner: str, name: str, number: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        issue = self._issue_or_error(repo, number)
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            raise self._validation([{"resource": "IssueComment", "code": "missing_field", "field": "body"}])
        self._next_id += 1
        now = self.now()
        comment = GhComment(self._next_id, issue.number, body["body"], request.principal or "octocat", now, now)
        repo.comments[comment.id] = comment
        issue.updated_at = now
        data = self._comment(repo, comment)
        return Response(201, data, {"Location": data["url"]})

    def _comment_or_404(self, repo: GhRepo, cid: str) -> GhComment:
        comment = repo.comments.get(int(cid))
        if comment is None:
            raise HttpError(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        return comment

    def comment_get(self, request: Request, owner: str, name: str, cid: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        return self._comment(repo, self._comment_or_404(repo, cid))

    def comment_edit(self, request: Request, owner: str, name: str, cid: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        comment = self._comment_or_404(repo, cid)
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("body"), str):
            raise self._validation([{"resource": "IssueComment", "code": "missing_field", "field": "body"}])
        comment.body, comment.updated_at = body["body"], self.now()
        return self._comment(repo, comment)

    def comment_delete(self, request: Request, owner: str, name: str, cid: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        del repo.comments[self._comment_or_404(repo, cid).id]
        return Response(204, None)

    def issue_labels(self, request: Request, owner: str, name: str, number: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        return [self._label(repo, n) for n in self._issue_or_error(repo, number).labels]

    def issue_labels_add(self, request: Request, owner: str, name: str, number: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        issue = self._issue_or_error(repo, number)
        body = request.json()
        labels = self._check_labels(body.get("labels") if isinstance(body, dict) else body)
        for label in labels:
            self._ensure_label(repo, label)
            if label.lower() not in {x.lower() for x in issue.labels}:
                issue.labels.append(self._label(repo, label)["name"])
        issue.updated_at = self.now()
        return [self._label(repo, n) for n in issue.labels]

    def issue_labels_set(self, request: Request, owner: str, name: str, number: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        issue = self._issue_or_error(repo, number)
        body = request.json()
        labels = self._check_labels(body.get("labels") if isinstance(body, dict) else body)
        for label in labels:
            self._ensure_label(repo, label)
        issue.labels = [self._label(repo, n)["name"] for n in labels]
        issue.updated_at = self.now()
        return [self._label(repo, n) for n in issue.labels]

    def issue_label_remove(self, request: Request, owner: str, name: str, number: str, label: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        issue = self._issue_or_error(repo, number)
        kept = [x for x in issue.labels if x.lower() != label.lower()]
        if len(kept) == len(issue.labels):
            raise HttpError(404, {"message": "Label does not exist", "documentation_url": DOCS, "status": "404"})
        issue.labels = kept
        issue.updated_at = self.now()
        return [self._label(repo, n) for n in issue.labels]

    def issue_assignees_add(self, request: Request, owner: str, name: str, number: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        issue = self._issue_or_error(repo, number)
        body = request.json() or {}
        for login in self._check_assignees(repo, body.get("assignees", [])):
            if login not in issue.assignees:
                issue.assignees.append(login)
        issue.updated_at = self.now()
        return Response(201, self._issue(repo, issue))

    def labels_list(self, request: Request, owner: str, name: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        return list(repo.labels.values())

    def label_create(self, request: Request, owner: str, name: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        body = request.json() or {}
        label = self._check_labels([body.get("name")])[0]
        if label.lower() in repo.labels:
            raise self._validation([{"resource": "Label", "code": "already_exists", "field": "name"}])
        self._ensure_label(repo, label)
        data = repo.labels[label.lower()]
        data["color"] = body.get("color", data["color"])
        data["description"] = body.get("description")
        return Response(201, data)

    def label_get(self, request: Request, owner: str, name: str, label: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        if label.lower() not in repo.labels:
            raise HttpError(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        return repo.labels[label.lower()]

    def assignees_list(self, request: Request, owner: str, name: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        return [self._user(login) for login in sorted(repo.assignable)]

    def assignee_check(self, request: Request, owner: str, name: str, login: str) -> Any:
        repo = self.repo(f"{owner}/{name}")
        if login not in repo.assignable:
            raise HttpError(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
        return Response(204, None)


# -- what sync's pushes need: push access, and organization issue fields -------------------------
# (GitHub's issue fields, a public preview: `GET /orgs/{org}/issue-fields`, and per issue
# `GET|POST /repos/{owner}/{repo}/issues/{n}/issue-field-values`, as github/rest-api-description
# describes them; an issue's JSON carries its `issue_field_values`.)


def _sync_state(self: FakeGitHub) -> None:
    self.without_push: set[tuple[str, str]] = set()  # (repo, login) lacking push access
    self.org_fields: dict[str, list[dict[str, Any]]] = {}  # org (lower case) -> its issue fields
    self.field_values: dict[tuple[str, int], dict[int, Any]] = {}  # (repo, number) -> field id -> value
    self.values_in_issues = True  # False: issues carry no `issue_field_values` (read them per issue)


def _sync_routes(self: FakeGitHub, p: str, repo: str) -> None:
    self.route("GET", f"{p}/orgs/(?P<org>[^/]+)/issue-fields", self.org_issue_fields)
    self.route("GET", f"{repo}/issues/(?P<number>[0-9]+)/issue-field-values", self.issue_field_values_list)
    self.route("POST", f"{repo}/issues/(?P<number>[0-9]+)/issue-field-values", self.issue_field_values_add)


def deny_push(self: FakeGitHub, full_name: str, login: str) -> None:
    """`login` keeps read access to the repo but not push: GitHub then drops its label and
    assignee changes silently and refuses its issue field writes (403)."""
    with self.lock:
        self.without_push.add((full_name.lower(), login))


def can_push(self: FakeGitHub, repo: GhRepo, login: str | None) -> bool:
    return (repo.full_name.lower(), login or "") not in self.without_push


def add_issue_field(self: FakeGitHub, org: str, name: str, data_type: str = "date") -> int:
    """An organization issue field (`data_type`: text, date, single_select, multi_select, number); its id."""
    with self.lock:
        self._next_id += 1
        fid = self._next_id
        self.org_fields.setdefault(org.lower(), []).append(
            {
                "id": fid,
                "node_id": f"IFD_kwDO{fid}",
                "name": name,
                "description": None,
                "data_type": data_type,
                "visibility": "organization_members_only",
                "options": [] if data_type in ("single_select", "multi_select") else None,
                "created_at": _iso(self.now()),
                "updated_at": _iso(self.now()),
            }
        )
        return fid


def field_value(self: FakeGitHub, full_name: str, number: int, field_id: int) -> Any:
    with self.lock:
        return self.field_values.get((full_name.lower(), number), {}).get(field_id)


def set_field_value(self: FakeGitHub, full_name: str, number: int, field_id: int, value: Any) -> None:
    """A person setting an issue field on github.com (a re-date made in the tracker)."""
    with self.lock:
        self.field_values.setdefault((full_name.lower(), number), {})[field_id] = value
        self.repo(full_name).issues[number].updated_at = self.now()


def _org_of(self: FakeGitHub, repo: GhRepo) -> list[dict[str, Any]] | None:
    return self.org_fields.get(repo.full_name.split("/", 1)[0].lower())


def _values_json(self: FakeGitHub, repo: GhRepo, number: int) -> list[dict[str, Any]]:
    fields = {f["id"]: f for f in self._org_of(repo) or []}
    values = self.field_values.get((repo.full_name.lower(), number), {})
    return [
        {"issue_field_id": fid, "issue_field_name": fields[fid]["name"], "node_id": f"IFV_kwDO{fid}{number}", "data_type": fields[fid]["data_type"], "value": value}
        for fid, value in sorted(values.items())
        if fid in fields
    ]


def _with_field_values(self: FakeGitHub, repo: GhRepo, issue: GhIssue, data: dict[str, Any]) -> None:
    if self._org_of(repo) is not None and not issue.is_pull and self.values_in_issues:
        data["issue_field_values"] = self._values_json(repo, issue.number)


def _take_field_values(self: FakeGitHub, repo: GhRepo, issue: GhIssue, values: Any, principal: str | None, *, creating: bool) -> None:
    """Field values of a create (dropped silently where fields are off or without push access, as
    the schema says) or of an edit or `issue-field-values` POST (refused: 403 without push access,
    404 where the organization has no issue fields, 422 for an unknown field or a bad value)."""
    if values is None:
        return
    fields = {f["id"]: f for f in self._org_of(repo) or []}
    if creating and (not fields or not self.can_push(repo, principal)):
        return
    if not self.can_push(repo, principal):
        raise HttpError(403, {"message": "Must have push access to repository", "documentation_url": DOCS, "status": "403"})
    if not fields:
        raise HttpError(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
    if not isinstance(values, list) or len(values) > 25:
        raise self._validation([{"resource": "IssueFieldValue", "field": "issue_field_values", "code": "invalid"}])
    checked: dict[int, Any] = {}
    for value in values:
        fid = value.get("field_id") if isinstance(value, dict) else None
        if fid not in fields:
            raise self._validation([{"resource": "IssueFieldValue", "field": "field_id", "code": "invalid", "value": fid}])
        raw = value.get("value")
        if fields[fid]["data_type"] == "date":
            try:
                date_ok = isinstance(raw, str) and bool(datetime.fromisoformat(raw))
            except ValueError:
                date_ok = False
            if not date_ok:
                raise self._validation([{"resource": "IssueFieldValue", "field": "value", "code": "invalid", "value": raw}])
        checked[fid] = raw
    self.field_values.setdefault((repo.full_name.lower(), issue.number), {}).update(checked)
    issue.updated_at = self.now()


def org_issue_fields(self: FakeGitHub, request: Request, org: str) -> Any:
    fields = self.org_fields.get(org.lower())
    if fields is None:
        raise HttpError(404, {"message": "Not Found", "documentation_url": DOCS, "status": "404"})
    return list(fields)


def issue_field_values_list(self: FakeGitHub, request: Request, owner: str, name: str, number: str) -> Any:
    repo = self.repo(f"{owner}/{name}")
    issue = self._issue_or_error(repo, number)
    return self._values_json(repo, issue.number)


def issue_field_values_add(self: FakeGitHub, request: Request, owner: str, name: str, number: str) -> Any:
    repo = self.repo(f"{owner}/{name}")
    issue = self._issue_or_error(repo, number)
    body = request.json()
    if not isinstance(body, dict) or "issue_field_values" not in body:
        raise HttpError(400, {"message": "Problems parsing JSON", "documentation_url": DOCS, "status": "400"})
    self._take_field_values(repo, issue, body["issue_field_values"], request.principal, creating=False)
    return self._values_json(repo, issue.number)


for _helper in (
    _sync_state, _sync_routes, deny_push, can_push, add_issue_field, field_value, set_field_value, _org_of, _values_json,
    _with_field_values, _take_field_values, org_issue_fields, issue_field_values_list, issue_field_values_add,
):  # fmt: skip
    setattr(FakeGitHub, _helper.__name__, _helper)
