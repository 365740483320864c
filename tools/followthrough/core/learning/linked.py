"""The links between postmortems both ways, computed once per build: what each one names in
`related` and `recurrence_of`, and what names it. A link is written in one file only, so the
page of the other end learns of it here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Mapping

from followthrough.core.model import Postmortem

# A page lists so many related incidents and counts the rest: a postmortem named by hundreds of
# others (a big outage everyone refers to) would otherwise carry hundreds of lines.
SHOWN_LINKS = 20

# How the other postmortem is linked to this one, in the order a page lists them.
RELATIONS = {
    "recurrence-of": "this is a recurrence of it",
    "recurred-as": "recurred as this later incident",
    "related": "named as related here",
    "named-by": "names this one as related",
}


@dataclass(frozen=True, slots=True)
class Link:
    pm: Postmortem  # the other postmortem
    relations: tuple[str, ...]  # keys of RELATIONS, in its order

    @property
    def words(self) -> str:
        return "; ".join(RELATIONS[r] for r in self.relations)

    def facts(self, src: str) -> tuple[str, ...]:
        """What a page shows of this link, for the page's cache key (`src`: the other's page)."""
        started = self.pm.started.isoformat() if self.pm.started else ""
        return (self.pm.id, self.pm.title, self.pm.kind, started, src, *self.relations)


def linked_postmortems(postmortems: Iterable[Postmortem]) -> dict[str, tuple[Link, ...]]:
    """Postmortem id -> its links, oldest other postmortem first (then by id). An id that names
    no postmortem here is left out (lint reports it); a postmortem never links itself."""
    by_id = {pm.id: pm for pm in postmortems}
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))

    def add(here: str, other: str, relation: str) -> None:
        if here != other and here in by_id and other in by_id:
            found[here][other].add(relation)

    for pm in by_id.values():
        for other in pm.related:
            add(pm.id, other, "related")
            add(other, pm.id, "named-by")
        if pm.recurrence_of:
            add(pm.id, pm.recurrence_of, "recurrence-of")
            add(pm.recurrence_of, pm.id, "recurred-as")
    order = list(RELATIONS)
    out: dict[str, tuple[Link, ...]] = {}
    for here, others in found.items():
        links = [Link(by_id[o], tuple(sorted(rels, key=order.index))) for o, rels in others.items()]
        links.sort(key=lambda link: (link.pm.started.timestamp() if link.pm.started else float("-inf"), link.pm.id))
        out[here] = tuple(links)
    return out


def links_of(linked: Mapping[str, tuple[Link, ...]], pm: Postmortem) -> tuple[Link, ...]:
    return linked.get(pm.id, ())


def shown_links(links: tuple[Link, ...], limit: int = SHOWN_LINKS) -> tuple[tuple[Link, ...], int]:
    """The links a page lists (oldest first, as given) and how many more it only counts. Over
    the limit, the ones this postmortem names itself come first (its own front-matter lists
    them), then the most recent of those that name it."""
    if len(links) <= limit:
        return links, 0
    own = [i for i, link in enumerate(links) if {"recurrence-of", "related"} & set(link.relations)]
    rest = [i for i, link in enumerate(links) if not {"recurrence-of", "related"} & set(link.relations)]
    chosen = set((own + rest[::-1])[:limit])
    return tuple(link for i, link in enumerate(links) if i in chosen), len(links) - limit
