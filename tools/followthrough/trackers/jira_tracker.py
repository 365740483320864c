"""Jira Cloud and Jira Data Center through the `jira` package, with its own retries off.

Cloud: basic auth with an account e-mail and API token, REST v3 (descriptions in Atlassian
Document Format), search through `/rest/api/3/search/jql` (`enhanced_search_issues`, pages
by `nextPageToken`; the old `/search` answers 410 there). Data Center: a personal access
token as bearer, REST v2 (wiki-markup descriptions), `/rest/api/2/search` by `startAt`.
Project and issue type go in by key and name ({"key": ...}), so creating costs one POST
and no lookups; `prefetch=False`, so it is not re-read either. Markers are labels.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Callable, Mapping, Sequence, TypeVar

import requests
from jira import JIRA, JIRAError

from followthrough.core.dates import utc_date
from followthrough.core.escape import jira as wiki
from followthrough.core.escape.common import one_line, web_url
from followthrough.core.sync.config import JIRA_CLOUD, Destination, Secret
from followthrough.trackers.counting import RequestCounter
from followthrough.core.sync.markers import is_marker
from followthrough.trackers.http import looks_like_html, not_api, reached_server, request_failure
from followthrough.trackers.retry import RETRY_STATUSES, RetryPolicy, ambiguous
from followthrough.core.ticket_refs import jira_key
from followthrough.core.sync.tickets import Closing, FetchResult, Link, NewTicket, RemoteTicket, TicketUpdate, TrackerFailure

T = TypeVar("T")
BATCH = 100  # keys or labels per search: one request each (Jira's page size for these fields)
RECONCILE = 50  # issue ids per search read as they are now (Jira Cloud's limit for reconcileIssues)
DUPLICATE_LABEL = "followthrough-duplicate"  # on a duplicate no transition could close: its marker is taken off
FIELDS = ["summary", "status", "resolution", "resolutiondate", "assignee", "duedate", "labels"]


def jql_quote(value: str) -> str:
    """A JQL string literal: double-quoted, with backslash, quote and control characters escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f'"{escaped}"'


def jql_in(field: str, values: Sequence[str]) -> str:
    return f"{field} in ({', '.join(jql_quote(v) for v in values)})"


def paragraph_wiki(parts: Sequence[Link]) -> str:
    """One paragraph of Jira wiki markup (REST v2): links as [text|url], every text escaped (`escape.jira`)."""
    return "".join(wiki.link(p.text, p.url) if p.url else wiki.text(p.text) for p in parts)


def description_wiki(paragraphs: Sequence[Sequence[Link]], marker_line: str) -> str:
    return "\n\n".join([*(paragraph_wiki(para) for para in paragraphs), wiki.monospace(marker_line)])


def paragraph_adf(parts: Sequence[Link]) -> dict[str, Any]:
    """One paragraph of an Atlassian Document (REST v3), links as link marks."""
    nodes = []
    for part in parts:
        if not one_line(part.text):
            continue
        # Text nodes are never parsed: only a link mark links, and only to an http(s) URL.
        node: dict[str, Any] = {"type": "text", "text": one_line(part.text)}
        href = web_url(part.url)
        if href:
            node["marks"] = [{"type": "link", "attrs": {"href": href}}]
        nodes.append(node)
    return {"type": "paragraph", "content": nodes}


def description_adf(paragraphs: Sequence[Sequence[Link]], marker_line: str) -> dict[str, Any]:
    content = [paragraph_adf(para) for para in paragraphs]
    content.append({"type": "paragraph", "content": [{"type": "text", "text": marker_line, "marks": [{"type": "code"}]}]})
    return {"type": "doc", "version": 1, "content": content}


def _day(value: Any) -> date | None:
    """A date field ('2026-06-05') as it is; a date-time ('2026-05-31T23:30:00.000-0500',
    written in the Jira user's zone) as its UTC date, like every other instant."""
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value) if len(value) == 10 else utc_date(datetime.fromisoformat(value))
    except ValueError:
        return None


def _short(text: str, limit: int = 300) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


