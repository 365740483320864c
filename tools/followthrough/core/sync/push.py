"""Reviewed changes of the file pushed to the ticket, on plain values: which of an item's due date
and owner to write to its ticket, and what the state entry then records as pushed.

The postmortem is reviewed in a pull request, so a due date or owner that differs from what sync
last pushed (`TicketState.pushed_due` / `pushed_owner`) is an approved change, written to the ticket
by the next sync. A change made only in the tracker is never pushed back over: it is reported as
drift (and, for the due date, as a tracker re-date) for the file to record. Nothing else of a ticket
is ever edited.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from followthrough.core.model import ActionItem, Directory, TicketState
from followthrough.core.sync.config import Destination
from followthrough.core.sync.converge import fold
from followthrough.core.sync.tickets import RemoteTicket, TicketUpdate


@dataclass(frozen=True)
class Push:
    """What to write to one ticket, and what its state entry records once written.

    `due` / `assignee` (the tracker's id) are written only when `write_due` / `write_assignee`;
    `replaces` is the tracker id of the owner pushed before (GitHub keeps other assignees).
    `record_due` / `record_owner` become `pushed_due` / `pushed_owner` once the writes succeed."""

    record_due: date | None
    record_owner: str | None
    write_due: bool = False
    due: date | None = None
    write_assignee: bool = False
    assignee: str | None = None
    replaces: str | None = None
    owner: str | None = None  # the handle being assigned, for messages
    previous_due: date | None = None  # the ticket's due date before, for messages
    note: str | None = None  # an owner change that cannot be pushed, and why

    @property
    def writes(self) -> bool:
        return self.write_due or self.write_assignee

    def update(self, *, due: bool = True, assignee: bool = True) -> TicketUpdate:
        """The writes as the tracker adapter takes them (`due` / `assignee` False: leave that one out)."""
        return TicketUpdate(
            due=self.due if due and self.write_due else None,
            assignee=self.assignee if assignee and self.write_assignee else None,
            replaces=self.replaces if assignee and self.write_assignee else None,
        )

    def described(self) -> str:
        """What the push changes, for the summary: 'due 2026-06-15 -> 2026-07-01; assignee -> nia.sme'."""
        parts = []
        if self.write_due and self.due is not None:
            before = self.previous_due.isoformat() if self.previous_due else "none"
            parts.append(f"due {before} -> {self.due.isoformat()}")
        if self.write_assignee:
            parts.append(f"assignee -> {self.owner} ({self.assignee})")
        return "; ".join(parts)


def tracker_id(directory: Directory, handle: str | None, dest: Destination) -> str | None:
    """The tracker account of a people-directory handle (`jira:` / `github:`), None when not known."""
    person = directory.people.get(handle or "")
    if person is None:
        return None
    return person.jira if dest.is_jira else person.github


def plan_push(item: ActionItem, old: TicketState | None, ticket: str, remote: RemoteTicket, directory: Directory, dest: Destination) -> Push:
    """The push for an item whose ticket `remote` was just read.

    An entry of another ticket, no entry, or one written before pushes were recorded (neither
    `pushed_due` nor `pushed_owner`): nothing is pushed, and the file's values are recorded as the
    baseline (the drift report shows where they differ). A due date removed from the file is not
    pushed (a ticket's due date is never cleared); an owner without an id for this tracker in the
    people directory cannot be assigned, which the note says, and stays unrecorded so that the
    push happens once the id is there. A value the ticket holds already costs no write."""
    due, owner = item.due, item.owner or None
    known = old is not None and fold(old.ticket) == fold(ticket) and (old.pushed_due is not None or old.pushed_owner is not None)
    if not known or old is None:
        return Push(record_due=due, record_owner=owner)
    # An empty due field (made before `due_field` was set, or its write refused) is filled with
    # the file's date: what the create would have written.
    write_due = due is not None and ((due != old.pushed_due and remote.due != due) or remote.due_unfilled)
    record_owner = owner
    write_assignee, assignee, note = False, None, None
    if owner != old.pushed_owner and owner is not None:
        assignee = tracker_id(directory, owner, dest)
        if assignee is None:
            record_owner = old.pushed_owner
            key = "jira" if dest.is_jira else "github"
            note = f"owner {owner} (changed from {old.pushed_owner or 'nobody'}) has no `{key}` id in the people directory, so {ticket} is not reassigned"
        else:
            write_assignee = remote.assignee != assignee
    return Push(
        record_due=due if due is not None else old.pushed_due,
        record_owner=record_owner,
        write_due=write_due,
        due=due if write_due else None,
        write_assignee=write_assignee,
        assignee=assignee if write_assignee else None,
        replaces=tracker_id(directory, old.pushed_owner, dest) if write_assignee else None,
        owner=owner,
        previous_due=None if remote.due_unfilled else remote.due,
        note=note,
    )


def pushed(remote: RemoteTicket, push: Push, *, due: bool, assignee: bool) -> RemoteTicket:
    """`remote` as it is after the writes that succeeded (`due`, `assignee`)."""
    return replace(remote, due=push.due if due else remote.due, assignee=push.assignee if assignee else remote.assignee)
