"""The weekly review's agenda, per team with its manager, as a plain value.

The meeting the follow-through loop rests on: a weekly review of the open incident action
items with the engineering manager present, where overdue items are re-estimated and
re-prioritised instead of silently ignored. Each team's agenda has the same sections, in the
order the meeting takes them: escalated, overdue, due soon, re-dated, closed, won't-do
decisions, and won't-do closures that lack the decision a non-negotiable severity needs.

Which item is overdue, escalated or closed is `metrics`' and `policy`'s word; this module only
selects the items of a period and a team. Items of drafts, game days and near misses are not on
it, as they count in no incident figure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Sequence

from followthrough.core import metrics, policy
from followthrough.core.model import Directory, Person, Redate
from followthrough.core.report.build import Links, ReportItem, report_item
from followthrough.core.settings import Settings

DUE_WITHIN_DAYS = 14  # "due in the next two weeks": what the next two meetings will see fall due
SINCE_DAYS = 7  # a weekly meeting looks back one week unless told otherwise
NO_TEAM = metrics.NO_TEAM


def default_since(today: date) -> date:
    # Clamped: a "today" in the first week of year 1 has no week before it.
    return today - timedelta(days=min(SINCE_DAYS, today.toordinal() - 1))


@dataclass(frozen=True, slots=True)
class RedateEntry:
    """One move of a due date made in the period: the item, and the move with its reason and source."""

    item: ReportItem
    redate: Redate


@dataclass(frozen=True, slots=True)
class Section:
    key: str  # as in the JSON
    title: str
    entries: tuple[ReportItem, ...] | tuple[RedateEntry, ...]


@dataclass(frozen=True, slots=True)
class TeamAgenda:
    team: str  # the team's handle, or NO_TEAM
    name: str
    manager: Person | None  # None: the people directory names no manager for the team
    slack_channel: str | None
    escalated: tuple[ReportItem, ...]  # overdue past the severity's escalation point
    overdue: tuple[ReportItem, ...]  # overdue, not (yet) escalated
    due_soon: tuple[ReportItem, ...]  # open, due today or within `due_within` days
    redated: tuple[RedateEntry, ...]  # moves made (file) or seen (tracker) in the period, oldest first
    closed: tuple[ReportItem, ...]  # done, with a done date in the period
    decisions: tuple[ReportItem, ...]  # won't do, with a decision dated in the period
    undecided: tuple[ReportItem, ...]  # won't do at a non-negotiable severity, no decision recorded

    def sections(self, since: date, due_within: int) -> tuple[Section, ...]:
        return (
            Section("escalated", "Escalated", self.escalated),
            Section("overdue", "Overdue", self.overdue),
            Section("due_soon", f"Due in the next {due_within} days", self.due_soon),
            Section("redated", f"Re-dated since {since}", self.redated),
            Section("closed", f"Closed since {since}", self.closed),
            Section("decisions", f"Won't-do decisions since {since}", self.decisions),
            Section("undecided", "Closed as won't do without a decision", self.undecided),
        )

    @property
    def is_empty(self) -> bool:
        return not any((self.escalated, self.overdue, self.due_soon, self.redated, self.closed, self.decisions, self.undecided))


@dataclass(frozen=True, slots=True)
class ReviewReport:
    today: date
    since: date
    due_within: int
    teams: tuple[TeamAgenda, ...]
    links: Links


def team_handles(views: Iterable[metrics.ItemView], directory: Directory) -> list[str]:
    """Every team an agenda can be for: the directory's (in its order), then teams only items
    name, then NO_TEAM when an item has none."""
    handles = list(directory.teams)
    named = {v.team for v in metrics.counted(views)}
    handles += sorted(t for t in named if t and t not in directory.teams)
    if None in named:
        handles.append(NO_TEAM)
    return handles


def _within(day: date | None, since: date, today: date) -> bool:
    return day is not None and since <= day <= today


def review_report(
    views: Sequence[metrics.ItemView],
    today: date,
    since: date,
    settings: Settings,
    directory: Directory,
    links: Links = Links(),
    teams: Sequence[str] | None = None,
    due_within: int = DUE_WITHIN_DAYS,
) -> ReviewReport:
    """The agenda of each team in `teams` (default: `team_handles`). `views`: `metrics.item_views`
    of the valid postmortems as of `today`, as for the site."""
    incident_items = metrics.counted(views)
    wanted = list(teams) if teams is not None else team_handles(views, directory)

    def line(v: metrics.ItemView) -> ReportItem:
        return report_item(v, directory, links, settings)

    by_team: dict[str, list[metrics.ItemView]] = {t: [] for t in wanted}
    for v in incident_items:
        team = v.team or NO_TEAM
        if team in by_team:
            by_team[team].append(v)
    agendas = []
    for team in wanted:
        mine = by_team[team]
        overdue = [line(v) for v in metrics.overdue_items(mine, settings)]
        redated = sorted(
            ((v, r) for v in mine for r in v.redates if _within(r.on, since, today)),
            key=lambda pair: (pair[1].on, pair[0].postmortem.id, pair[0].item.index),
        )
        found = directory.teams.get(team)
        agendas.append(
            TeamAgenda(
                team=team,
                name=found.name if found else team,
                manager=directory.manager_of(team),
                slack_channel=found.slack_channel if found else None,
                escalated=tuple(i for i in overdue if i.escalated),
                overdue=tuple(i for i in overdue if not i.escalated),
                due_soon=tuple(line(v) for v in metrics.due_soon_items(mine, due_within, settings)),
                redated=tuple(RedateEntry(line(v), r) for v, r in redated),
                closed=tuple(line(v) for v in _by_day(mine, lambda v: v.done_on if v.status == "done" else None, since, today)),
                decisions=tuple(
                    line(v) for v in _by_day(mine, lambda v: v.item.decision.on if (v.status == "wont-do" and v.item.decision) else None, since, today)
                ),
                undecided=tuple(line(v) for v in mine if policy.wont_do_without_decision(v, settings)),
            )
        )
    return ReviewReport(today, since, due_within, tuple(agendas), links)


def _by_day(views: Iterable[metrics.ItemView], day_of, since: date, today: date) -> list[metrics.ItemView]:
    """The views whose `day_of` falls in the period, oldest first."""
    found = [(day_of(v), v) for v in views]
    kept = [(d, v) for d, v in found if _within(d, since, today)]
    return [v for _, v in sorted(kept, key=lambda pair: (pair[0], pair[1].postmortem.id, pair[1].item.index))]
