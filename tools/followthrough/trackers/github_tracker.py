"""GitHub.com and GitHub Enterprise Server issues through PyGithub, with its own retries off.

Markers sit in a hidden line of the issue body. One listing of the repository's issues
labelled `postmortem` (state=all, 100 a page, oldest first) serves both the marker
look-up before creating and the status pull: ceil(N/100) requests per run. Search is
not used: it needs `is:issue` and lags behind new issues. `/issues` lists pull requests
too; they are skipped by their URL (`is_pull_request`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime
from typing import Any, Callable, Mapping, Sequence, TypeVar

import requests
from github import Auth, Consts, Github, GithubException
from github.GithubObject import GithubObject

from followthrough.core.dates import utc_date
from followthrough.core.escape import github
from followthrough.core.sync.config import Destination, Secret, whole_seconds
from followthrough.trackers.counting import RequestCounter
from followthrough.trackers.http import looks_like_html, not_api, reached_server, request_failure
from followthrough.core.sync.markers import hidden, markers_in
from followthrough.trackers.retry import RETRY_STATUSES, RetryPolicy, ambiguous
from followthrough.core.ticket_refs import github_number
from followthrough.core.sync.tickets import Closing, FetchResult, Link, NewTicket, RemoteTicket, TicketUpdate, TrackerFailure

T = TypeVar("T")
MAX_LABEL = 50  # GitHub refuses longer label names
DUE = re.compile(r"\bDue: (\d{4}-\d{2}-\d{2})\b")
# The line sync writes ("Owner: … · Due: D · Priority: …", or "Due: D" on its own line when it put
# one back): read before any other `Due:` a person wrote in the body ("Due: 2026-05-01 was the
# vendor's date").
FACTS_DUE = re.compile(r"^(?:Owner: [^\n]*? · )?Due: (\d{4}-\d{2}-\d{2})(?= · |[ \t]*$)", re.M)
_RATE_LIMITED = ("rate limit", "abuse")


def description_markdown(paragraphs: Sequence[Sequence[Link]], hidden: str) -> str:
    """The issue body: the hidden marker line, then each paragraph with every text escaped for
    GitHub (a title cannot mention, link or close the comment) and only http(s) links."""

    def md(part: Link) -> str:
        return github.link(part.text, part.url) if part.url else github.text(part.text)

    return "\n\n".join([hidden, *("".join(md(p) for p in para) for para in paragraphs)]) + "\n"


def github_failure(exc: GithubException, what: str, *, write: bool, policy: RetryPolicy) -> TrackerFailure:
    """An HTTP error from GitHub. A 403 or 429 is a rate limit when it says so or says when to
    come back (primary and secondary limits answer either); those are retried after the wait."""
    status = exc.status
    data = exc.data if isinstance(exc.data, dict) else {}
    message = str(data.get("message") or "")
    details = "; ".join(str(e.get("message") or f"{e.get('field')} {e.get('code')}") for e in data.get("errors", []) if isinstance(e, dict))
    text = message + (f" ({details})" if details else "")
    wait = policy.retry_after(exc.headers)
    limited = status in (403, 429) and (any(w in message.lower() for w in _RATE_LIMITED) or wait is not None)
    return TrackerFailure(
        f"{what}: HTTP {status}: {text}".rstrip(": "),
        status=status,
        retry=status in RETRY_STATUSES or limited,
        ambiguous=ambiguous(status, write),
        retry_after=wait if (limited or status in RETRY_STATUSES) else None,
        what=what,
        reply=text or _page_or_text(str(data.get("data") or "")),
        fields=tuple(str(e["field"]) for e in data.get("errors", []) if isinstance(e, dict) and e.get("field")),
    )


def _page_or_text(raw: str) -> str:
    return "an HTML page (a gateway's error)" if looks_like_html(raw) else " ".join(raw.split())[:300]


def is_pull_request(issue: Any) -> bool:
    """`/issues` lists pull requests too. Told by the URL the listing carries: reading
    `pull_request` on an issue that has none makes PyGithub fetch it again (one GET each)."""
    return "/pull/" in (issue.html_url or "")


def _label(text: str) -> str:
    return text[:MAX_LABEL]


def _day(moment: datetime | None) -> date | None:
    return utc_date(moment) if isinstance(moment, datetime) else None


def _due_match(body: str) -> re.Match[str] | None:
    """The `Due:` of the facts line sync wrote, else the first one in the body."""
    return FACTS_DUE.search(body) or DUE.search(body)


def body_due(body: str) -> date | None:
    """The issue's due date as its body says it; None without one, or when a person made it a
    day that does not exist (`Due: 2026-06-31`): one issue's typo is not the destination's failure."""
    found = _due_match(body)
    if found is None:
        return None
    try:
        return date.fromisoformat(found.group(1))
    except ValueError:
        return None


def with_due(body: str, due: date) -> str:
    """`body` with the date of its `Due:` (the one sync wrote in the facts line) replaced, every
    other character as it was; a body without one (a person took it out) gets a `Due:` line at the end."""
    found = _due_match(body)
    if found is not None:
        return body[: found.start(1)] + due.isoformat() + body[found.end(1) :]
    return body + ("" if body.endswith("\n") or not body else "\n") + f"\nDue: {due.isoformat()}\n"


def listed_data(obj: Any) -> dict[str, Any]:
    """The attributes an object was built from, as the listing carried them. `raw_data` of a listed
    issue would fetch the issue again (one GET each) to complete it; the base class's does not."""
    data = GithubObject.raw_data.fget(obj)  # type: ignore[attr-defined]
    return data if isinstance(data, dict) else {}


