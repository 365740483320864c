"""Who has held which incident role, how often and when last: the People and roles page.

From every non-draft postmortem of any kind: incidents, near misses and game days all have
roles, and a game day is where a role is practised, so its share is counted apart. Drafts count
in nothing (their roles may still change). Only names and handles come from the people
directory: nothing else of a person is read here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Iterable, Mapping

from followthrough.core.metrics import counted_postmortems
from followthrough.core.model import ROLES, Directory, Postmortem

# The roles whose "never held" list heads the page: the two a rotation most wants everyone to
# have held (the commander coordinates; the scribe role is how newer engineers learn a response).
NEVER_HELD_ROLES = ("commander", "scribe")
_NO_START = datetime.min.replace(tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Held:
    """How often one person held one role, how many of those were game days, and the latest
    postmortem (by `started`, then id) where they held it."""

    count: int = 0
    game_days: int = 0
    last: Postmortem | None = None


@dataclass(frozen=True, slots=True)
class PersonRoles:
    handle: str
    name: str
    unlisted: bool  # named in a postmortem's roles but not in the people directory (one that exists)
    roles: Mapping[str, Held]  # every role of ROLES, in that order, zeros included

    @property
    def total(self) -> int:
        return sum(h.count for h in self.roles.values())

    def never(self, role: str) -> bool:
        return self.roles[role].count == 0


@dataclass(frozen=True, slots=True)
class Rotation:
    people: tuple[PersonRoles, ...]  # by name, then handle
    postmortems: int  # the non-draft postmortems counted (game days included)
    game_days: int  # of those, game days
    never: Mapping[str, tuple[PersonRoles, ...]]  # role -> listed people who never held it (NEVER_HELD_ROLES)

    @property
    def unlisted(self) -> tuple[PersonRoles, ...]:
        return tuple(p for p in self.people if p.unlisted)


def _later(pm: Postmortem, than: Postmortem | None) -> bool:
    if than is None:
        return True
    return (pm.started or _NO_START, pm.id) > (than.started or _NO_START, than.id)


def rotation(postmortems: Iterable[Postmortem], directory: Directory) -> Rotation:
    """Every person of the directory (holding a role or not) and everyone else named in a role.

    One pass over the postmortems: linear in their number. A person named twice in one
    postmortem's SMEs counts once for it. Without a people directory (`present` False) no one is
    marked as outside it."""
    tallies: dict[str, dict[str, Held]] = {}  # handle -> role -> so far
    counted = 0
    drills = 0
    for pm in counted_postmortems(postmortems):
        counted += 1
        drills += pm.is_game_day
        for role, handle in set(pm.roles.holders()):
            mine = tallies.setdefault(handle, {})
            held = mine.get(role, Held())
            mine[role] = Held(held.count + 1, held.game_days + pm.is_game_day, pm if _later(pm, held.last) else held.last)
    people = []
    for handle in set(tallies) | set(directory.people):
        mine = tallies.get(handle, {})
        unlisted = directory.present and handle not in directory.people
        people.append(PersonRoles(handle, directory.display_name(handle), unlisted, {role: mine.get(role, Held()) for role in ROLES}))
    people.sort(key=lambda p: (p.name.casefold(), p.handle))
    never = {role: tuple(p for p in people if not p.unlisted and p.never(role)) for role in NEVER_HELD_ROLES}
    return Rotation(tuple(people), counted, drills, never)