class JiraTracker:
    def __init__(self, dest: Destination, token: Secret | None, policy: RetryPolicy, counter: RequestCounter, timeout: float) -> None:
        self.name = dest.name
        self.dest = dest
        self.cloud = dest.kind == JIRA_CLOUD
        self._token = token
        self.policy = policy
        self.counter = counter
        self.timeout = timeout
        self.client: JIRA | None = None
        self._issues: dict[str, Any] = {}  # key -> the client's Issue as last read, to update without reading it again
        self.consistent = not self.cloud  # Data Center's search reads the database; Cloud's index lags

    # -- calls -----------------------------------------------------------------------------
    def _call(self, what: str, method: str, call: Callable[[], T]) -> T:
        """One client call = one request (retries are off); failures become TrackerFailure.
        Never the JIRAError's own text: it quotes the request, and with it what was sent."""
        write = method != "GET"
        try:
            return call()
        except JIRAError as exc:
            status = exc.status_code
            headers = exc.response.headers if exc.response is not None else None
            text = exc.text or ""
            if not text and exc.response is not None:
                text = exc.response.reason or ""
            body = exc.response.text if exc.response is not None else text
            if looks_like_html(body) or looks_like_html(text):
                if status is None or status < 500:
                    return self._raise(not_api(what))  # a login page, however it is served
                text = "an HTML page (a gateway's error)"  # a 5xx all the same: worth another try
            return self._raise(
                TrackerFailure(
                    f"{what}: HTTP {status}: {_short(text)}" if status else f"{what}: {_short(text)}",
                    status=status,
                    retry=status in RETRY_STATUSES,
                    ambiguous=ambiguous(status, write),
                    retry_after=self.policy.retry_after(headers),
                    what=what,
                    reply=_short(text),
                    fields=_error_fields(exc.response),
                )
            )
        except requests.JSONDecodeError as exc:
            # A 2xx whose body is not JSON: not Jira's API answering (a login page, a proxy).
            if looks_like_html(exc.doc):
                return self._raise(not_api(what))
            return self._raise(TrackerFailure(f"{what}: the answer was not JSON", not_api=True, what=what, reason="the answer was not JSON"))
        except requests.RequestException as exc:
            if reached_server(exc):
                self.counter.add("write" if write else "read")  # sent, but no reply to count
            return self._raise(request_failure(exc, what, write=write, timeout=self.timeout))

    @staticmethod
    def _raise(failure: TrackerFailure) -> Any:
        raise failure

    def connect(self) -> None:
        if not self._token:
            raise TrackerFailure(f"no token: set {self.dest.token_env} to {'an API token' if self.cloud else 'a personal access token'} for {self.dest.where}")
        token = self._token.reveal()
        auth: dict[str, Any] = {"basic_auth": (self.dest.email or "", token)} if self.cloud else {"token_auth": token}

        def construct() -> JIRA:
            # The constructor reads serverInfo: one GET, and the check that this is the right kind of Jira.
            return JIRA(
                server=self.dest.url,
                options={"rest_api_version": "3" if self.cloud else "2", "check_update": False},
                max_retries=0,
                timeout=self.timeout,
                logging=False,
                **auth,
            )

        client = self.policy.read(lambda: self._call(f"reach {self.dest.url}", "GET", construct))
        deployment = client.deploymentType
        if self.cloud and deployment != "Cloud":
            raise TrackerFailure(f"{self.dest.url} is Jira {deployment or 'Server'}, not Cloud: use type: jira-dc for destination {self.name}")
        if not self.cloud and deployment == "Cloud":
            raise TrackerFailure(f"{self.dest.url} is Jira Cloud: use type: jira-cloud (e-mail and API token) for destination {self.name}")
        self.client = client

    def _search(self, jql: str, what: str, known: Sequence[int] = ()) -> list[dict[str, Any]]:
        """Every issue the JQL finds; on Cloud, the issues of `known` ids (at most 50) as they
        are now rather than as the lagging search index has them (`reconcileIssues`)."""
        assert self.client is not None
        client = self.client
        assert len(known) <= RECONCILE

        def run() -> list[dict[str, Any]]:
            if self.cloud:
                found = client.enhanced_search_issues(jql, maxResults=False, fields=list(FIELDS), reconcileIssues=list(known) or None)
            else:
                found = client.search_issues(jql, maxResults=False, fields=list(FIELDS))
            for issue in found:
                self._issues[str(issue.key)] = issue  # type: ignore[union-attr]
            return [issue.raw for issue in found]  # type: ignore[union-attr]

        return self.policy.read(lambda: self._call(what, "GET", run))

    def _batches(self, values: Sequence[str], known: Mapping[str, int]) -> list[tuple[list[str], list[int]]]:
        """Values in searches of at most BATCH, each with at most RECONCILE known ids (Cloud only)."""
        batches: list[tuple[list[str], list[int]]] = []
        current: list[str] = []
        ids: list[int] = []
        for value in values:
            number = known.get(value) if self.cloud else None
            if len(current) >= BATCH or (number is not None and len(ids) >= RECONCILE):
                batches.append((current, ids))
                current, ids = [], []
            current.append(value)
            if number is not None:
                ids.append(number)
        if current:
            batches.append((current, ids))
        return batches

    # -- reading ---------------------------------------------------------------------------
    def _remote(self, raw: dict[str, Any]) -> RemoteTicket:
        fields = raw.get("fields") or {}
        status = fields.get("status") or {}
        category = (status.get("statusCategory") or {}).get("key", "new")
        name = str(status.get("name") or "")
        resolution = (fields.get("resolution") or {}).get("name")
        wont = {_fold(x) for x in self.dest.wont_do}
        if category == "done":
            mapped = "wont-do" if _fold(resolution or "") in wont or _fold(name) in wont else "done"
        elif category == "indeterminate":
            mapped = "in-progress"
        else:
            mapped = "open"
        assignee = fields.get("assignee") or {}
        who = assignee.get("accountId") if self.cloud else assignee.get("name")
        shown = name + (f" ({resolution})" if resolution and category == "done" else "")
        labels = [str(label) for label in fields.get("labels") or []]
        return RemoteTicket(
            ref=str(raw.get("key")),
            url=f"{self.dest.url}/browse/{raw.get('key')}",
            status=mapped,
            tracker_status=shown,
            done_on=_day(fields.get("resolutiondate")) if category == "done" else None,
            assignee=who,
            due=_day(fields.get("duedate")),
            markers=frozenset(label for label in labels if is_marker(label)),
            number=_number(raw.get("id")),
            duplicate=_fold(resolution or "") == "duplicate" or DUPLICATE_LABEL in labels,
        )

    def find_markers(self, markers: Sequence[str], known: Mapping[str, int] | None = None) -> dict[str, list[RemoteTicket]]:
        """Every ticket carrying each of these marker labels, whatever project it sits in now,
        oldest first. `known`: marker -> id of a ticket this run (or a lost reply) wrote."""
        found: dict[str, list[RemoteTicket]] = {}
        for batch, ids in self._batches(list(dict.fromkeys(markers)), known or {}):
            for raw in self._search(jql_in("labels", batch), "look up markers", ids):
                ticket = self._remote(raw)
                for marker in ticket.markers.intersection(batch):  # exact label, not a word match
                    found.setdefault(marker, []).append(ticket)
        for tickets in found.values():
            tickets.sort(key=lambda t: t.number)
        return found

    def fetch(self, refs: Sequence[str], known: Mapping[str, int] | None = None) -> FetchResult:
        """Status of these keys in ceil(N/100) searches; a deleted key splits its batch. `known`:
        key -> id of tickets this run wrote, read as they are now on Cloud."""
        result = FetchResult()
        keys = list(dict.fromkeys(r.strip().upper() for r in refs))
        ids_of = {k.upper(): v for k, v in (known or {}).items()}
        queue = [batch for batch, _ in self._batches(keys, ids_of)]
        while queue:
            batch = queue.pop(0)
            try:
                raws = self._search(jql_in("key", batch), "read status", [ids_of[k] for k in batch if k in ids_of] if self.cloud else ())
            except TrackerFailure as failure:
                if failure.status != 400:
                    raise
                # One missing key fails the whole query; Jira names it, so drop it and go on.
                named = [k for k in batch if f"'{k}'" in failure.message]
                rest = [k for k in batch if k not in named]
                if named:
                    result.missing.extend(named)
                    if rest:
                        queue.insert(0, rest)
                elif len(batch) == 1:
                    result.missing.append(batch[0])
                else:
                    half = len(batch) // 2
                    queue[:0] = [batch[:half], batch[half:]]
                continue
            seen = set()
            for raw in raws:
                ticket = self._remote(raw)
                result.found[ticket.ref] = ticket
                seen.add(ticket.ref)
            for key in batch:
                if key not in seen:
                    # The query accepted the key, so it exists; Cloud's index may not have it yet
                    # (made a moment ago by a run that crashed). Reading the issue itself is consistent.
                    self._read_one(key, result)
        return result

    def _read_one(self, key: str, result: FetchResult) -> None:
        assert self.client is not None
        client = self.client
        try:
            issue = self.policy.read(lambda: self._call(f"read {key}", "GET", lambda: client.issue(key, fields=",".join(FIELDS))))
        except TrackerFailure as failure:
            if failure.status in (404, 403):
                result.missing.append(key)
                return
            raise
        self._issues[str(issue.key)] = issue
        ticket = self._remote(issue.raw)
        result.found[key] = ticket

    def normalize_ref(self, ticket: str) -> str | None:
        key = ticket.strip().upper()
        return key if jira_key(key) else None

    # -- writing ---------------------------------------------------------------------------
    def create(self, ticket: NewTicket) -> RemoteTicket:
        assert self.client is not None
        client = self.client
        fields: dict[str, Any] = {
            "project": {"key": self.dest.project},
            "issuetype": {"name": self.dest.issue_type},
            "summary": ticket.title[:255],
            "description": description_adf(ticket.paragraphs, ticket.marker_line) if self.cloud else description_wiki(ticket.paragraphs, ticket.marker_line),
            "labels": [_label(x) for x in (*ticket.labels, ticket.marker)],
        }
        if ticket.due is not None:
            fields["duedate"] = ticket.due.isoformat()
        if ticket.priority:
            fields["priority"] = {"name": ticket.priority}
        if ticket.assignee:
            fields["assignee"] = {"accountId": ticket.assignee} if self.cloud else {"name": ticket.assignee}
        issue = self._call(f"create a ticket in {self.dest.where}", "POST", lambda: client.create_issue(fields=fields, prefetch=False))
        self._issues[str(issue.key)] = issue
        return RemoteTicket(
            ref=issue.key,
            url=f"{self.dest.url}/browse/{issue.key}",
            status="open",
            assignee=ticket.assignee,
            due=ticket.due,
            markers=frozenset({ticket.marker}),
            number=_number(issue.id),
        )

    def update(self, ticket: RemoteTicket, change: TicketUpdate) -> RemoteTicket:
        """`duedate` and `assignee` (accountId on Cloud, name on Data Center, as the create sets
        them) in one edit of the issue, through the client's `Issue.update`, which reads the issue
        back after the PUT: two requests, and the ticket as Jira now has it. Any other field is
        left alone. A field the edit screen lacks, an unknown assignee (400) or no permission to
        edit (403) is raised as Jira words it."""
        assert self.client is not None
        client = self.client
        key = ticket.ref
        fields: dict[str, Any] = {}
        if change.due is not None:
            fields["duedate"] = change.due.isoformat()
        if change.assignee is not None:
            fields["assignee"] = {"accountId": change.assignee} if self.cloud else {"name": change.assignee}
        issue = self._issues.get(key.upper())
        if issue is None:
            issue = self.policy.read(lambda: self._call(f"read {key}", "GET", lambda: client.issue(key, fields=",".join(FIELDS))))
            self._issues[key.upper()] = issue
        # Setting a field to a given value twice is harmless, so a lost answer is simply retried.
        self.policy.read(lambda: self._call(f"update {key}", "PUT", lambda: issue.update(fields=fields)))
        return self._remote(issue.raw)

    def close_duplicate(self, duplicate: RemoteTicket, kept: str, why: str) -> Closing:
        """The first of `duplicate_transitions` the workflow offers from its status (with the
        resolution Duplicate where the transition asks for one); when none is offered, or its
        screen wants fields sync cannot fill (a 400), the marker label is swapped for
        `followthrough-duplicate`, so no later run takes it for the item's ticket, and it stays
        open. Then a comment naming the kept ticket: last, so that a close that fails is not
        commented again by every run that retries it."""
        assert self.client is not None
        client = self.client
        key = duplicate.ref
        url = f"{self.dest.url}/browse/{kept}"
        said = (Link(f"Duplicate of {kept}: {why} followthrough sync keeps "), Link(kept, url), Link(" and closes this one."))
        body: Any = {"type": "doc", "version": 1, "content": [paragraph_adf(said)]} if self.cloud else paragraph_wiki(said)
        # Read on its own first, which is consistent: Cloud's search may still show a duplicate a
        # run a moment ago closed or relabelled, and closing it again would relabel and comment twice.
        issue = self.policy.read(lambda: self._call(f"read {key}", "GET", lambda: client.issue(key, fields="status,resolution,labels")))
        now = self._remote(issue.raw)
        if not now.is_open or not duplicate.markers & now.markers:
            return Closing(not now.is_open, already=True)
        offered = self.policy.read(lambda: self._call(f"read the transitions of {key}", "GET", lambda: client.transitions(key, expand="transitions.fields")))
        # Only a transition into a done-category status closes it (a misnamed one into "In Progress"
        # would be taken again by every run); one whose target is not said is taken on its name.
        closing = [t for t in offered if ((t.get("to") or {}).get("statusCategory") or {}).get("key", "done") == "done"]
        by_name = {_fold(str(t.get("name") or "")): t for t in closing}
        chosen = next((by_name[_fold(name)] for name in self.dest.duplicate_transitions if _fold(name) in by_name), None)
        if chosen is not None:
            fields: dict[str, Any] = {}
            resolution = (chosen.get("fields") or {}).get("resolution") or {}
            allowed = [str(v.get("name")) for v in resolution.get("allowedValues") or [] if isinstance(v, dict)]
            named = next((v for v in allowed if _fold(v) == "duplicate"), None)
            if named is not None:
                fields["resolution"] = {"name": named}
            transition = str(chosen.get("id"))
            try:
                self.policy.send(lambda: self._call(f"close {key}", "POST", lambda: client.transition_issue(key, transition, fields=fields or None)))
            except TrackerFailure as failure:
                if failure.status != 400:
                    raise
                # The transition's screen requires fields of this site's own (a root cause, say):
                # sync cannot fill them, so the duplicate is marked like one no transition closes.
                why = f"its transition {chosen.get('name')!r} asks for more than a resolution ({failure.reply or 'HTTP 400'})"
                return self._relabel(duplicate, issue, why, body)
            return Closing(True, self._comment(key, body))
        names = ", ".join(repr(n) for n in self.dest.duplicate_transitions) or "none configured"
        return self._relabel(duplicate, issue, f"its workflow offers none of the transitions {names} (duplicate_transitions)", body)

    def _relabel(self, duplicate: RemoteTicket, issue: Any, why: str, body: Any) -> Closing:
        """Swap the marker label for DUPLICATE_LABEL and comment: the duplicate stays open."""
        key = duplicate.ref
        ops = [{"remove": marker} for marker in sorted(duplicate.markers)] + [{"add": DUPLICATE_LABEL}]
        self.policy.read(lambda: self._call(f"relabel {key}", "PUT", lambda: issue.update(update={"labels": ops})))  # the same labels twice: harmless
        note = f"{key} is left open, labelled {DUPLICATE_LABEL}: {why}"
        comment = self._comment(key, body)
        return Closing(False, f"{note}; {comment}" if comment else note)

    def _comment(self, key: str, body: Any) -> str:
        """The comment naming the kept ticket, after the duplicate is closed or marked: one that
        fails (a 403 for lack of the comment permission, a lost reply) is said, not retried by
        later runs, which leave a closed or relabelled duplicate alone. "" when it was added."""
        assert self.client is not None
        client = self.client
        try:
            self.policy.send(lambda: self._call(f"comment on {key}", "POST", lambda: client.add_comment(key, body)))
        except TrackerFailure as failure:
            if failure.not_api or failure.status == 401 or (failure.retry and not failure.ambiguous):
                raise  # the destination refusing us, not this ticket: the engine stops it
            return f"the comment naming the kept ticket could not be added: {failure}"
        return ""


def _error_fields(response: requests.Response | None) -> tuple[str, ...]:
    """The fields Jira's error answer names (`{"errors": {"assignee": "..."}}`)."""
    try:
        errors = response.json().get("errors") if response is not None else None
    except ValueError:
        return ()
    return tuple(str(k) for k in errors) if isinstance(errors, dict) else ()


def _number(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def _fold(text: str) -> str:
    return text.replace("\u2019", "'").strip().casefold()


def _label(text: str) -> str:
    """Jira labels cannot hold spaces."""
    return "-".join(text.split())
