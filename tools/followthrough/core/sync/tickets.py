"""What sync hands a tracker and what it reads back, in the same shape for Jira and GitHub.

A tracker adapter turns these into one client call each and turns whatever the client
raises into a `TrackerFailure` saying whether trying again can help and whether a write
might have happened anyway (the caller then looks the marker up before writing again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Mapping, Protocol, Sequence

from followthrough.core.errors import TrackerError


@dataclass(frozen=True)
class Link:
    text: str
    url: str | None = None  # None: plain text


@dataclass(frozen=True)
class NewTicket:
    marker: str
    marker_line: str  # readable form of the marker, carried in the description
    title: str
    paragraphs: tuple[tuple[Link, ...], ...]  # the description, before tracker-specific markup
    labels: tuple[str, ...]
    assignee: str | None = None  # Jira accountId / username, GitHub login
    due: date | None = None
    priority: str | None = None  # the tracker's own name for it


@dataclass(frozen=True)
class TicketUpdate:
    """A reviewed change of the file written to an existing ticket: its due date and assignee
    alone (None: that one is not written). `replaces`: the tracker id of the assignee pushed
    before, which GitHub takes off while keeping any other assignee a person added."""

    due: date | None = None
    assignee: str | None = None
    replaces: str | None = None


@dataclass(frozen=True)
class RemoteTicket:
    ref: str  # PAY-12, acme/web#7: what goes into `ticket:`
    url: str
    status: str = "open"  # open | in-progress | done | wont-do
    tracker_status: str = ""
    done_on: date | None = None
    assignee: str | None = None  # the tracker's id for the person
    due: date | None = None
    markers: frozenset[str] = field(default_factory=frozenset)
    number: int = 0  # the tracker's own sequence (Jira's issue id, GitHub's issue number): lower is older
    duplicate: bool = False  # closed as a duplicate (GitHub's state_reason, Jira's resolution or label)
    # The destination keeps the due date in a field of its own (GitHub's `due_field`) that this
    # ticket has no value in: made before the field was set up, or its write was refused. `due`
    # is then the description's, and sync fills the field with the file's due date.
    due_unfilled: bool = False

    @property
    def is_open(self) -> bool:
        return self.status in ("open", "in-progress")


class TrackerFailure(TrackerError):
    """A request failed. `retry`: worth trying again; `ambiguous`: a write may have happened;
    `what` we were doing, and either the `reason` there was no HTTP status or the server's
    `reply`, for callers that word their own message (the report). `not_api`: what answered
    is not the tracker's API (an HTML page: a proxy's or an SSO login). `fields`: what a
    refused request's answer names as wrong ("assignee")."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retry: bool = False,
        ambiguous: bool = False,
        retry_after: float | None = None,
        what: str = "",
        reason: str = "",
        reply: str = "",
        not_api: bool = False,
        fields: tuple[str, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.retry_after = message, status, retry_after
        self.retry, self.ambiguous, self.not_api = retry, ambiguous, not_api
        self.what, self.reason, self.reply = what, reason, reply
        self.fields = fields  # the fields a refusal (400, 422) names as wrong

    def __str__(self) -> str:
        return self.message


@dataclass
class FetchResult:
    found: dict[str, RemoteTicket] = field(default_factory=dict)  # by the ref asked for
    missing: list[str] = field(default_factory=list)  # refs the tracker says do not exist


@dataclass(frozen=True)
class Closing:
    """What closing a duplicate did: `closed` (or only marked, when the workflow offers no way
    to close it), and a note for the summary when it could not be closed. `already`: nothing
    was done, because the ticket read on its own was closed or marked already (a lagging
    search showed it as it was before a run a moment ago dealt with it)."""

    closed: bool
    note: str = ""
    already: bool = False


class Tracker(Protocol):
    """One destination. Every method makes real requests; none retries on its own.

    `consistent`: a marker look-up sees every ticket created before it (GitHub's listing,
    Data Center's search), so a create whose outcome was unknown and whose marker is not
    found can be sent again; Jira Cloud's search lags behind writes. `known` are ids of
    tickets this run wrote (by marker for `find_markers`, by ref for `fetch`), which Jira Cloud
    is asked to read as they are now."""

    name: str
    consistent: bool

    def connect(self) -> None: ...

    def find_markers(self, markers: Sequence[str], known: Mapping[str, int] | None = None) -> dict[str, list[RemoteTicket]]: ...

    def create(self, ticket: NewTicket) -> RemoteTicket: ...

    def fetch(self, refs: Sequence[str], known: Mapping[str, int] | None = None) -> FetchResult: ...

    def close_duplicate(self, duplicate: RemoteTicket, kept: str, why: str) -> Closing: ...

    def update(self, ticket: RemoteTicket, change: TicketUpdate) -> RemoteTicket:
        """Write `change` to `ticket` (one write; the same write twice is harmless) and return the
        ticket as the tracker has it afterwards, or raise a TrackerFailure naming what it refused."""
        ...

    def normalize_ref(self, ticket: str) -> str | None: ...
