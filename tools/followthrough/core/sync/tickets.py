"""What sync hands a tracker and what it reads back, in the same shape for Jira and GitHub.

A tracker adapter turns these into one client call each and turns whatever the client
raises into a `TrackerFailure` saying whether trying again can help and whether a write
might have happened anyway (the caller then looks the marker up before writing again).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Protocol, Sequence

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
class RemoteTicket:
    ref: str  # PAY-12, acme/web#7: what goes into `ticket:`
    url: str
    status: str = "open"  # open | in-progress | done | wont-do
    tracker_status: str = ""
    done_on: date | None = None
    assignee: str | None = None  # the tracker's id for the person
    due: date | None = None
    markers: frozenset[str] = field(default_factory=frozenset)


class TrackerFailure(TrackerError):
    """A request failed. `retry`: worth trying again; `ambiguous`: a write may have happened;
    `what` we were doing, and either the `reason` there was no HTTP status or the server's
    `reply`, for callers that word their own message (the report)."""

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
    ) -> None:
        super().__init__(message)
        self.message, self.status, self.retry_after = message, status, retry_after
        self.retry, self.ambiguous = retry, ambiguous
        self.what, self.reason, self.reply = what, reason, reply

    def __str__(self) -> str:
        return self.message


@dataclass
class FetchResult:
    found: dict[str, RemoteTicket] = field(default_factory=dict)  # by the ref asked for
    missing: list[str] = field(default_factory=list)  # refs the tracker says do not exist


class Tracker(Protocol):
    """One destination. Every method makes real requests; none retries on its own."""

    name: str

    def connect(self) -> None: ...

    def find_markers(self, markers: Sequence[str]) -> dict[str, RemoteTicket]: ...

    def find_recent_markers(self, markers: Sequence[str]) -> dict[str, RemoteTicket]: ...

    def create(self, ticket: NewTicket) -> RemoteTicket: ...

    def fetch(self, refs: Sequence[str]) -> FetchResult: ...

    def normalize_ref(self, ticket: str) -> str | None: ...
