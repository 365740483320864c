"""A stateful loopback Jira: Cloud (REST v2 and v3) or Data Center (REST v2).

Serves what `jira.JIRA` calls for creating, reading, updating, transitioning, commenting
and searching issues: `serverInfo`, `myself`, `field`, `project`, `issue` (POST/GET/PUT/
DELETE), `issue/{key}/transitions` and `issue/{key}/comment`, and search — `/search/jql`
with `nextPageToken` and `reconcileIssues` on Cloud, where the removed `/search` answers 410
as Atlassian's does since 2025; `/search` with `startAt` on Data Center. Replies follow the
shapes of Atlassian's REST reference: issues as {id, key, self, fields}, errors as
{errorMessages, errors}, v3 descriptions and comments in Atlassian Document Format.

Cloud's search can lag behind writes as Jira Cloud's index does (`search_lag`): search sees
each issue as it was `search_lag` seconds ago, except the issues named in `reconcileIssues`;
reading an issue by key and every write are consistent at once.
"""

from __future__ import annotations

import base64
import dataclasses
import json
import re
import time
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Callable

from . import jql
from .httpserver import FakeServer, HttpError, Request, Response

KEY = re.compile(r"^[A-Z][A-Z0-9_]*-[0-9]+$")
API = r"/rest/api/(?P<v>2|3|latest)"

CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
DEFAULT_STATUSES = {"To Do": "new", "In Progress": "indeterminate", "In Review": "indeterminate", "Done": "done", "Won't Do": "done"}
DEFAULT_RESOLUTIONS = ("Done", "Won't Do", "Duplicate", "Cannot Reproduce", "Declined")
DEFAULT_PRIORITIES = ("Highest", "High", "Medium", "Low", "Lowest")
ISSUE_TYPES = ("Task", "Bug", "Story")
REMOVED_SEARCH = (
    "The requested API has been removed. Please migrate to the /rest/api/3/search/jql API. "
    "A full migration guideline is available at https://developer.atlassian.com/changelog/#CHANGE-2046"
)
FIELD_IDS = (
    "summary", "description", "labels", "assignee", "duedate", "priority", "status", "resolution",
    "resolutiondate", "project", "issuetype", "created", "updated", "reporter", "comment",
)  # fmt: skip
MAX_RECONCILE = 50  # issue ids one search may ask to read consistently (Atlassian's limit)
CLAUSE_NAMES = {"duedate": ["due", "duedate"], "resolutiondate": ["resolutiondate", "resolved"], "issuetype": ["issuetype", "type"]}


@dataclass(frozen=True)
class JiraComment:
    id: int
    author: str | None
    body: Any  # a str (v2) or an ADF document (v3), as it was written
    created: datetime


@dataclass
class JiraIssue:
    id: int
    key: str
    project: str
    issuetype: str
    summary: str
    description: Any = None  # a str (v2) or an ADF document (v3), as it was written
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None  # accountId on Cloud, username on Data Center
    reporter: str | None = None
    duedate: str | None = None
    priority: str | None = None
    status: str = "To Do"
    resolution: str | None = None
    resolutiondate: datetime | None = None
    created: datetime | None = None
    updated: datetime | None = None
    comments: list[JiraComment] = field(default_factory=list)

    def snapshot(self) -> JiraIssue:
        """A copy that later writes to this issue leave alone (what the search index holds)."""
        return dataclasses.replace(self, labels=list(self.labels), comments=list(self.comments))


