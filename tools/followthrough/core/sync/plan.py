"""Planning a sync, on plain values: which action items go where (what to do with each is
decided in `converge` from what the trackers hold). No request, no file, no clock.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Container, Iterable, Sequence

from followthrough.core.findings import Finding
from followthrough.core.model import ActionItem, Directory, Postmortem, state_key
from followthrough.core.sync.config import Trackers
from followthrough.core.sync.markers import marker_for
from followthrough.core.sync.routing import route_linked, route_new
from followthrough.core.ticket_refs import ticket_reference


FINISHED = ("done", "wont-do")  # an item's own status that needs no ticket


@dataclass(frozen=True)
class Work:
    """One action item and what sync is to do with it."""

    pm: Postmortem
    item: ActionItem
    shown: str  # the file as messages show it
    destination: str | None
    route_problem: str | None
    ticket: str | None  # as written in the file
    finished: bool = False  # done or wont-do in its file, without a ticket: linked if found, never created

    @property
    def key(self) -> str:
        return state_key(self.pm.id, self.item.id)

    @property
    def marker(self) -> str:
        return marker_for(self.pm.id, self.item.id)

    @property
    def where(self) -> str:
        return f"{self.shown}:{self.item.line}: {self.item.id}"


@dataclass
class Plan:
    works: list[Work] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # postmortems that should have synced and cannot
    skipped: list[str] = field(default_factory=list)  # drafts with lint errors: nothing lost
    notes: list[str] = field(default_factory=list)

    def by_destination(self) -> tuple[dict[str, list[Work]], list[Work]]:
        """The routed works by destination name, and those no destination takes."""
        routed: dict[str, list[Work]] = {}
        lost: list[Work] = []
        for w in self.works:
            if w.destination is None:
                lost.append(w)
            else:
                routed.setdefault(w.destination, []).append(w)
        return routed, lost


def unread_paths(postmortems: Iterable[Postmortem], errors: Iterable[Finding]) -> set[str]:
    """Files with errors that gave no postmortem at all: refused or unreadable."""
    return {f.path for f in errors} - {pm.path for pm in postmortems}


def plan(
    postmortems: Sequence[Postmortem],
    errors: Sequence[Finding],
    mirror_statuses: Iterable[str],
    trackers: Trackers,
    directory: Directory,
    shown: Callable[[str], str] = str,
    pending: Container[str] = (),
) -> Plan:
    """What to sync: every item of a mirrored postmortem and every linked item, routed.

    A postmortem with lint errors is skipped; that fails the run when it matters (it is
    mirrored, may be, or has linked items), and is only listed otherwise. `pending`: keys of
    items with a create of unknown outcome."""
    mirror = set(mirror_statuses)
    result = Plan()
    bad = Counter(f.path for f in errors)
    valid = [pm for pm in postmortems if pm.path not in bad]
    for pm in postmortems:
        if pm.path not in bad:
            continue
        # An empty status means the front-matter could not be read: it may well be published.
        matters = not pm.status or pm.status in mirror or any(i.ticket for i in pm.action_items)
        message = f"{shown(pm.path)}: skipped: {bad[pm.path]} lint error(s); run `followthrough lint {shown(pm.path)}`"
        (result.failures if matters else result.skipped).append(message)
    unread = unread_paths(postmortems, errors)
    for path, code in sorted({(f.path, f.code) for f in errors if f.path in unread}):
        result.failures.append(f"{shown(path)}: skipped: not read ({code}); run `followthrough lint`")
    finished = 0
    for pm in valid:
        mirrored = pm.status in mirror
        for item in pm.action_items:
            if not item.ticket and not mirrored:
                continue
            finish = not item.ticket and item.status in FINISHED
            if finish and state_key(pm.id, item.id) not in pending:
                # Done (or decided against) before it was ever mirrored: a new ticket would be an open
                # one, and the tracker's status would then count the finished item as open again.
                finished += 1
                continue
            # (One with a create of unknown outcome is looked up all the same: a ticket that create
            # made carries its marker, and would otherwise stay open with no item naming it.)
            ticket = ticket_reference(item.ticket) if item.ticket else None
            if item.ticket and ticket is None:
                # A URL of a tracker sync does not talk to (Linear, ...): its status stays as written.
                result.notes.append(f"{shown(pm.path)}:{item.line_of('ticket')}: {item.id}: {item.ticket} is not in Jira or GitHub; not synced")
                continue
            route = route_linked(ticket, pm, item, trackers, directory) if ticket else route_new(pm, item, trackers, directory)
            result.works.append(
                Work(pm=pm, item=item, shown=shown(pm.path), destination=route.destination, route_problem=None if route.destination else route.reason, ticket=ticket, finished=finish)
            )
    if finished:
        result.notes.append(f"{finished} item(s) without a ticket are done or wont-do in their files: no ticket is made for them")
    return result