def field_due(values: Any, field_id: int) -> date | None:
    """The date an issue's `issue_field_values` hold for the field `field_id`."""
    for value in values if isinstance(values, list) else ():
        if isinstance(value, dict) and value.get("issue_field_id") == field_id and isinstance(value.get("value"), str):
            try:
                return date.fromisoformat(value["value"][:10])
            except ValueError:
                return None
    return None


class GitHubTracker:
    def __init__(self, dest: Destination, token: Secret | None, policy: RetryPolicy, counter: RequestCounter, timeout: float, label: str) -> None:
        self.name = dest.name
        self.dest = dest
        self._token = token
        self.policy = policy
        self.counter = counter
        self.timeout = whole_seconds(timeout)
        self.label = label
        self.gh: Github | None = None
        self.repo: Any = None
        self._index: dict[str, RemoteTicket] | None = None  # ref -> ticket, from the listing
        self._issues: dict[str, Any] = {}  # ref -> PyGithub's issue, to edit without reading it again
        self._field_id: int | None = None  # the `due_field` issue field's id, resolved once by connect
        self.consistent = True  # the listing shows every issue created before it was read

    def _call(self, what: str, method: str, call: Callable[[], T]) -> T:
        write = method != "GET"
        try:
            result = call()
        except GithubException as exc:
            data = exc.data
            raw = data.get("data") if isinstance(data, dict) else data
            if isinstance(raw, (str, bytes)) and looks_like_html(raw) and exc.status < 500:
                raise not_api(what) from None  # a login page, however it is served
            raise github_failure(exc, what, write=write, policy=self.policy) from None
        except requests.JSONDecodeError as exc:
            raise (not_api(what) if looks_like_html(exc.doc) else TrackerFailure(f"{what}: the answer was not JSON", not_api=True, what=what)) from None
        except requests.RequestException as exc:
            if reached_server(exc):
                self.counter.add("write" if write else "read")  # sent, but no reply to count
            raise request_failure(exc, what, write=write, timeout=self.timeout) from None
        except (TypeError, AttributeError, KeyError):
            # PyGithub takes a 2xx page that is not JSON as {"data": page} and fails building
            # objects of it: what answered is not GitHub's API.
            raise TrackerFailure(f"{what}: the answer was not GitHub's API", not_api=True, what=what) from None
        raw = getattr(result, "raw_data", None) if not isinstance(result, (list, tuple)) else None
        if isinstance(raw, dict) and set(raw) == {"data"} and isinstance(raw["data"], str):
            raise not_api(what) if looks_like_html(raw["data"]) else TrackerFailure(f"{what}: the answer was not GitHub's API", not_api=True, what=what)
        return result

    def connect(self) -> None:
        if not self._token:
            raise TrackerFailure(f"no token: set {self.dest.token_env} to a token that may write issues in {self.dest.where}")
        between = self.dest.seconds_between_requests
        writes = self.dest.seconds_between_writes
        self.gh = Github(
            base_url=self.dest.url,
            auth=Auth.Token(self._token.reveal()),
            timeout=self.timeout,
            per_page=100,
            retry=None,  # no blind re-sends of a create; see retry.py
            seconds_between_requests=Consts.DEFAULT_SECONDS_BETWEEN_REQUESTS if between is None else between,
            seconds_between_writes=Consts.DEFAULT_SECONDS_BETWEEN_WRITES if writes is None else writes,
            user_agent="followthrough-sync",
        )
        gh = self.gh
        # One GET: a wrong repo name or a token without access fails here, once, clearly.
        self.repo = self.policy.read(lambda: self._call(f"open {self.dest.where}", "GET", lambda: gh.get_repo(self.dest.repo or "")))
        if self.dest.due_field:
            self._field_id = self._resolve_field(self.dest.due_field)

    def _resolve_field(self, name: str) -> int:
        """The id of the organization's date issue field `name` (`GET /orgs/{org}/issue-fields`,
        once a run). An organization without it, or with issue fields off, stops the destination
        with a message naming the setting."""
        assert self.gh is not None
        requester = self.gh.requester
        org = (self.dest.repo or "").split("/", 1)[0]
        setting = f"trackers.destinations.{self.name}.due_field"
        try:
            _, fields = self.policy.read(lambda: self._call("list the organization's issue fields", "GET", lambda: requester.requestJsonAndCheck("GET", f"/orgs/{org}/issue-fields")))
        except TrackerFailure as failure:
            if failure.status != 404:
                raise
            raise TrackerFailure(f"{setting}: {org} has no issue fields (GitHub answered 404: issue fields are for organizations that enabled them); remove due_field or enable issue fields") from None
        fields = fields if isinstance(fields, list) else []
        named = [f for f in fields if isinstance(f, dict) and str(f.get("name", "")).casefold() == name.casefold()]
        if not named:
            known = ", ".join(sorted(str(f.get("name")) for f in fields if isinstance(f, dict))) or "none"
            raise TrackerFailure(f"{setting}: {name!r} is not an issue field of the organization {org} (its fields: {known})")
        field = named[0]
        if field.get("data_type") != "date":
            raise TrackerFailure(f"{setting}: the issue field {field.get('name')!r} of {org} is a {field.get('data_type')} field, not a date field")
        return int(field["id"])

    def _field_values(self, issue: Any) -> Any:
        """The issue field values of a listed issue: as the listing carried them, else read on their own."""
        data = listed_data(issue)
        if "issue_field_values" in data:
            return data["issue_field_values"]
        assert self.gh is not None
        requester = self.gh.requester
        url = f"{issue.url}/issue-field-values"
        _, values = self.policy.read(lambda: self._call(f"read the issue fields of #{issue.number}", "GET", lambda: requester.requestJsonAndCheck("GET", url)))
        return values

    def _remote(self, issue: Any) -> RemoteTicket:
        # Only attributes the listing carries: reading others makes PyGithub fetch the issue.
        reason = issue.state_reason
        if issue.state == "closed":
            status = "wont-do" if reason in ("not_planned", "duplicate") else "done"
        else:
            status = "open"
        body = issue.body or ""
        due = body_due(body)
        unfilled = False
        if self._field_id is not None:
            # The field is the due date; the body's line is only text, read while the field is empty.
            in_field = field_due(self._field_values(issue), self._field_id)
            unfilled = in_field is None
            due = due if unfilled else in_field
        assignees = issue.assignees
        return RemoteTicket(
            ref=f"{self.dest.repo}#{issue.number}",
            url=issue.html_url,
            status=status,
            tracker_status=issue.state + (f" ({reason})" if reason and issue.state == "closed" else ""),
            done_on=_day(issue.closed_at) if issue.state == "closed" else None,
            assignee=assignees[0].login if assignees else None,
            due=due,
            markers=frozenset(markers_in(body)),
            number=int(issue.number),
            duplicate=issue.state == "closed" and reason == "duplicate",
            due_unfilled=unfilled,
        )

    def _listing(self) -> dict[str, RemoteTicket]:
        """Every issue labelled `postmortem`, open or closed, 100 a page; once per run."""
        if self._index is not None:
            return self._index
        pages = self.repo.get_issues(state="all", labels=[self.label], sort="created", direction="asc")
        issues: list[Any] = []

        def more() -> None:
            # After a failed page, iterating again replays the pages already read without requests.
            for i, issue in enumerate(pages):
                if i >= len(issues):
                    issues.append(issue)

        self.policy.read(lambda: self._call("list issues", "GET", more))
        self._index = {}
        for issue in issues:
            if is_pull_request(issue):
                continue
            ticket = self._remote(issue)
            self._index[ticket.ref] = ticket
            self._issues[ticket.ref] = issue
        return self._index

    def find_markers(self, markers: Sequence[str], known: Mapping[str, int] | None = None) -> dict[str, list[RemoteTicket]]:
        """Every labelled issue carrying each marker, oldest first (the listing is consistent: `known` is not needed)."""
        wanted = set(markers)
        found: dict[str, list[RemoteTicket]] = {}
        for ticket in self._listing().values():
            for marker in ticket.markers & wanted:
                found.setdefault(marker, []).append(ticket)
        for tickets in found.values():
            tickets.sort(key=lambda t: t.number)
        return found

    def close_duplicate(self, duplicate: RemoteTicket, kept: str, why: str) -> Closing:
        """Closed with state_reason duplicate, then a comment "Duplicate of #N" (which GitHub
        shows as the duplicate link): in that order, so that a comment refused (a locked issue
        answers 403) neither keeps the duplicate open nor is sent again by every later run."""
        issue = self._issues.get(duplicate.ref)
        if issue is None:
            number = int(duplicate.ref.rpartition("#")[2])
            issue = self.policy.read(lambda: self._call(f"read {duplicate.ref}", "GET", lambda: self.repo.get_issue(number)))
        same_repo = kept.rpartition("#")[0].lower() == duplicate.ref.rpartition("#")[0].lower()
        name = f"#{kept.rpartition('#')[2]}" if same_repo else kept
        text = f"Duplicate of {name}\n\n{github.text(why)} followthrough sync keeps {name} and closes this one."
        self.policy.send(lambda: self._call(f"close {duplicate.ref}", "PATCH", lambda: issue.edit(state="closed", state_reason="duplicate")))
        if self._index is not None:
            self._index[duplicate.ref] = self._remote(issue)
        try:
            self.policy.send(lambda: self._call(f"comment on {duplicate.ref}", "POST", lambda: issue.create_comment(text)))
        except TrackerFailure as failure:
            if failure.not_api or failure.status == 401 or (failure.retry and not failure.ambiguous):
                raise  # the destination refusing us, not this issue: the engine stops it
            return Closing(True, f"the comment naming {name} could not be added: {failure}")
        return Closing(True)

    def _set_field(self, issue: Any, due: date) -> None:
        """The due date into the `due_field` issue field (`POST .../issue-field-values`, which adds
        or replaces the values it names and leaves the issue's other fields alone)."""
        assert self.gh is not None and self._field_id is not None
        requester = self.gh.requester
        url = f"{issue.url}/issue-field-values"
        payload = {"issue_field_values": [{"field_id": self._field_id, "value": due.isoformat()}]}
        _, values = self.policy.read(lambda: self._call(f"set {self.dest.due_field} of #{issue.number}", "POST", lambda: requester.requestJsonAndCheck("POST", url, input=payload)))
        if field_due(values, self._field_id) != due:
            raise TrackerFailure(f"set {self.dest.due_field} of #{issue.number}: GitHub did not keep the value (issue fields may be off for this repository)", what="set a field")
        data = listed_data(issue)
        if isinstance(values, list):
            data["issue_field_values"] = values  # the issue as it is now, for `_remote`

    def update(self, ticket: RemoteTicket, change: TicketUpdate) -> RemoteTicket:
        """The due date (the body's `Due:` date, that one date replaced; and the `due_field` issue
        field when set) and the assignee (the one pushed before replaced, any other kept), in one
        edit of the issue (and one write of the field). GitHub drops an assignee change silently
        when the token lacks push access: that is raised, as is any refusal."""
        issue = self._issues.get(ticket.ref)
        number = int(ticket.ref.rpartition("#")[2])
        if issue is None:
            issue = self.policy.read(lambda: self._call(f"read {ticket.ref}", "GET", lambda: self.repo.get_issue(number)))
        edits: dict[str, Any] = {}
        if change.due is not None:
            body = issue.body or ""
            changed = with_due(body, change.due)
            if changed != body:
                edits["body"] = changed
        if change.assignee is not None:
            others = [a.login for a in issue.assignees if a.login not in (change.assignee, change.replaces)]
            edits["assignees"] = [change.assignee, *others]
        if edits:
            # The same edit twice leaves the same issue: a lost answer is simply retried.
            self.policy.read(lambda: self._call(f"update {ticket.ref}", "PATCH", lambda: issue.edit(**edits)))
        if change.assignee is not None and change.assignee not in [a.login for a in issue.assignees]:
            raise TrackerFailure(
                f"update {ticket.ref}: GitHub did not assign {change.assignee} (it drops an assignee change silently when the token's "
                f"account lacks push access to {self.dest.repo})",
                what=f"update {ticket.ref}",
                fields=("assignees",),
            )
        if change.due is not None and self._field_id is not None:
            self._set_field(issue, change.due)
        remote = self._remote(issue)
        self._issues[ticket.ref] = issue
        if self._index is not None and ticket.ref in self._index:
            self._index[ticket.ref] = remote
        return replace(remote, ref=ticket.ref)

    def normalize_ref(self, ticket: str) -> str | None:
        parsed = github_number(ticket)
        if parsed is None:
            return None
        repo, number = parsed
        return f"{repo or self.dest.repo}#{number}"

    def fetch(self, refs: Sequence[str], known: Mapping[str, int] | None = None) -> FetchResult:
        """From the run's listing, but `known` refs (tickets this run wrote, or is about to close
        duplicates for) are read on their own, as they are now: a run on another machine may have
        closed one since the listing."""
        result = FetchResult()
        index = self._listing()
        lowered = {ref.lower(): t for ref, t in index.items()}
        now = {ref.lower() for ref in known or ()}
        for ref in dict.fromkeys(refs):
            hit = lowered.get(ref.lower())
            if hit is not None and ref.lower() not in now:
                result.found[ref] = hit
                continue
            # Linked by hand, or its `postmortem` label was removed: read it on its own.
            repo_name, _, number = ref.rpartition("#")
            gh = self.gh
            assert gh is not None

            def get(repo_name: str = repo_name, number: str = number) -> Any:
                repo = self.repo if repo_name.lower() == (self.dest.repo or "").lower() else gh.get_repo(repo_name, lazy=True)
                return repo.get_issue(int(number))

            try:
                issue = self.policy.read(lambda get=get: self._call(f"read {ref}", "GET", get))
            except TrackerFailure as failure:
                if failure.status in (404, 410):
                    result.missing.append(ref)
                    continue
                raise
            ticket = self._remote(issue)
            result.found[ref] = replace(ticket, ref=ref)
        return result

    def create(self, ticket: NewTicket) -> RemoteTicket:
        repo = self.repo
        labels = list(dict.fromkeys(_label(x) for x in ticket.labels))
        body = description_markdown(ticket.paragraphs, hidden(ticket.marker_line))
        if ticket.due and _due_match(body) is None:
            body += f"\nDue: {ticket.due.isoformat()}\n"  # GitHub has no due date field; this line is it
        kwargs: dict[str, Any] = {"title": ticket.title[:256], "body": body, "labels": labels}
        if ticket.assignee:
            kwargs["assignees"] = [ticket.assignee]
        issue = self._call(f"create an issue in {self.dest.where}", "POST", lambda: repo.create_issue(**kwargs))
        if self._field_id is not None and ticket.due:
            try:
                self._set_field(issue, ticket.due)
            except TrackerFailure:
                pass  # made all the same: its due date reads back empty, which the engine records as not pushed yet
        remote = self._remote(issue)
        if self._index is not None:
            self._index[remote.ref] = remote
        self._issues[remote.ref] = issue
        return remote
