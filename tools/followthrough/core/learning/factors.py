"""Contributing factors across postmortems: how often each factor of the vocabulary is named, by
quarter (UTC start), service and team, and which postmortems name it. Incidents and near misses
are counted apart (a near miss teaches too, but is not an incident); game days and drafts not at all."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable, Sequence

from followthrough.core import metrics as m
from followthrough.core.dates import utc_date
from followthrough.core.model import Postmortem
from followthrough.core.settings import Settings


@dataclass(frozen=True, slots=True)
class FactorRow:
    """One factor: its definition and the postmortems naming it, newest first."""

    name: str
    definition: str  # "" for a name the vocabulary no longer holds
    incidents: tuple[Postmortem, ...]
    near_misses: tuple[Postmortem, ...]

    @property
    def last_named(self) -> date | None:
        """The UTC start date of the newest postmortem naming it."""
        starts = [pms[0].started for pms in (self.incidents, self.near_misses) if pms and pms[0].started]
        return utc_date(max(starts)) if starts else None


@dataclass(frozen=True, slots=True)
class GroupRow:
    """One quarter, service or team: how many postmortems it has and the factors they name,
    most named first (a postmortem counts once per factor it names)."""

    name: str
    incidents: int
    near_misses: int
    incident_factors: tuple[tuple[str, int], ...]
    near_miss_factors: tuple[tuple[str, int], ...]


@dataclass(frozen=True, slots=True)
class FactorFigures:
    factors: tuple[FactorRow, ...]  # the vocabulary's order, then names outside it by name
    incidents: int  # counted incidents
    near_misses: int
    incidents_without: int  # incidents naming no factor
    near_misses_without: int
    by_quarter: tuple[GroupRow, ...]  # newest quarter first
    by_service: tuple[GroupRow, ...]
    by_team: tuple[GroupRow, ...]


def _newest_first(pms: Iterable[Postmortem]) -> tuple[Postmortem, ...]:
    return tuple(sorted(pms, key=lambda pm: (pm.started.timestamp() if pm.started else 0.0, pm.id), reverse=True))


def _ranked(counter: Counter[str], order: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counter.items(), key=lambda kv: (-kv[1], order.get(kv[0], len(order)), kv[0])))


def _groups(pms: Sequence[Postmortem], key: Callable[[Postmortem], Iterable[str]], order: dict[str, int]) -> list[GroupRow]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    named: dict[str, tuple[Counter[str], Counter[str]]] = defaultdict(lambda: (Counter(), Counter()))
    for pm in pms:
        side = 1 if pm.is_near_miss else 0
        for name in dict.fromkeys(key(pm)):
            counts[name][side] += 1
            named[name][side].update(list(dict.fromkeys(pm.factors)))
    return [GroupRow(n, counts[n][0], counts[n][1], _ranked(named[n][0], order), _ranked(named[n][1], order)) for n in counts]


def factor_figures(postmortems: Iterable[Postmortem], settings: Settings) -> FactorFigures:
    pms = [pm for pm in postmortems if m.is_counted(pm) and (pm.is_incident or pm.is_near_miss)]
    order = {name: i for i, name in enumerate(settings.factor_names)}
    behind: dict[str, tuple[list[Postmortem], list[Postmortem]]] = defaultdict(lambda: ([], []))
    for name in settings.factor_names:
        behind[name] = ([], [])  # every factor of the vocabulary has a row, named or not
    for pm in pms:
        for name in dict.fromkeys(pm.factors):
            behind[name][1 if pm.is_near_miss else 0].append(pm)
    definitions = {f.name: f.definition for f in settings.factors}
    names = sorted(behind, key=lambda n: (order.get(n, len(order)), n))
    rows = tuple(FactorRow(n, definitions.get(n, ""), _newest_first(behind[n][0]), _newest_first(behind[n][1])) for n in names)
    incidents = [pm for pm in pms if pm.is_incident]
    near = [pm for pm in pms if pm.is_near_miss]
    quarters = sorted(_groups(pms, lambda pm: [q] if (q := m.incident_quarter(pm)) else [], order), key=lambda g: g.name, reverse=True)
    return FactorFigures(
        factors=rows,
        incidents=len(incidents),
        near_misses=len(near),
        incidents_without=sum(1 for pm in incidents if not pm.factors),
        near_misses_without=sum(1 for pm in near if not pm.factors),
        by_quarter=tuple(quarters),
        by_service=tuple(sorted(_groups(pms, lambda pm: pm.services, order), key=lambda g: g.name.lower())),
        by_team=tuple(sorted(_groups(pms, lambda pm: pm.teams, order), key=lambda g: g.name.lower())),
    )
