"""A stateful loopback Jira: Cloud (REST v2 and v3) or Data Center (REST v2).

Serves what `jira.JIRA` calls for creating, reading, updating and searching issues:
`serverInfo`, `myself`, `field`, `project`, `issue` (POST/GET/PUT/DELETE), and search —
`/search/jql` with `nextPageToken` on Cloud, where the removed `/search` answers 410 as
Atlassian's does since 2025; `/search` with `startAt` on Data Center. Replies follow the
shapes of Atlassian's REST reference: issues as {id, key, self, fields}, errors as
{errorMessages, errors}, v3 descriptions in Atlassian Document Format.
"""

from __future__ import annotations

import base64
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

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
    "resolutiondate", "project", "issuetype", "created", "updated", "reporter",
)  # fmt: skip
CLAUSE_NAMES = {"duedate": ["due", "duedate"], "resolutiondate": ["resolutiondate", "resolved"], "issuetype": ["issuetype", "type"]}


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
    """`deployment` is "Cloud" (basic auth email:API token) or "Server" (Data Center, bearer PAT)."""

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
        self.issues: dict[str, JiraIssue] = {}
        self.deleted: set[str] = set()
        self._next_id = 10000
        self._next_number: dict[str, int] = {}
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
        with self.lock:
            issue = self.issues[key]
            assert status in self.statuses, status
            issue.status = status
            if self.statuses[status] == "done":
                issue.resolution = resolution or "Done"
                issue.resolutiondate = when or self.now()
            else:
                issue.resolution = None
                issue.resolutiondate = None
            issue.updated = when or self.now()

    def set_fields(self, key: str, **fields: Any) -> None:
        with self.lock:
            issue = self.issues[key]
            for name, value in fields.items():
                setattr(issue, name, value)
            issue.updated = self.now()

    def delete(self, key: str) -> None:
        with self.lock:
            del self.issues[key]
            self.deleted.add(key)

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
        if "duedate" in data and data["duedate"] is not None:
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
        errors: dict[str, str] = {}
        values = self._check_fields(body.get("fields") or {}, v, errors, creating=False)
        for name, ops in (body.get("update") or {}).items():
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
        issue.updated = self.now()
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
            }
        return {
            "jql": request.param("jql", "") or "",
            "fields": request.params("fields"),
            "maxResults": request.param("maxResults"),
            "startAt": request.param("startAt"),
            "nextPageToken": request.param("nextPageToken"),
        }

    def _matching(self, query: str) -> list[JiraIssue]:
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
                    elif str(value).upper() not in self.issues:
                        problems.append(f"An issue with key '{value}' does not exist for field '{name}'.")
            elif name == "project" and op in ("=", "in"):
                for value in values:
                    if not any(str(value).upper() == k or value == p["id"] or value == p["name"] for k, p in self.projects.items()):
                        problems.append(f"The value '{value}' does not exist for the field 'project'.")
            elif name not in ("key", "issuekey", "id", "project", "labels", "status", "statuscategory", "resolution", "assignee", "summary", "text", "description"):
                problems.append(f"Field '{name}' does not exist or you do not have permission to view it.")
        if problems:
            raise HttpError(400, {"errorMessages": problems, "warningMessages": [], "errors": {}})
        found = [i for i in self._candidates(tree) if jql.evaluate(tree, lambda f, o, vals, i=i: self._test(i, f, o, vals))]
        return sorted(found, key=lambda i: i.id)

    def _candidates(self, tree: jql.Node | None) -> list[JiraIssue]:
        """A superset of the matches, narrowed by a key or label clause (keeps big batches fast)."""
        if tree is not None and tree[0] == "and":
            left, right = self._candidates(tree[1]), self._candidates(tree[2])
            return left if len(left) <= len(right) else right
        if tree is not None and tree[0] == "clause" and tree[2] in ("=", "in"):
            name, values = tree[1].lower(), tree[3]
            if name in ("key", "issuekey"):
                return [self.issues[k] for k in {str(v).upper() for v in values} if k in self.issues]
            if name == "labels" and None not in values:
                wanted = set(values)
                return [i for i in self.issues.values() if wanted.intersection(i.labels)]
        return list(self.issues.values())

    def _test(self, issue: JiraIssue, name: str, op: str, values: list[Any]) -> bool:
        name = name.lower()
        negate = op in ("!=", "not in", "!~", "is not")
        if name in ("key", "issuekey"):
            hit = issue.key in [str(v).upper() for v in values]
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
            text = issue.summary if name == "summary" else f"{issue.summary}\n{adf_text(issue.description)}"
            hit = all(jql.words(str(v)) <= jql.words(text) for v in values)
        return not hit if negate else hit

    def _wanted_for_search(self, values: list[str], default_all: bool) -> list[str] | None:
        names = [n.strip() for value in values for n in value.split(",") if n.strip()]
        if not names:
            return None if default_all else []
        return self._wanted(values)

    def search_jql(self, request: Request, v: str) -> Any:
        args = self._search_args(request)
        found = self._matching(args["jql"])
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