def _stamp(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000%z")  # as Jira writes it: in the user's zone, with its offset


def adf(text: str) -> dict[str, Any]:
    """A minimal Atlassian Document: one paragraph per line."""
    return {
        "type": "doc",
        "version": 1,
        "content": [{"type": "paragraph", "content": [{"type": "text", "text": line}]} if line else {"type": "paragraph", "content": []} for line in text.split("\n")],
    }


def adf_text(node: Any) -> str:
    """The plain text of an ADF document (paragraphs become lines)."""
    if isinstance(node, str):
        return node
    if not isinstance(node, dict):
        return ""
    if node.get("type") == "text":
        return str(node.get("text", ""))
    parts = [adf_text(child) for child in node.get("content", []) or []]
    joiner = "\n" if node.get("type") in ("doc", "bulletList", "orderedList") else ""
    return joiner.join(parts)


def _is_adf(value: Any) -> bool:
    return isinstance(value, dict) and value.get("type") == "doc" and isinstance(value.get("content"), list)


class FakeJira(FakeServer):
    """`deployment` is "Cloud" (basic auth email:API token) or "Server" (Data Center, bearer PAT).

    `search_lag` (Cloud only; Data Center's index is consistent and ignores it): seconds after
    a write before search sees it. Every write to an issue — create, field or label update,
    transition, comment, delete, through the API or the helpers below — makes a new version
    that search sees only `search_lag` seconds later by `clock` (seconds; `time.time` unless a
    test passes a fake clock it shares with the code under test); until then search sees the
    version before (a new issue not at all; a deleted one still). `GET /issue/{key}` and JQL
    key validation read the database, so a fresh key is valid in `key in (...)` but not found.
    `reconcileIssues` (up to 50 issue ids) makes search read those issues as they are now.
    `settle()` lets the index catch up. With a lag, change issues through the helpers, not by
    assigning to `issues[key]` fields, or search never sees the change.

    `transitions` maps a transition's name to the status it leads to; by default there is one
    per status, named like it ("To Do", "In Progress", "In Review", "Done", "Won't Do"), as
    in a Jira Cloud workflow where any status can move to any other. Each is available from
    every status but its target. The default workflow has no duplicate status: as in Jira
    Cloud's default workflows, a duplicate is closed by a transition into a done-category
    status ("Done" or "Won't Do") with the resolution "Duplicate". A workflow with a
    transition of its own for duplicates is `statuses={**DEFAULT_STATUSES, "Duplicate":
    "done"}` (the default transitions then include "Duplicate"); any workflow is
    `transitions={name: status}`. A transition into a done-category status has a screen with
    the resolution field (any of `resolutions`, "Done" when none is given) and sets the
    resolution date; one out of it clears both.
    """

    def __init__(
        self,
        deployment: str = "Cloud",
        *,
        email: str = "sync-bot@example.com",
        token: str = "jira-test-token",
        projects: tuple[str, ...] = ("PAY", "OPS"),
        users: dict[str, str] | None = None,
        statuses: dict[str, str] | None = None,
        resolutions: tuple[str, ...] = DEFAULT_RESOLUTIONS,
        priorities: tuple[str, ...] = DEFAULT_PRIORITIES,
        transitions: dict[str, str] | None = None,
        search_lag: float = 0.0,
        clock: Callable[[], float] | None = None,
    ) -> None:
        super().__init__()
        assert deployment in ("Cloud", "Server")
        self.deployment = deployment
        self.cloud = deployment == "Cloud"
        self.email = email
        self.token = token
        self.projects = {key: {"id": str(10000 + i), "key": key, "name": f"Project {key}"} for i, key in enumerate(projects)}
        # Cloud knows people by accountId, Data Center by username.
        self.users = dict(users or {})
        self.statuses = dict(statuses or DEFAULT_STATUSES)
        self.resolutions = tuple(resolutions)
        self.priorities = tuple(priorities)
        self.transitions = dict(transitions if transitions is not None else {name: name for name in self.statuses})
        unknown = sorted(set(self.transitions.values()) - set(self.statuses))
        assert not unknown, f"transitions lead to statuses the workflow lacks: {unknown}"
        assert search_lag >= 0, search_lag
        self.search_lag = search_lag if self.cloud else 0.0
        self.clock: Callable[[], float] = clock or time.time
        self.issues: dict[str, JiraIssue] = {}
        # What search sees when it lags: key -> the version indexed, and the writes not indexed
        # yet as (when search sees it, key, version or None for a deletion), oldest first.
        self._index: dict[str, JiraIssue] = {}
        self._unindexed: deque[tuple[float, str, JiraIssue | None]] = deque()
        self._next_comment = 10000
        self.deleted: set[str] = set()
        self.moved: dict[str, str] = {}  # old key -> the key it moved to (Jira still finds it by the old one)
        self._next_id = 10000
        self._next_number: dict[str, int] = {}
        self._edit_rules()
        versions = "(?P<v>2|3|latest)" if self.cloud else "(?P<v>2|latest)"
        api = f"/rest/api/{versions}"
        self.route("GET", f"{api}/serverInfo", self.server_info)
        self.route("GET", f"{api}/myself", self.myself)
        self.route("GET", f"{api}/field", self.fields)
        self.route("GET", f"{api}/project", self.project_list)
        self.route("GET", f"{api}/project/(?P<ref>[^/]+)", self.project_get)
        self.route("POST", f"{api}/issue", self.issue_create)
        self.route("GET", f"{api}/issue/(?P<ref>[^/]+)", self.issue_get)
        self.route("PUT", f"{api}/issue/(?P<ref>[^/]+)", self.issue_update)
        self.route("DELETE", f"{api}/issue/(?P<ref>[^/]+)", self.issue_delete)
        self.route("GET", f"{api}/issue/(?P<ref>[^/]+)/transitions", self.transitions_list)
        self.route("POST", f"{api}/issue/(?P<ref>[^/]+)/transitions", self.transition_do)
        self.route("GET", f"{api}/issue/(?P<ref>[^/]+)/comment", self.comments_list)
        self.route("POST", f"{api}/issue/(?P<ref>[^/]+)/comment", self.comment_add)
        if self.cloud:
            self.route("GET", f"{api}/search/jql", self.search_jql, kind="read")
            self.route("POST", f"{api}/search/jql", self.search_jql, kind="read")
            self.route("GET", f"{api}/search", self.search_removed, kind="read")
            self.route("POST", f"{api}/search", self.search_removed, kind="read")
        else:
            self.route("GET", f"{api}/search", self.search_paged, kind="read")
            self.route("POST", f"{api}/search", self.search_paged, kind="read")

    # -- auth ------------------------------------------------------------------------------
    def authenticate(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        if not header and request.path.endswith("/serverInfo"):
            return "anonymous"  # Jira answers serverInfo to anyone; wrong credentials are still refused
        if self.cloud and header.startswith("Basic "):
            try:
                user, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            return user if (user, secret) == (self.email, self.token) else None
        if not self.cloud and header == f"Bearer {self.token}":
            return "sync-bot"
        return None

    def unauthorized(self, request: Request) -> Response:
        return Response(401, {"errorMessages": ["You are not authenticated. Authentication required to perform this operation."], "errors": {}})

    def not_found(self, request: Request) -> Response:
        return Response(404, {"errorMessages": [f"null for uri: {self.url}{request.path}"], "errors": {}})

    def error_body(self, status: int) -> Any:
        return {"errorMessages": [f"fault injected: HTTP {status}"], "errors": {}}

    # -- helpers for tests -----------------------------------------------------------------
    def add_issue(self, project: str, summary: str, **fields: Any) -> JiraIssue:
        with self.lock:
            return self._new_issue(project, "Task", summary, **fields)

    def transition(self, key: str, status: str, resolution: str | None = None, when: datetime | None = None) -> None:
        """Move an issue to `status` behind the client's back, whatever the workflow allows."""
        with self.lock:
            assert status in self.statuses, status
            self._enter(self.issues[key], status, resolution, when or self.now())

    def set_fields(self, key: str, **fields: Any) -> None:
        with self.lock:
            issue = self.issues[key]
            for name, value in fields.items():
                setattr(issue, name, value)
            issue.updated = self.now()
            self._written(issue)

    def delete(self, key: str) -> None:
        with self.lock:
            del self.issues[key]
            self.deleted.add(key)
            if self.search_lag:
                self._unindexed.append((self.clock() + self.search_lag, key, None))

    def move(self, key: str, project: str) -> str:
        """Move an issue to another project, as Jira's Move does: it gets a new key there, and
        the old key still finds it (GET issue/OLD and JQL `key = OLD` answer the moved issue)."""
        with self.lock:
            assert project in self.projects, project
            issue = self.issues.pop(key)
            number = self._next_number.get(project, 0) + 1
            self._next_number[project] = number
            issue.key, issue.project = f"{project}-{number}", project
            self.issues[issue.key] = issue
            self.moved[key] = issue.key
            if self.search_lag:
                self._unindexed.append((self.clock() + self.search_lag, key, None))
            issue.updated = self.now()
            self._written(issue)
            return issue.key

    def _current(self, key: str) -> str:
        """The key an issue has now, given any key it had."""
        key = key.upper()
        while key in self.moved:
            key = self.moved[key]
        return key

    def comments_of(self, key: str) -> list[str]:
        """The issue's comments as plain text (ADF flattened), oldest first."""
        with self.lock:
            return [adf_text(c.body) for c in self.issues[key].comments]

    def settle(self) -> None:
        """Let search catch up with every write so far (the index is consistent again)."""
        with self.lock:
            self._catch_up(float("inf"))

    # -- the search index ------------------------------------------------------------------
    def _written(self, issue: JiraIssue) -> None:
        """Called after every write to `issue`: search sees this version `search_lag` later."""
        if self.search_lag:
            self._unindexed.append((self.clock() + self.search_lag, issue.key, issue.snapshot()))

    def _catch_up(self, now: float) -> None:
        while self._unindexed and self._unindexed[0][0] <= now:
            _, key, version = self._unindexed.popleft()
            if version is None:
                self._index.pop(key, None)
            else:
                self._index[key] = version

    def _searchable(self, reconcile: set[int]) -> dict[str, JiraIssue]:
        """The issues search sees, by key: the index, and the reconciled issues as they are."""
        if not self.search_lag:
            return self.issues
        self._catch_up(self.clock())
        if not reconcile:
            return self._index
        seen = {key: issue for key, issue in self._index.items() if issue.id not in reconcile}
        seen.update({key: issue for key, issue in self.issues.items() if issue.id in reconcile})
        return seen

    def _enter(self, issue: JiraIssue, status: str, resolution: str | None, when: datetime) -> None:
        issue.status = status
        if self.statuses[status] == "done":
            issue.resolution = resolution or "Done"
            issue.resolutiondate = when
        else:
            issue.resolution = None
            issue.resolutiondate = None
        issue.updated = when
        self._written(issue)

    def with_label(self, label: str) -> list[JiraIssue]:
        with self.lock:
            return [i for i in self.issues.values() if label in i.labels]

    # -- rendering -------------------------------------------------------------------------
    def _base(self) -> str:
        return self.url

    def _user_json(self, user: str | None, v: str) -> dict[str, Any] | None:
        if user is None:
            return None
        base = self._base()
        if self.cloud:
            return {
                "self": f"{base}/rest/api/{v}/user?accountId={user}",
                "accountId": user,
                "avatarUrls": {"48x48": f"{base}/avatar/{user}"},
                "displayName": self.users.get(user, user),
                "active": True,
                "timeZone": "Etc/UTC",
                "accountType": "atlassian",
            }
        return {
            "self": f"{base}/rest/api/{v}/user?username={user}",
            "name": user,
            "key": f"JIRAUSER{abs(hash(user)) % 100000}",
            "emailAddress": f"{user}@example.com",
            "avatarUrls": {"48x48": f"{base}/avatar/{user}"},
            "displayName": self.users.get(user, user),
            "active": True,
            "timeZone": "Etc/UTC",
        }

    def _status_json(self, name: str, v: str) -> dict[str, Any]:
        category = CATEGORIES[self.statuses[name]]
        sid = str(10000 + list(self.statuses).index(name))
        return {
            "self": f"{self._base()}/rest/api/{v}/status/{sid}",
            "description": "",
            "iconUrl": f"{self._base()}/images/icons/status_generic.gif",
            "name": name,
            "id": sid,
            "statusCategory": {"self": f"{self._base()}/rest/api/{v}/statuscategory/{category['id']}", **category},
        }

    def _project_json(self, key: str, v: str) -> dict[str, Any]:
        p = self.projects[key]
        return {"self": f"{self._base()}/rest/api/{v}/project/{p['id']}", "id": p["id"], "key": key, "name": p["name"], "projectTypeKey": "software", "simplified": False}

    def _fields_json(self, issue: JiraIssue, v: str) -> dict[str, Any]:
        description: Any = issue.description
        if v == "3":
            description = description if description is None or _is_adf(description) else adf(str(description))
        elif description is not None and not isinstance(description, str):
            description = adf_text(description)
        priority = None
        if issue.priority is not None:
            pid = str(self.priorities.index(issue.priority) + 1)
            priority = {"self": f"{self._base()}/rest/api/{v}/priority/{pid}", "iconUrl": f"{self._base()}/images/icons/priorities/{pid}.svg", "name": issue.priority, "id": pid}
        resolution = None
        if issue.resolution is not None:
            rid = str(10000 + self.resolutions.index(issue.resolution))
            resolution = {"self": f"{self._base()}/rest/api/{v}/resolution/{rid}", "id": rid, "description": "", "name": issue.resolution}
        itid = str(10001 + ISSUE_TYPES.index(issue.issuetype))
        return {
            "summary": issue.summary,
            "description": description,
            "labels": list(issue.labels),
            "assignee": self._user_json(issue.assignee, v),
            "reporter": self._user_json(issue.reporter, v),
            "duedate": issue.duedate,
            "priority": priority,
            "status": self._status_json(issue.status, v),
            "resolution": resolution,
            "resolutiondate": _stamp(issue.resolutiondate),
            "project": self._project_json(issue.project, v),
            "issuetype": {"self": f"{self._base()}/rest/api/{v}/issuetype/{itid}", "id": itid, "description": "", "iconUrl": "", "name": issue.issuetype, "subtask": False},
            "created": _stamp(issue.created),
            "updated": _stamp(issue.updated),
            "comment": self._comment_page(issue, v, 0, len(issue.comments)),
        }

    def _comment_json(self, issue: JiraIssue, comment: JiraComment, v: str) -> dict[str, Any]:
        body = comment.body
        if v == "3":
            body = body if _is_adf(body) else adf(str(body))
        elif not isinstance(body, str):
            body = adf_text(body)
        author = self._user_json(comment.author, v)
        return {
            "self": f"{self._base()}/rest/api/{v}/issue/{issue.id}/comment/{comment.id}",
            "id": str(comment.id),
            "author": author,
            "body": body,
            "updateAuthor": author,
            "created": _stamp(comment.created),
            "updated": _stamp(comment.created),
            "jsdPublic": True,
        }

    def _comment_page(self, issue: JiraIssue, v: str, start: int, size: int) -> dict[str, Any]:
        return {
            "self": f"{self._base()}/rest/api/{v}/issue/{issue.id}/comment",
            "comments": [self._comment_json(issue, c, v) for c in issue.comments[start : start + size]],
            "maxResults": size,
            "total": len(issue.comments),
            "startAt": start,
        }

    def _issue_json(self, issue: JiraIssue, v: str, wanted: list[str] | None) -> dict[str, Any]:
        fields = self._fields_json(issue, v)
        if wanted is not None:
            fields = {k: val for k, val in fields.items() if k in wanted}
        return {
            "expand": "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations",
            "id": str(issue.id),
            "self": f"{self._base()}/rest/api/{v}/issue/{issue.id}",
            "key": issue.key,
            "fields": fields,
        }

    @staticmethod
    def _wanted(values: list[str]) -> list[str] | None:
        """Requested field ids; None means all. Accepts repeated and comma-separated forms."""
        names = [n.strip() for value in values for n in value.split(",") if n.strip()]
        if not names or any(n in ("*all", "*navigable") for n in names):
            return None
        return [n for n in names if not n.startswith("-")]

    def _find(self, ref: str) -> JiraIssue:
        ref = self._current(ref) if not ref.isdigit() else ref
        for issue in self.issues.values():
            if issue.key == ref or str(issue.id) == ref:
                return issue
        raise HttpError(404, {"errorMessages": ["Issue does not exist or you do not have permission to see it."], "errors": {}})

    # -- endpoints -------------------------------------------------------------------------
    def server_info(self, request: Request, v: str) -> Any:
        if self.cloud:
            version, numbers, build = "1001.0.0-SNAPSHOT", [1001, 0, 0], 100289
        else:
            version, numbers, build = "9.12.15", [9, 12, 15], 9120015
        return {
            "baseUrl": self._base(),
            "version": version,
            "versionNumbers": numbers,
            "deploymentType": self.deployment,
            "buildNumber": build,
            "buildDate": "2025-01-01T00:00:00.000+0000",
            "serverTime": _stamp(self.now()),
            "scmInfo": "0123456789abcdef",
            "serverTitle": "Jira",
        }

    def myself(self, request: Request, v: str) -> Any:
        return self._user_json(request.principal, v)

    def fields(self, request: Request, v: str) -> Any:
        return [
            {
                "id": fid,
                "key": fid,
                "name": fid.capitalize(),
                "custom": False,
                "orderable": True,
                "navigable": True,
                "searchable": True,
                "clauseNames": CLAUSE_NAMES.get(fid, [fid]),
                "schema": {"type": "string", "system": fid},
            }
            for fid in FIELD_IDS
        ]

    def project_list(self, request: Request, v: str) -> Any:
        return [self._project_json(k, v) for k in self.projects]

    def project_get(self, request: Request, v: str, ref: str) -> Any:
        for key, p in self.projects.items():
            if ref in (key, p["id"]):
                return self._project_json(key, v)
        raise HttpError(404, {"errorMessages": [f"No project could be found with key '{ref}'."], "errors": {}})

    def _new_issue(self, project: str, issuetype: str, summary: str, **fields: Any) -> JiraIssue:
        number = self._next_number.get(project, 0) + 1
        self._next_number[project] = number
        self._next_id += 1
        now = self.now()
        issue = JiraIssue(id=self._next_id, key=f"{project}-{number}", project=project, issuetype=issuetype, summary=summary, created=now, updated=now)
        for name, value in fields.items():
            setattr(issue, name, value)
        self.issues[issue.key] = issue
        self._written(issue)
        return issue

    def _user_ref(self, value: Any, errors: dict[str, str]) -> str | None:
        if value is None:
            return None
        ref = None
        if isinstance(value, dict):
            ref = value.get("accountId") or value.get("id") if self.cloud else value.get("name")
        if not isinstance(ref, str) or ref not in self.users:
            shown = ref if isinstance(ref, str) else json.dumps(value)
            errors["assignee"] = "Specified user does not exist or you do not have required permissions" if self.cloud else f"User '{shown}' does not exist."
            return None
        return ref

    def _check_fields(self, data: dict[str, Any], v: str, errors: dict[str, str], creating: bool) -> dict[str, Any]:
        """Validated field values keyed by JiraIssue attribute."""
        out: dict[str, Any] = {}
        allowed = {"project", "issuetype", "summary", "description", "labels", "assignee", "duedate", "priority"}
        for name in data:
            if name not in allowed:
                errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
        if creating:
            project = data.get("project")
            key = None
            if isinstance(project, dict):
                ref = project.get("key") or project.get("id")
                key = next((k for k, p in self.projects.items() if ref in (k, p["id"])), None)
            if key is None:
                errors["project"] = "valid project is required"
            out["project"] = key
            itype = data.get("issuetype")
            name = None
            if isinstance(itype, dict):
                ref = itype.get("name") or itype.get("id")
                name = next((t for i, t in enumerate(ISSUE_TYPES) if ref in (t, str(10001 + i))), None)
            if name is None:
                errors["issuetype"] = "Specify an issue type"
            out["issuetype"] = name
        if creating or "summary" in data:
            summary = data.get("summary")
            if not isinstance(summary, str) or not summary.strip():
                errors["summary"] = "You must specify a summary of the issue."
            elif len(summary) > 255:
                errors["summary"] = "Summary must be less than 255 characters."
            out["summary"] = summary
        if "description" in data and data["description"] is not None:
            desc = data["description"]
            if v == "3" and not _is_adf(desc):
                errors["description"] = "Operation value must be an Atlassian Document (see the Atlassian Document Format)"
            elif v != "3" and not isinstance(desc, str):
                errors["description"] = "Operation value must be a string"
            out["description"] = desc
        if "labels" in data:
            labels = data["labels"] or []
            if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
                errors["labels"] = "Operation value must be an array of strings"
            else:
                for label in labels:
                    if " " in label:
                        errors["labels"] = f"The label '{label}' contains spaces which is invalid."
                    elif len(label) > 255:
                        errors["labels"] = "The label must not exceed 255 characters."
                out["labels"] = list(dict.fromkeys(labels))
        if "assignee" in data:
            out["assignee"] = self._user_ref(data["assignee"], errors)
        if "duedate" in data and data["duedate"] is None:
            out["duedate"] = None  # Jira clears a field set to null
        elif "duedate" in data:
            try:
                date.fromisoformat(str(data["duedate"]))
                out["duedate"] = str(data["duedate"])
            except ValueError:
                errors["duedate"] = f"Error parsing date string: {data['duedate']}"
        if "priority" in data and data["priority"] is not None:
            prio = data["priority"]
            ref = prio.get("name") or prio.get("id") if isinstance(prio, dict) else None
            name = next((p for i, p in enumerate(self.priorities) if ref in (p, str(i + 1))), None)
            if name is None:
                errors["priority"] = "Specify the Priority (id or name) in the correct format"
            out["priority"] = name
        return out

    def issue_create(self, request: Request, v: str) -> Any:
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
            raise HttpError(400, {"errorMessages": ["Can not deserialize instance of com.atlassian.jira.rest.v2.issue.IssueUpdateBean"], "errors": {}})
        errors: dict[str, str] = {}
        values = self._check_fields(body["fields"], v, errors, creating=True)
        if errors:
            raise HttpError(400, {"errorMessages": [], "errors": errors})
        project = values.pop("project")
        issuetype = values.pop("issuetype")
        summary = values.pop("summary")
        issue = self._new_issue(project, issuetype, summary, reporter=request.principal, **values)
        return Response(201, {"id": str(issue.id), "key": issue.key, "self": f"{self._base()}/rest/api/{v}/issue/{issue.id}"})

    def issue_get(self, request: Request, v: str, ref: str) -> Any:
        issue = self._find(ref)
        return self._issue_json(issue, v, self._wanted(request.params("fields")))

    def issue_update(self, request: Request, v: str, ref: str) -> Any:
        issue = self._find(ref)
        body = request.json() or {}
        self._check_edit(issue, body, request.principal)
        errors: dict[str, str] = {}
        values = self._check_fields(body.get("fields") or {}, v, errors, creating=False)
        update = dict(body.get("update") or {})
        comments = self._comment_ops(update.pop("comment", []), v, errors)
        for name, ops in update.items():
            if name != "labels":
                errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
                continue
            labels = list(values.get("labels", issue.labels))
            for op in ops:
                if "add" in op and op["add"] not in labels:
                    labels.append(op["add"])
                if "remove" in op and op["remove"] in labels:
                    labels.remove(op["remove"])
                if "set" in op:
                    labels = list(op["set"])
            values["labels"] = labels
        if errors:
            raise HttpError(400, {"errorMessages": [], "errors": errors})
        for name, value in values.items():
            setattr(issue, name, value)
        self._add_comments(issue, comments, request.principal)
        issue.updated = self.now()
        self._written(issue)
        return Response(204, None)

    # -- editing: the edit screen and the Edit Issues permission ---------------------------
    def _edit_rules(self) -> None:
        """What an edit of an issue may set, as a site's configuration decides: `edit_screen`, the
        fields on the project's edit screen (None: every field the create takes, as in a default
        project), and `editors`, the accounts with the Edit Issues permission (None: everyone).
        Change them on the fake as a test needs."""
        self.edit_screen: set[str] | None = None
        self.editors: set[str] | None = None

    def _check_edit(self, issue: JiraIssue, body: dict[str, Any], principal: str | None) -> None:
        """Jira's refusals of an edit: 403 without the Edit Issues permission in the issue's project,
        and a 400 naming each field that is not on the edit screen (Atlassian's own wording)."""
        if self.editors is not None and principal not in self.editors:
            raise HttpError(403, {"errorMessages": ["You do not have permission to edit issues in this project."], "errors": {}})
        if self.edit_screen is None:
            return
        fields = body.get("fields") or {}
        errors = {
            name: f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
            for name in [*fields, *(body.get("update") or {})]
            if name not in self.edit_screen and name != "comment"
        }
        if errors:
            raise HttpError(400, {"errorMessages": [], "errors": errors})

    # -- comments --------------------------------------------------------------------------
    def _comment_body(self, body: Any, v: str, errors: dict[str, str]) -> Any:
        """A comment body as this API version takes it: v3 an Atlassian Document, v2 text."""
        if v == "3":
            if not _is_adf(body):
                errors["comment"] = "Comment body is not valid!"
            elif not adf_text(body).strip():
                errors["comment"] = "Comment body can not be empty!"
        elif not isinstance(body, str):
            errors["comment"] = "Operation value must be a string"
        elif not body.strip():
            errors["comment"] = "Comment body can not be empty!"
        return body

    def _comment_ops(self, ops: Any, v: str, errors: dict[str, str]) -> list[Any]:
        """The bodies of `update: {"comment": [{"add": {"body": ...}}]}`."""
        if not isinstance(ops, list) or not all(isinstance(op, dict) and isinstance(op.get("add"), dict) for op in ops):
            errors["comment"] = "Operation value must be a list of add operations"
            return []
        return [self._comment_body(op["add"].get("body"), v, errors) for op in ops]

    def _add_comments(self, issue: JiraIssue, bodies: list[Any], author: str | None) -> list[JiraComment]:
        added = []
        for body in bodies:
            self._next_comment += 1
            added.append(JiraComment(self._next_comment, author, body, self.now()))
        issue.comments.extend(added)
        return added

    def comments_list(self, request: Request, v: str, ref: str) -> Any:
        issue = self._find(ref)
        try:
            start = max(int(request.param("startAt", "0") or 0), 0)
            size = min(max(int(request.param("maxResults", "5000") or 5000), 0), 5000)
        except ValueError:
            raise HttpError(400, {"errorMessages": ["startAt and maxResults must be numbers"], "errors": {}}) from None
        return self._comment_page(issue, v, start, size)

    def comment_add(self, request: Request, v: str, ref: str) -> Any:
        issue = self._find(ref)
        body = request.json()
        if not isinstance(body, dict):
            raise HttpError(400, {"errorMessages": ["Can not deserialize instance of com.atlassian.jira.rest.v2.issue.comment.CommentJsonBean"], "errors": {}})
        errors: dict[str, str] = {}
        text = self._comment_body(body.get("body"), v, errors)
        if errors:
            raise HttpError(400, {"errorMessages": [], "errors": errors})
        (comment,) = self._add_comments(issue, [text], request.principal)
        issue.updated = self.now()
        self._written(issue)
        return Response(201, self._comment_json(issue, comment, v))

    # -- transitions -----------------------------------------------------------------------
    def _available(self, issue: JiraIssue) -> list[tuple[str, str, str]]:
        """(id, name, target status) of the transitions from the issue's status."""
        ids = {name: str(11 + 10 * i) for i, name in enumerate(self.transitions)}
        return [(ids[name], name, to) for name, to in self.transitions.items() if to != issue.status]

    def _resolution_json(self, name: str, v: str) -> dict[str, Any]:
        rid = str(10000 + self.resolutions.index(name))
        return {"self": f"{self._base()}/rest/api/{v}/resolution/{rid}", "id": rid, "description": "", "name": name}

    def transitions_list(self, request: Request, v: str, ref: str) -> Any:
        issue = self._find(ref)
        only = request.param("transitionId")
        expand = {part.strip() for value in request.params("expand") for part in value.split(",")}
        out = []
        for tid, name, to in self._available(issue):
            if only is not None and only != tid:
                continue
            done = self.statuses[to] == "done"
            item: dict[str, Any] = {
                "id": tid,
                "name": name,
                "to": self._status_json(to, v),
                "hasScreen": done,
                "isGlobal": True,
                "isInitial": False,
                "isAvailable": True,
                "isConditional": False,
                "isLooped": False,
            }
            if "transitions.fields" in expand:
                item["fields"] = {}
                if done:
                    item["fields"]["resolution"] = {
                        "required": True,
                        "schema": {"type": "resolution", "system": "resolution"},
                        "name": "Resolution",
                        "key": "resolution",
                        "hasDefaultValue": False,
                        "operations": ["set"],
                        "allowedValues": [self._resolution_json(r, v) for r in self.resolutions],
                    }
            out.append(item)
        return {"expand": "transitions", "transitions": out}

    def transition_do(self, request: Request, v: str, ref: str) -> Any:
        issue = self._find(ref)
        body = request.json()
        if not isinstance(body, dict) or not isinstance(body.get("transition"), dict):
            raise HttpError(400, {"errorMessages": ["Missing 'transition' identifier"], "errors": {}})
        tid = str(body["transition"].get("id", ""))
        target = next((to for i, _, to in self._available(issue) if i == tid), None)
        if target is None:
            raise HttpError(400, {"errorMessages": [f"Transition id '{tid}' is not valid for this issue."], "errors": {}})
        fields, update = body.get("fields") or {}, body.get("update") or {}
        if not isinstance(fields, dict) or not isinstance(update, dict):
            raise HttpError(400, {"errorMessages": ["Can not deserialize instance of com.atlassian.jira.rest.v2.issue.IssueUpdateBean"], "errors": {}})
        errors: dict[str, str] = {}
        resolution = None
        for name, value in fields.items():
            if name != "resolution" or self.statuses[target] != "done":
                errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
                continue
            ref_ = value.get("name") or value.get("id") if isinstance(value, dict) else None
            resolution = next((r for i, r in enumerate(self.resolutions) if ref_ in (r, str(10000 + i))), None)
            if resolution is None:
                errors["resolution"] = f"The resolution '{ref_}' is not valid. Valid values are: {', '.join(self.resolutions)}."
        update = dict(update)
        comments = self._comment_ops(update.pop("comment", []), v, errors)
        for name in update:
            errors[name] = f"Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
        if errors:
            raise HttpError(400, {"errorMessages": [], "errors": errors})
        self._add_comments(issue, comments, request.principal)
        self._enter(issue, target, resolution, self.now())
        return Response(204, None)

    def issue_delete(self, request: Request, v: str, ref: str) -> Any:
        issue = self._find(ref)
        self.delete(issue.key)
        return Response(204, None)

    # -- search ----------------------------------------------------------------------------
    def _search_args(self, request: Request) -> dict[str, Any]:
        if request.method == "POST":
            body = request.json() or {}
            fields = body.get("fields")
            return {
                "jql": body.get("jql", ""),
                "fields": fields if isinstance(fields, list) else ([fields] if isinstance(fields, str) else []),
                "maxResults": body.get("maxResults"),
                "startAt": body.get("startAt"),
                "nextPageToken": body.get("nextPageToken"),
                "reconcileIssues": body.get("reconcileIssues") or [],
            }
        # GET: repeated (as `requests` sends a list) and/or comma-separated.
        parts = [part.strip() for value in request.params("reconcileIssues") for part in value.split(",") if part.strip()]
        ids: list[Any] = [int(part) if part.isdigit() else part for part in parts]
        return {
            "jql": request.param("jql", "") or "",
            "fields": request.params("fields"),
            "maxResults": request.param("maxResults"),
            "startAt": request.param("startAt"),
            "nextPageToken": request.param("nextPageToken"),
            "reconcileIssues": ids,
        }

    @staticmethod
    def _reconcile_ids(values: Any) -> set[int]:
        """The issue ids of `reconcileIssues`: integers (JSON numbers; digits in a query), at most 50."""
        if not isinstance(values, list):
            raise HttpError(400, {"errorMessages": ["reconcileIssues must be an array of issue ids."], "errors": {}})
        ids: set[int] = set()
        for value in values:
            if isinstance(value, bool) or not isinstance(value, int):
                raise HttpError(400, {"errorMessages": [f"Invalid issue id in reconcileIssues: {json.dumps(value)}. Issue ids must be integers."], "errors": {}})
            ids.add(value)
        if len(values) > MAX_RECONCILE:
            raise HttpError(400, {"errorMessages": [f"The number of issues to reconcile must not exceed {MAX_RECONCILE}; {len(values)} were given."], "errors": {}})
        return ids

    def _matching(self, query: str, reconcile: frozenset[int] | set[int] = frozenset()) -> list[JiraIssue]:
        """The issues that match `query`, as search sees them. Key validation reads the database."""
        try:
            tree = jql.parse(query)
        except jql.JqlError as exc:
            raise HttpError(400, {"errorMessages": [str(exc)], "errors": {}}) from None
        if tree is None and self.cloud:
            raise HttpError(400, {"errorMessages": ["Unbounded JQL queries are not allowed here. Please add a search restriction to your query."], "errors": {}})
        problems: list[str] = []
        for _, name, op, values in jql.clauses(tree):
            name = name.lower()
            if name in ("key", "issuekey", "id") and op in ("=", "in"):
                for value in values:
                    if name == "id":
                        continue
                    if not KEY.match(str(value).upper()):
                        problems.append(f"The issue key '{value}' for field '{name}' is invalid.")
                    elif self._current(str(value)) not in self.issues:
                        problems.append(f"An issue with key '{value}' does not exist for field '{name}'.")
            elif name == "project" and op in ("=", "in"):
                for value in values:
                    if not any(str(value).upper() == k or value == p["id"] or value == p["name"] for k, p in self.projects.items()):
                        problems.append(f"The value '{value}' does not exist for the field 'project'.")
            elif name not in ("key", "issuekey", "id", "project", "labels", "status", "statuscategory", "resolution", "assignee", "summary", "text", "description"):
                problems.append(f"Field '{name}' does not exist or you do not have permission to view it.")
        if problems:
            raise HttpError(400, {"errorMessages": problems, "warningMessages": [], "errors": {}})
        seen = self._searchable(set(reconcile))
        found = [i for i in self._candidates(tree, seen) if jql.evaluate(tree, lambda f, o, vals, i=i: self._test(i, f, o, vals))]
        return sorted(found, key=lambda i: i.id)

    def _candidates(self, tree: jql.Node | None, seen: dict[str, JiraIssue]) -> list[JiraIssue]:
        """A superset of the matches, narrowed by a key or label clause (keeps big batches fast)."""
        if tree is not None and tree[0] == "and":
            left, right = self._candidates(tree[1], seen), self._candidates(tree[2], seen)
            return left if len(left) <= len(right) else right
        if tree is not None and tree[0] == "clause" and tree[2] in ("=", "in"):
            name, values = tree[1].lower(), tree[3]
            if name in ("key", "issuekey"):
                return [seen[k] for k in {self._current(str(v)) for v in values} if k in seen]
            if name == "labels" and None not in values:
                wanted = set(values)
                return [i for i in seen.values() if wanted.intersection(i.labels)]
        return list(seen.values())

    def _test(self, issue: JiraIssue, name: str, op: str, values: list[Any]) -> bool:
        name = name.lower()
        negate = op in ("!=", "not in", "!~", "is not")
        if name in ("key", "issuekey"):
            hit = issue.key in [self._current(str(v)) for v in values]
        elif name == "id":
            hit = str(issue.id) in [str(v) for v in values]
        elif name == "project":
            p = self.projects[issue.project]
            hit = any(str(v).upper() == issue.project or v in (p["id"], p["name"]) for v in values)
        elif name == "labels":
            hit = not issue.labels if values == [None] else any(v in issue.labels for v in values)
        elif name == "status":
            hit = any(str(v).lower() == issue.status.lower() for v in values)
        elif name == "statuscategory":
            cat = CATEGORIES[self.statuses[issue.status]]
            hit = any(str(v).lower() in (cat["key"], cat["name"].lower(), str(cat["id"])) for v in values)
        elif name == "resolution":
            if values == [None]:
                hit = issue.resolution is None
            else:
                hit = any((issue.resolution is None and str(v).lower() == "unresolved") or (issue.resolution or "").lower() == str(v).lower() for v in values)
        elif name == "assignee":
            hit = issue.assignee is None if values == [None] else issue.assignee in values
        else:  # summary, description, text: Jira matches words, not substrings
            if name == "summary":
                text = issue.summary
            elif name == "description":
                text = adf_text(issue.description)
            else:  # `text` searches the comments too
                text = "\n".join([issue.summary, adf_text(issue.description), *(adf_text(c.body) for c in issue.comments)])
            hit = all(jql.words(str(v)) <= jql.words(text) for v in values)
        return not hit if negate else hit

    def _wanted_for_search(self, values: list[str], default_all: bool) -> list[str] | None:
        names = [n.strip() for value in values for n in value.split(",") if n.strip()]
        if not names:
            return None if default_all else []
        return self._wanted(values)

    def search_jql(self, request: Request, v: str) -> Any:
        args = self._search_args(request)
        found = self._matching(args["jql"], self._reconcile_ids(args["reconcileIssues"]))
        # /search/jql returns ids only unless fields are asked for (Atlassian's CHANGE-2046).
        wanted = self._wanted_for_search(args["fields"], default_all=False)
        only_ids = wanted is not None and set(wanted) <= {"id", "key"}
        cap = 5000 if only_ids else 100
        size = min(int(args["maxResults"] or 50), cap)
        offset = 0
        token = args["nextPageToken"]
        if token:
            try:
                offset = json.loads(base64.urlsafe_b64decode(token.encode()))["offset"]
            except (ValueError, KeyError, TypeError):
                raise HttpError(400, {"errorMessages": ["The provided next page token is invalid or expired."], "errors": {}}) from None
        page = found[offset : offset + size]
        issues = []
        for issue in page:
            if wanted == []:
                issues.append({"id": str(issue.id)})
            else:
                issues.append(self._issue_json(issue, v, wanted))
        body: dict[str, Any] = {"issues": issues, "isLast": offset + size >= len(found)}
        if not body["isLast"]:
            body["nextPageToken"] = base64.urlsafe_b64encode(json.dumps({"offset": offset + size}).encode()).decode()
        return body

    def search_removed(self, request: Request, v: str) -> Any:
        raise HttpError(410, {"errorMessages": [REMOVED_SEARCH], "errors": {}})

    def search_paged(self, request: Request, v: str) -> Any:
        args = self._search_args(request)
        found = self._matching(args["jql"])
        wanted = self._wanted_for_search(args["fields"], default_all=True)
        start = int(args["startAt"] or 0)
        size = min(int(args["maxResults"] or 50), 1000)
        page = found[start : start + size]
        return {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(found),
            "issues": [self._issue_json(i, v, wanted) for i in page],
        }

