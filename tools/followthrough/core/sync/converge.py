"""Converging on one ticket per action item, on plain values: what a run does for each item,
decided from what the tracker holds now, never from what an earlier run meant to do.

Whatever happened before (a crash, two runs on two machines, a search that lags behind
writes, a create the server applied after the client gave up), each run finds every ticket
carrying an item's marker and ends with one: the ticket the file names, else the oldest. The
other open ones are closed as its duplicates. A ticket another item names is never linked or
closed (item ids by position shift when an item is inserted, and their markers with them).

A create whose outcome is unknown is pending: it is never sent again in the same run, and on
a later one only when the marker look-up is known to see it (GitHub's listing, Data Center's
search, a ticket whose key the reply gave) or when `settle` seconds have passed since it was
sent (Jira Cloud's search may lag behind writes by seconds to minutes).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Container, Sequence

from followthrough.core.model import PendingCreate, TicketState
from followthrough.core.sync.tickets import RemoteTicket


@dataclass(frozen=True)
class Keep:
    """The item names `ref`: keep it, close `duplicates` as duplicates of it."""

    ref: str
    duplicates: tuple[RemoteTicket, ...] = ()
    note: str = ""  # said in the summary, nothing done about it


@dataclass(frozen=True)
class Link:
    """An item without `ticket:` whose marker found `ticket`: write it into the file."""

    ticket: RemoteTicket
    duplicates: tuple[RemoteTicket, ...] = ()


@dataclass(frozen=True)
class Create:
    pass


@dataclass(frozen=True)
class Wait:
    """A pending create not found yet, on a look-up that may not see it yet: do nothing."""

    message: str


@dataclass(frozen=True)
class Refuse:
    """Neither link nor create; the message says what the user is to do (a failure)."""

    message: str


Decision = Keep | Link | Create | Wait | Refuse


def fold(ref: str) -> str:
    """Refs compare without case: Jira keys are upper case however written, GitHub owners and repos ignore case."""
    return ref.strip().lower()


def decide(
    named: str | None,
    hits: Sequence[RemoteTicket],
    claimed: Container[str],
    before: TicketState | None,
    pending: PendingCreate | None,
    *,
    consistent: bool,
    now: datetime,
    settle: float,
) -> Decision:
    """What to do for one item.

    `named`: the ticket its file names (normalized), None when it names none. `hits`: every
    ticket carrying its marker. `claimed`: refs (folded) other items name, or the state file
    gives other items. `before`: its state entry. `pending`: its create of unknown outcome.
    `consistent`: the look-up behind `hits` sees every ticket created before it."""
    free = [h for h in hits if fold(h.ref) not in claimed]
    if named is not None:
        kept = next((h for h in free if fold(h.ref) == fold(named)), None)
        others = [h for h in free if fold(h.ref) != fold(named) and h.is_open]
        if kept is not None and kept.duplicate and others:
            # The file names a ticket closed as a duplicate (two branches linked the item to two
            # tickets, and the merge kept the other one): closing the open one would leave none.
            return Keep(named, note=f"names {named}, which is {'closed' if not kept.is_open else 'marked'} as a duplicate; {others[0].ref} carries its marker and is open: write `ticket: {others[0].ref}`")
        return Keep(named, tuple(others))
    if before is not None and any(fold(h.ref) == fold(before.ticket) for h in free):
        return Refuse(
            f"its marker belongs to {before.ticket}, linked to this item before and since removed from the file; "
            f"write `ticket: {before.ticket}` back, or give a new item its own `id`"
        )
    if free:
        candidates = [h for h in free if not h.duplicate] or free
        kept_ticket = min(candidates, key=lambda h: (h.number, h.ref))
        return Link(kept_ticket, tuple(h for h in free if h is not kept_ticket and h.is_open))
    if pending is None or consistent or pending.ticket is not None:
        return Create()
    waited = (now - pending.since).total_seconds()
    if waited >= settle:
        return Create()
    return Wait(
        f"a create sent at {pending.since:%Y-%m-%d %H:%M:%S} UTC got no answer ({pending.why or 'outcome unknown'}) and its "
        f"ticket is not found by its marker yet (the search may lag behind writes); the next sync looks again, "
        f"and creates it if it is still not found {_minutes(settle)} after it was sent"
    )


def _minutes(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:g} minute{'' if minutes == 1 else 's'}"
