"""Reconciling what a tracker answered with what sync knew, on plain values: the state entry
of each linked item, the drift between postmortem and ticket, and which entries to keep.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Iterable, Mapping

from followthrough.core.metrics import all_redates, unrecorded
from followthrough.core.model import ActionItem, Directory, TicketState, TrackerRedate
from followthrough.core.sync.config import Destination
from followthrough.core.sync.converge import fold
from followthrough.core.sync.tickets import RemoteTicket

REASON_PLACEHOLDER = "<why the date moved>"


def handle_of(directory: Directory, tracker_id: str | None, dest: Destination) -> str | None:
    """The people directory's handle for a tracker account, else the account as the tracker names it."""
    if tracker_id is None:
        return None
    for handle, person in directory.people.items():
        if (person.jira if dest.is_jira else person.github) == tracker_id:
            return handle
    return tracker_id


def state_entry(old: TicketState | None, ticket: str, remote: RemoteTicket, directory: Directory, dest: Destination, today: date) -> TicketState:
    """The state of a linked item after a pull. `checked` is the day its status was last seen
    to change (or first seen): kept while the tracker reports the same status.

    Of the same ticket, the entry keeps its re-dates and what was pushed to it, and a due date
    that differs from the one the last pull saw is a move made in the tracker: appended to
    `redates` (a move from or to no due date too). A first pull, or a pull of another ticket
    (relinked, or `ticket:` edited by hand), has nothing to compare with."""
    entry = TicketState(
        ticket=ticket,
        url=remote.url,
        status=remote.status,
        tracker_status=remote.tracker_status,
        done_on=remote.done_on,
        assignee=handle_of(directory, remote.assignee, dest),
        due=remote.due,
        checked=None,
    )
    unchanged = old is not None and (old.status, old.tracker_status) == (entry.status, entry.tracker_status)
    checked = old.checked if unchanged and old is not None and old.checked else today
    entry = replace(entry, checked=checked)
    if old is None or fold(old.ticket) != fold(ticket):
        return entry
    return replace(entry, redates=_moved(old.redates, old.due, remote.due, today, dest), pushed_due=old.pushed_due, pushed_owner=old.pushed_owner)


def _moved(redates: tuple[TrackerRedate, ...], before: date | None, now: date | None, today: date, dest: Destination) -> tuple[TrackerRedate, ...]:
    """`redates` after a pull that saw the due date go from `before` to `now`. A date cleared on
    one pull and set on a later one is one move, from the date before the clear (a move to or
    from "no date" alone is shown nowhere, so the two halves would hide it); cleared and put
    back as it was is none."""
    if before == now:
        return redates
    last = redates[-1] if redates else None
    if before is None and now is not None and last is not None and last.to is None and last.from_ is not None:
        return redates[:-1] if last.from_ == now else (*redates[:-1], TrackerRedate(last.from_, now, today, dest.name))
    return (*redates, TrackerRedate(before, now, today, dest.name))


def superseded(redates: tuple[TrackerRedate, ...], item: ActionItem) -> tuple[tuple[TrackerRedate, ...], tuple[TrackerRedate, ...]]:
    """(kept, dropped): once a reviewed due date is written over the ticket's, the moves made in
    the tracker that the file does not record are settled by that review: the reviewed date
    stands, and asking for a `redated:` entry to a date the ticket no longer has would be asked
    on every sync (and could never join the file's chain)."""
    recorded = {(r.from_, r.to) for r in item.redated}
    kept = tuple(r for r in redates if (r.from_, r.to) in recorded)
    return kept, tuple(r for r in redates if (r.from_, r.to) not in recorded)


def unrecorded_redates(item: ActionItem, shown: str, entry: TicketState, dest: Destination) -> list[str]:
    """For an item whose ticket's due date moved in the tracker in ways its `redated:` entries do
    not record (the same test as the site's "no reason recorded", `metrics.all_redates`), the
    lines of the drift report saying so, with the YAML to add to the item: the last move's date
    as `due`, and one `redated:` entry per move, whose reason is for a person to write."""
    moves = list(unrecorded(all_redates(item, entry)))
    if not moves:
        return []
    line = item.line_of("redated") if item.redated else item.line_of("due")
    where = f"{shown}:{line}: {item.id} ({entry.ticket})"
    said = ", ".join(f"{r.from_.isoformat()} -> {r.to.isoformat()} (seen {r.on.isoformat()})" for r in moves)
    lines = [
        f"{where}: the due date moved in {dest.name} without a reason in the file: {said}; if the new date stands, "
        + ("add to the item's `redated:` list and set `due`:" if item.redated else "add to the item:"),
        f"    due: {moves[-1].to.isoformat()}",
    ]
    if not item.redated:
        lines.append("    redated:")
    lines.extend(f"      - {{from: {r.from_.isoformat()}, to: {r.to.isoformat()}, on: {r.on.isoformat()}, reason: {REASON_PLACEHOLDER}}}" for r in moves)
    return lines


def drift(item: ActionItem, shown: str, remote: RemoteTicket, directory: Directory, dest: Destination) -> list[str]:
    """Where postmortem and ticket disagree on the due date or the owner. Reported, never
    changed on either side: which one is right is for people to say."""
    found = []
    ref = remote.ref
    if item.due and remote.due != item.due:
        theirs = remote.due.isoformat() if remote.due else "no due date"
        found.append(f"{shown}:{item.line_of('due')}: {item.id} ({ref}): due {item.due.isoformat()} in the postmortem, {theirs} in {dest.name}")
    person = directory.people.get(item.owner)
    expected = (person.jira if dest.is_jira else person.github) if person else None
    if expected and remote.assignee != expected:
        theirs = handle_of(directory, remote.assignee, dest) if remote.assignee else "nobody"
        found.append(f"{shown}:{item.line_of('owner')}: {item.id} ({ref}): owner {item.owner} in the postmortem, assigned to {theirs} in {dest.name}")
    return found


def kept_entries(
    state: Mapping[str, TicketState],
    live: set[str],
    refs: Mapping[str, str | None],
    read_ids: Iterable[str],
    skipped_ids: set[str],
    anything_unread: bool,
) -> dict[str, TicketState]:
    """The state entries a whole-repo run keeps: those of items linked now (`live`), minus
    those whose item names another ticket now (edited by hand: stale); plus those of
    postmortems skipped for lint errors (their items could not be read), and, when a file was
    not read at all (a link, too large) and may be any postmortem, every entry no postmortem
    read now accounts for."""
    current = {k: v for k, v in state.items() if refs.get(k, v.ticket) == v.ticket}
    known = set(read_ids) if anything_unread else set()
    return {k: v for k, v in current.items() if k in live or _pm(k) in skipped_ids or (known and _pm(k) not in known)}


def _pm(key: str) -> str:
    return key.split("/", 1)[0]
