"""The overdue and completion reports as plain values, computed with `metrics` (the site's code).

Nothing here counts or judges an item itself: which items are overdue or due soon, their
days overdue and every rate come from `core.metrics`, so a report and the site
never disagree. This module only selects, groups and labels them for the renderers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Callable, Iterable, Mapping, Sequence

from followthrough.core import metrics, policy
from followthrough.core.model import Decision, Directory, Person, Postmortem, Redate
from followthrough.core.pages import paths
from followthrough.core.settings import Settings
from followthrough.core.urls import published_url, site_root

PageOf = Callable[[Postmortem], "str | None"]


@dataclass(frozen=True, slots=True)
class Links:
    """Where things are on the published site; every URL is None when the site's URL is unknown."""

    site: str | None = None
    overdue_page: str | None = None
    completion_page: str | None = None
    page_of: PageOf = lambda pm: None


@dataclass(frozen=True, slots=True)
class ReportItem:
    """One action item as a report line: everything a reader needs, nothing from the directory beyond names."""

    key: str  # "<postmortem id>/<item id>", as in the state file
    postmortem_id: str
    postmortem_title: str
    postmortem_url: str | None
    severity: str
    game_day: bool
    item_id: str
    title: str
    owner: Person
    team: str | None
    status: str
    due: date | None
    days_overdue: int
    due_in_days: int | None
    ticket: str | None
    ticket_url: str | None
    # The follow-through of the commitment, from `metrics.ItemView` and `core.policy`.
    original_due: date | None = None
    slip_days: int = 0
    redates: tuple[Redate, ...] = ()  # file entries, then tracker moves no entry records
    escalated: bool = False
    escalate_to: Person | None = None  # `policy.escalation_contact`; None: no manager named
    done_on: date | None = None
    decision: Decision | None = None
    # The directory's names of the people its re-dates and decision name by handle (who approved,
    # who decided), so that a report names them as it names owners and managers, as the site does.
    names: tuple[tuple[str, str], ...] = ()
    kind: str = "incident"  # the postmortem's kind: game days and near misses are shown apart

    @property
    def near_miss(self) -> bool:
        return self.kind == "near-miss"

    @property
    def unrecorded_redates(self) -> tuple[Redate, ...]:
        return metrics.unrecorded(self.redates)

    def name_of(self, handle: str) -> str:
        """The name of a person the item's re-dates or decision name; the handle when not known."""
        return dict(self.names).get(handle, handle)


@dataclass(frozen=True, slots=True)
class OwnerGroup:
    owner: Person
    items: tuple[ReportItem, ...]


@dataclass(frozen=True, slots=True)
class OverdueReport:
    today: date
    due_soon_days: int
    owners: tuple[OwnerGroup, ...]  # incident items past due, by owner; most severe item's owner first
    due_soon: tuple[ReportItem, ...]  # incident items due today or within due_soon_days
    game_days: tuple[ReportItem, ...]  # game-day items past due, shown apart as on the site
    links: Links
    near_misses: tuple[ReportItem, ...] = ()  # near-miss items past due, shown apart too
    # Of the overdue incident items, those past their severity's escalation point (also in `owners`).
    escalated: tuple[ReportItem, ...] = ()
    # Incident items closed as won't do at a non-negotiable severity with no recorded decision.
    undecided: tuple[ReportItem, ...] = ()

    @property
    def overdue(self) -> tuple[ReportItem, ...]:
        return tuple(item for group in self.owners for item in group.items)

    @property
    def overdue_count(self) -> int:
        return sum(len(g.items) for g in self.owners)

    @property
    def postmortem_count(self) -> int:
        return len({item.postmortem_id for item in self.overdue})


@dataclass(frozen=True, slots=True)
class CompletionReport:
    today: date
    overall: metrics.Completion  # incident items of non-drafts
    by_severity: Mapping[str, metrics.Completion]
    by_team: Mapping[str, metrics.Completion]
    by_service: Mapping[str, metrics.Completion]
    by_quarter: Mapping[str, metrics.Completion]
    game_days: metrics.Completion
    near_misses: metrics.Completion
    links: Links


def owner_of(handle: str, directory: Directory) -> Person:
    """The directory's entry of an owner; one named by its handle when the directory has none."""
    person = directory.people.get(handle)
    if person is None:
        return Person(handle, handle)
    return person if person.name else replace(person, name=handle)


