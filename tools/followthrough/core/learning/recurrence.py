"""Did the fix work: for each incident, the earlier incidents on a shared service whose
`prevent` items were still open when it started.

An item of an earlier incident is open at the later one's start when, on the later one's UTC
start date, it was not known to be done:
- open or in progress (now): open;
- done on a date (the tracker's done date, else the item's `done_on`) on or after that date:
  open (a fix closed on the start day is not known to have been in place when it started);
  done before that date: not open;
- done with no known date: neither, shown as "done, date unknown" and never counted as open;
- won't do: not open (it was decided against, not left undone).

Only incidents proper count, on both sides (not drafts, game days or near misses).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping, Sequence

from followthrough.core import metrics as m
from followthrough.core.dates import utc_date
from followthrough.core.model import Postmortem

PREVENT = "prevent"


@dataclass(frozen=True, slots=True)
class Recurrence:
    """One earlier incident whose prevent items were open when `incident` started."""

    incident: Postmortem  # the later incident
    earlier: Postmortem
    services: tuple[str, ...]  # the services both name, in the later incident's order
    open_items: tuple[m.ItemView, ...]  # open at the start, in the earlier postmortem's order
    unknown_items: tuple[m.ItemView, ...] = ()  # done on an unknown date: not counted as open


@dataclass(frozen=True)
class Recurrences:
    """Every case of the repo, computed once per build."""

    cases: tuple[Recurrence, ...] = ()  # newest later incident first, then newest earlier one first
    by_incident: Mapping[str, tuple[Recurrence, ...]] = field(default_factory=dict)
    by_service: Mapping[str, tuple[Recurrence, ...]] = field(default_factory=dict)

    def of(self, pm: Postmortem) -> tuple[Recurrence, ...]:
        return self.by_incident.get(pm.id, ())

    def for_service(self, service: str) -> tuple[Recurrence, ...]:
        return self.by_service.get(service, ())

    def earlier_ids(self, pm: Postmortem) -> list[str]:
        return [r.earlier.id for r in self.of(pm)]


def is_open_on(view: m.ItemView, day: date) -> bool | None:
    """True when the item was not known to be done on `day` (see the module's rule); False when
    it was done before `day`, or is won't do; None when it is done on an unknown date."""
    if view.is_open:
        return True
    if view.status != "done":
        return False
    if view.done_on is None:
        return None
    return view.done_on >= day


def _counts(pm: Postmortem) -> bool:
    return m.is_counted(pm) and pm.is_incident and pm.started is not None


def _newest_key(pm: Postmortem) -> tuple[float, str]:
    assert pm.started is not None
    return (pm.started.timestamp(), pm.id)


def find(postmortems: Sequence[Postmortem], views: Iterable[m.ItemView]) -> Recurrences:
    """The cases among these postmortems (a later incident needs no items of its own), given
    every item view.

    One sweep per service over its incidents in start order: an earlier incident's prevent items
    join the service's live set when it starts and leave once closed before a later start (a heap
    on the done date), so the work is the number of items and incidents (times log) plus the
    cases found, never every pair of incidents."""
    incidents = {pm.id: pm for pm in postmortems if _counts(pm)}
    prevent: dict[str, list[m.ItemView]] = defaultdict(list)  # earlier postmortem id -> its prevent items
    unknown: dict[str, list[m.ItemView]] = defaultdict(list)  # ... and those done on an unknown date
    for v in views:
        if v.item.type == PREVENT and _counts(v.postmortem):
            incidents.setdefault(v.postmortem.id, v.postmortem)
            (unknown if is_open_on(v, date.min) is None else prevent)[v.postmortem.id].append(v)
    by_service: dict[str, list[Postmortem]] = defaultdict(list)
    for pm in incidents.values():
        for service in dict.fromkeys(pm.services):
            by_service[service].append(pm)
    # later id -> earlier id -> open items by index (no repeats when the two share several services)
    found: dict[str, dict[str, dict[int, m.ItemView]]] = defaultdict(dict)
    for pms in by_service.values():
        pms.sort(key=_newest_key)
        live: dict[tuple[str, int], m.ItemView] = {}  # items not known to be closed yet
        closing: list[tuple[date, str, int]] = []  # (done date, postmortem id, item index)
        i = 0
        while i < len(pms):
            # Incidents starting at the same instant are not earlier than each other.
            j = i
            while j < len(pms) and pms[j].started == pms[i].started:
                j += 1
            for later in pms[i:j]:
                day = utc_date(later.started)  # type: ignore[arg-type]
                while closing and closing[0][0] < day:
                    _, pid, index = heapq.heappop(closing)
                    live.pop((pid, index), None)
                for (pid, index), v in live.items():
                    if is_open_on(v, day):
                        found[later.id].setdefault(pid, {})[index] = v
            for pm in pms[i:j]:
                for v in prevent.get(pm.id, ()):
                    if v.status == "done" and v.done_on is not None:
                        heapq.heappush(closing, (v.done_on, pm.id, v.item.index))
                    elif v.status == "wont-do":
                        continue
                    live[(pm.id, v.item.index)] = v
            i = j
    cases: list[Recurrence] = []
    for later_id, earlier in found.items():
        later = incidents[later_id]
        for earlier_id, opened in earlier.items():
            pm = incidents[earlier_id]
            shared = tuple(s for s in dict.fromkeys(later.services) if s in pm.services)
            cases.append(Recurrence(later, pm, shared, _in_order(opened), tuple(unknown.get(earlier_id, ()))))
    when = {pid: _newest_key(pm) for pid, pm in incidents.items()}
    cases.sort(key=lambda r: (when[r.incident.id], when[r.earlier.id]), reverse=True)
    per_incident: dict[str, list[Recurrence]] = defaultdict(list)
    per_service: dict[str, list[Recurrence]] = defaultdict(list)
    for r in cases:
        per_incident[r.incident.id].append(r)
        for service in r.services:
            per_service[service].append(r)
    return Recurrences(
        tuple(cases),
        {k: tuple(v) for k, v in per_incident.items()},
        {k: tuple(v) for k, v in per_service.items()},
    )


def _in_order(items: Mapping[int, m.ItemView]) -> tuple[m.ItemView, ...]:
    return tuple(items[i] for i in sorted(items))


def facts(found: Sequence[Recurrence], path_of: Mapping[str, str]) -> list[object]:
    """What a postmortem page shows of other postmortems' recurrence cases, as plain values: the
    page's cache key holds them, so an edit of the earlier postmortem (or its tickets) rebuilds it."""
    return [
        [
            r.earlier.id,
            r.earlier.title,
            path_of.get(r.earlier.id, ""),
            list(r.services),
            [[v.item.id, v.item.title, v.item.owner, v.status, str(v.due), str(v.done_on)] for v in r.open_items + r.unknown_items],
        ]
        for r in found
    ]
