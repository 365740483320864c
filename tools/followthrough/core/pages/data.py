"""What every generated page is made from, computed once per build: postmortems, item views, paths."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Literal, Mapping, Sequence

from followthrough.core import metrics as m
from followthrough.core.dates import utc_date
from followthrough.core.learning.linked import Link, linked_postmortems
from followthrough.core.learning.recurrence import Recurrences, find as find_recurrences
from followthrough.core.model import Directory, Postmortem, TicketState
from followthrough.core.pages import paths
from followthrough.core.pages.options import SiteOptions
from followthrough.core.settings import Settings
from followthrough.core.slugs import unique_slugs


# "url": the page's URL relative to the linking page, for the plugin's build (MkDocs and ProperDocs
# leave raw HTML as it is); "source": the target's docs_dir file relative to the linking file, for
# `followthrough pages --out`, whose files an engine without the plugin (Zensical) resolves.
LinkForm = Literal["url", "source"]


@dataclass(frozen=True)
class SiteData:
    """Everything the pages are made from, computed once per build."""

    postmortems: tuple[Postmortem, ...]  # every valid postmortem, drafts included
    directory: Directory
    settings: Settings
    today: date
    options: SiteOptions
    views: tuple[m.ItemView, ...]
    doc_paths: Mapping[str, str]  # postmortem id -> docs_dir path
    group_slugs: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # group -> name -> slug
    views_by_pm: Mapping[str, tuple[m.ItemView, ...]] = field(default_factory=dict)  # postmortem id -> its items
    use_directory_urls: bool = True  # MkDocs' setting of the same name: how page URLs look
    link_form: LinkForm = "url"  # how the hrefs of the raw HTML are written (generate.Links says why)
    linked: Mapping[str, tuple[Link, ...]] = field(default_factory=dict)  # postmortem id -> its links, both ways
    recurrences: Recurrences = field(default_factory=Recurrences)  # earlier incidents' prevent items open at a start

    def src(self, pm: Postmortem) -> str:
        return self.doc_paths[pm.id]

    def items_of(self, pm: Postmortem) -> tuple[m.ItemView, ...]:
        return self.views_by_pm.get(pm.id, ())

    def links_of(self, pm: Postmortem) -> tuple[Link, ...]:
        return self.linked.get(pm.id, ())

    def name(self, handle: str | None) -> str:
        return self.directory.display_name(handle) if handle else ""

    def team_name(self, handle: str | None) -> str:
        if not handle:
            return m.NO_TEAM
        team = self.directory.teams.get(handle)
        return team.name if team else handle


def site_data(
    postmortems: Sequence[Postmortem],
    directory: Directory,
    settings: Settings,
    states: Mapping[str, TicketState],
    today: date,
    options: SiteOptions | None = None,
    doc_paths: Mapping[str, str] | None = None,
    use_directory_urls: bool = True,
    link_form: LinkForm = "url",
) -> SiteData:
    views = tuple(m.item_views(postmortems, states, today, directory))
    paths_by_id = dict(doc_paths) if doc_paths else {pm.id: paths.doc_path(pm, settings) for pm in postmortems}
    data = SiteData(tuple(postmortems), directory, settings, today, options or SiteOptions(), views, paths_by_id, use_directory_urls=use_directory_urls, link_form=link_form)
    groups = {g: unique_slugs(sorted({n for pm in m.counted_postmortems(postmortems) for n in group_names(g, pm)})) for g in paths.GROUPS}
    by_pm: dict[str, list[m.ItemView]] = defaultdict(list)
    for v in views:
        by_pm[v.postmortem.id].append(v)
    return replace(data, group_slugs=groups, views_by_pm={k: tuple(v) for k, v in by_pm.items()}, linked=linked_postmortems(postmortems), recurrences=find_recurrences(postmortems, views))


def group_names(group: str, pm: Postmortem) -> list[str]:
    """The groups a postmortem is listed under: its UTC start year, severity, services, teams."""
    if group == "year":
        return [str(utc_date(pm.started).year)] if pm.started else []
    if group == "severity":
        return [pm.severity] if pm.severity else []
    if group == "service":
        return list(pm.services)
    return list(pm.teams)