def report_item(view: metrics.ItemView, directory: Directory, links: Links, settings: Settings | None = None) -> ReportItem:
    """One line of a report; with `settings`, its escalation is judged by the severity's policy."""
    pm = view.postmortem
    escalated = settings is not None and policy.is_escalated(view, settings)
    return ReportItem(
        key=view.key,
        postmortem_id=pm.id,
        postmortem_title=pm.title,
        postmortem_url=links.page_of(pm),
        severity=pm.severity,
        game_day=pm.is_game_day,
        kind=pm.kind,
        item_id=view.item.id,
        title=view.item.title,
        owner=owner_of(view.item.owner, directory),
        team=view.team,
        status=view.status,
        due=view.due,
        days_overdue=view.overdue_days,
        due_in_days=view.due_in_days,
        ticket=view.ticket,
        ticket_url=view.ticket_url,
        original_due=view.original_due,
        slip_days=view.slip_days,
        redates=view.redates,
        escalated=escalated,
        escalate_to=policy.escalation_contact(view, settings, directory) if settings is not None else None,
        done_on=view.done_on,
        decision=view.item.decision,
        names=named_people(view, directory),
    )


def named_people(view: metrics.ItemView, directory: Directory) -> tuple[tuple[str, str], ...]:
    handles = {r.approved_by for r in view.redates if r.approved_by}
    if view.item.decision is not None and view.item.decision.by:
        handles.add(view.item.decision.by)
    return tuple((h, owner_of(h, directory).name) for h in sorted(handles))


def group_by_owner(items: Iterable[ReportItem]) -> tuple[OwnerGroup, ...]:
    """Owners in the order of their first item (the input is most-severe-first), items kept in order."""
    groups: dict[str, list[ReportItem]] = {}
    for item in items:
        groups.setdefault(item.owner.handle, []).append(item)
    return tuple(OwnerGroup(found[0].owner, tuple(found)) for found in groups.values())


def overdue_report(
    views: Sequence[metrics.ItemView],
    today: date,
    settings: Settings,
    directory: Directory,
    links: Links = Links(),
    due_soon_days: int = metrics.DUE_SOON_DAYS,
) -> OverdueReport:
    """`views`: `metrics.item_views` of the valid postmortems as of `today`, as for the site."""
    incident_items = metrics.counted(views)

    def line(v: metrics.ItemView) -> ReportItem:
        return report_item(v, directory, links, settings)

    overdue = [line(v) for v in metrics.overdue_items(incident_items, settings)]
    soon = [line(v) for v in metrics.due_soon_items(incident_items, due_soon_days, settings)]
    drills = [line(v) for v in metrics.overdue_items(metrics.counted(views, kind="game-day"), settings)]
    near = [line(v) for v in metrics.overdue_items(metrics.counted(views, kind="near-miss"), settings)]
    undecided = [line(v) for v in incident_items if policy.wont_do_without_decision(v, settings)]
    return OverdueReport(
        today, due_soon_days, group_by_owner(overdue), tuple(soon), tuple(drills), links,
        escalated=tuple(i for i in overdue if i.escalated), undecided=tuple(undecided), near_misses=tuple(near),
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class RemindersReport:
    """Open incident items due today or within their severity's `remind_before_days`: the daily post."""

    today: date
    items: tuple[ReportItem, ...]  # soonest first, then most severe
    links: Links


def reminders_report(views: Sequence[metrics.ItemView], today: date, settings: Settings, directory: Directory, links: Links = Links()) -> RemindersReport:
    rank = metrics.severity_order(settings)
    due = [v for v in metrics.counted(views) if policy.needs_reminder(v, settings)]
    due.sort(key=lambda v: (v.due_in_days, rank(v), v.postmortem.id, v.item.index))
    return RemindersReport(today, tuple(report_item(v, directory, links, settings) for v in due), links)


def completion_report(views: Sequence[metrics.ItemView], today: date, settings: Settings, links: Links = Links()) -> CompletionReport:
    items = metrics.counted(views)
    return CompletionReport(
        today=today,
        overall=metrics.completion(items, today),
        by_severity=metrics.completion_by_severity(items, today, settings),
        by_team=metrics.completion_by(items, metrics.by_team, today),
        by_service=metrics.completion_by(items, metrics.by_service, today),
        by_quarter=metrics.completion_by(items, metrics.by_quarter, today),
        game_days=metrics.completion(metrics.counted(views, kind="game-day"), today),
        links=links,
        near_misses=metrics.completion(metrics.counted(views, kind="near-miss"), today),
    )


def site_links(site_url: str, settings: Settings, use_directory_urls: bool = True) -> Links:
    """Links into the published site, at the site's own paths; none when mkdocs.yml has no site_url."""
    if not site_url:
        return Links()
    def url(src: str) -> str:
        return published_url(site_url, src, use_directory_urls)

    return Links(
        site=site_root(site_url),
        overdue_page=url(paths.OVERDUE),
        completion_page=url(paths.COMPLETION),
        page_of=lambda pm: url(paths.doc_path(pm, settings)),
    )
