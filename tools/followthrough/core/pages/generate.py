"""Postmortems + tracker state + today -> every generated page, as Markdown (or JSON) by path.

`Site.create(...).pages()` is the one entry point the MkDocs plugin and `followthrough pages` share.
It reads and writes no files: the templates arrive as a Jinja2 loader the shell built
(`files/templates.loader`: the repo's `templates/site/` first, then the packaged copies).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from followthrough.core import metrics as m
from followthrough.core import policy
from followthrough.core.learning.rotation import NEVER_HELD_ROLES, rotation
from followthrough.core.urls import relative_source, relative_url
from followthrough.core.model import ROLES, Directory, Postmortem, Redate
from followthrough.core.rules.suppression import strip_directives_mapped
from followthrough.core.settings import ROLE_TITLES, ROLE_DUTIES, Settings
from followthrough.core.model import TicketState
from followthrough.core.templates import render
from followthrough.core.pages import format as fmt
from followthrough.core.pages import paths
from followthrough.core.pages.data import LinkForm, SiteData, group_names, site_data
from followthrough.core.pages.export import export_items, export_postmortems
from followthrough.core.pages.chart import BANDS, Dot, Lane, Series, band_counts, line_chart, strip_chart
from followthrough.core.escape.html import html_escape, html_link, isolate, md_escape, md_link, neutralize_html, safe_page_title
from followthrough.core.slugs import name_slug
from followthrough.core.pages.options import SiteOptions
from followthrough.core.learning.factors import factor_figures
from followthrough.core.learning.recurrence import facts as recurrence_facts
from followthrough.core.learning.verification import verification
from followthrough.core.learning.linked import shown_links

TEMPLATE_FOLDER = "site"
CARD_MARK = "<!-- followthrough: header card -->"


def _finalize(value: Any) -> Any:
    return value if isinstance(value, Markup) else Markup(md_escape(value))


def template_environment(templates: jinja2.BaseLoader) -> jinja2.Environment:
    """The pages' environment over the shell's loader of `templates/site/...`.

    `finalize` escapes every `{{ value }}` for Markdown unless it is Markup made on purpose."""
    env = jinja2.Environment(
        loader=templates,
        # Autoescape makes macro output Markup (kept as is); `finalize` does the escaping,
        # for Markdown rather than HTML, of everything else.
        autoescape=True,
        finalize=_finalize,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        duration=fmt.duration,
        percent=fmt.percent,
        number=fmt.number,
        moment=fmt.moment,
        day=fmt.day,
        slug=name_slug,
        h=html_escape,
        isolate=isolate,
        slip=fmt.slip,
        role_title=lambda role: ROLE_TITLES.get(role, role),
    )
    return env


def words(values: Iterable[object], sep: str = ", ") -> Markup:
    """Values joined for Markdown, each escaped (Jinja's own `join` would escape for HTML only);
    `sep` comes from a template, never from a postmortem."""
    return Markup(sep).join(Markup(md_escape(v)) for v in values)


# --- what templates get ----------------------------------------------------------------------


class Links:
    """Links for one page: targets are docs_dir paths ('2024/x.md', 'by-team/sre.md'), made
    relative to `here`.

    `to` makes a Markdown link (for prose): every engine resolves the source path and checks it.
    The others make HTML links, for the header card and the tables, which are raw HTML so that
    Markdown does not re-parse every cell (and the plugin puts them into the page after
    Markdown). Engines disagree on raw HTML, so its href follows `data.link_form`, measured by
    building the same pages with each: MkDocs and ProperDocs never rewrite it, so the plugin's
    build writes the final URL relative to the page ('../../by-team/sre/'), the string MkDocs makes
    of a Markdown link; Zensical reads every relative href of raw HTML as a path from the source
    file (so '../../by-team/sre/' from '2024/x.md' would land one level too high) and resolves a
    `.md` target as it does a Markdown link, reporting a missing one, so `followthrough pages
    --out` writes the source path ('../by-team/sre.md'). One target, two spellings of it; no
    engine sees the other's."""

    def __init__(self, data: SiteData, here: str) -> None:
        self.data = data
        self.here = here

    def to(self, target: str, text: object) -> Markup:
        return md_link(text, relative_source(target, self.here))

    def href(self, target: str) -> str:
        if self.data.link_form == "source":
            return quote(relative_source(target, self.here), safe="/")  # a '#' or '?' in a file name is the name's
        return relative_url(target, self.here, self.data.use_directory_urls)

    def a(self, target: str, text: object) -> Markup:
        return html_link(text, self.href(target))

    def pm(self, pm: Postmortem) -> Markup:
        return isolate(self.a(self.data.src(pm), pm.title or pm.id))

    def pm_dated(self, pm: Postmortem) -> Markup:
        """The postmortem as its start date (UTC), its title on hover: for a compact cell."""
        return html_link(fmt.day(pm.started) if pm.started else pm.id, self.href(self.data.src(pm)), pm.title or pm.id)

    def pm_short(self, pm: Postmortem) -> Markup:
        """The postmortem as a short link, its whole title on hover: for the item tables."""
        title = pm.title or pm.id
        text = fmt.short(title)
        return isolate(html_link(text, self.href(self.data.src(pm)), title if text != title else None))

    def group(self, group: str, name: str, text: object | None = None) -> Markup:
        s = self.data.group_slugs.get(group, {}).get(name)
        label = (self.data.team_name(name) if group == "team" else name) if text is None else text
        if s is None:
            return html_escape(label)
        return self.a(paths.group_page(group, s), label)

    def groups(self, group: str, names: Iterable[str]) -> Markup:
        return Markup(", ").join(self.group(group, n) for n in names)


def badge(severity: str, settings: Settings) -> Markup:
    """The severity as a coloured label; the rank (0 = most severe) picks the colour.
    HTML, valid in Markdown prose and in raw HTML tables alike."""
    rank = settings.severity_rank(severity)
    return Markup(f'<span class="ft-badge ft-rank-{min(rank, 5)}">{html_escape(severity or "?")}</span>')


def status_chip(status: str) -> Markup:
    return Markup(f'<span class="ft-status ft-status-{name_slug(status)}">{html_escape(status)}</span>')


def ticket(view: m.ItemView) -> Markup:
    if not view.ticket:
        return Markup(fmt.NONE)
    label = fmt.ticket_label(view.ticket)
    hover = view.ticket if label != view.ticket else None
    return html_link(label, view.ticket_url, hover) if view.ticket_url else html_escape(view.ticket)


def redated_cell(view: m.ItemView) -> Markup:
    """An item's re-dates for a table cell: '2x, +21 d' (every move, and the slip of the file's
    date), the original due date, and each move seen only in a tracker ('in jira, no reason
    recorded (to 2025-06-30)'); a dash for an item never moved."""
    if not view.redates:
        return Markup(fmt.NONE)
    parts = [fmt.redate_summary(len(view.redates), view.slip_days)]
    if view.original_due != view.due:
        parts.append(f"originally due {fmt.day(view.original_due)}")
    # A tracker's move leaves the file's date (and so the slip) alone: say where the ticket went.
    parts += [f"{fmt.redate_source(r.source)} (to {fmt.day(r.to)})" for r in view.unrecorded_redates]
    return Markup("<br>").join(html_escape(p) for p in parts)


@dataclass(frozen=True, slots=True)
class RedateRow:
    """One move of one item's due date, as the re-dated items page lists it."""

    view: m.ItemView
    redate: Redate

    @property
    def source(self) -> str:
        return fmt.redate_source(self.redate.source)


def redate_rows(views: Iterable[m.ItemView]) -> list[RedateRow]:
    """Every re-date of these items, newest first (by the day it was decided or seen; a chain's
    later entry first on the same day)."""
    rows = [(v, i, r) for v in views for i, r in enumerate(v.redates)]
    rows.sort(key=lambda t: (t[2].on, t[0].postmortem.id, t[0].item.index, t[1]), reverse=True)
    return [RedateRow(v, r) for v, _, r in rows]


def joined_names(names: Sequence[str]) -> str:
    """Severity names as one phrase: 'SEV-0/1' when they differ only in a trailing number
    ('SEV-10/11', never 'SEV-10/1'), else 'SEV-0 and Critical'."""
    if len(names) < 2:
        return names[0] if names else ""
    stem = names[0]
    for name in names[1:]:
        while not name.startswith(stem):
            stem = stem[:-1]
    while stem and stem[-1].isdigit():
        stem = stem[:-1]
    rests = [n[len(stem):] for n in names]
    if stem and all(r.isdigit() for r in rests):
        return stem + "/".join(rests)
    return ", ".join(names[:-1]) + " and " + names[-1]


def commitments_title(settings: Settings) -> str:
    """The commitments page's title, from the rubric: 'SEV-0/1 commitments' by default."""
    names = [s.name for s in settings.severities if s.non_negotiable]
    return f"{joined_names(names)} commitments" if names else "Non-negotiable commitments"


@dataclass(frozen=True, slots=True)
class Row:
    """A postmortem as one row of a listing."""

    pm: Postmortem
    date: str
    duration: str
    mitigate: str
    items_done: int
    items_total: int


def pm_row(pm: Postmortem, data: SiteData) -> Row:
    d = m.durations(pm)
    items = data.items_of(pm)
    return Row(pm, fmt.day(pm.started), fmt.duration(d.resolve), fmt.duration(d.mitigate), sum(v.status == "done" for v in items), len(items))


def newest_first(pms: Iterable[Postmortem]) -> list[Postmortem]:
    return sorted(pms, key=lambda pm: (pm.started.timestamp() if pm.started else 0.0, pm.id), reverse=True)


# --- pages -------------------------------------------------------------------------------------


class Renderer:
    def __init__(self, data: SiteData, env: jinja2.Environment) -> None:
        self.data = data
        self.env = env

    def render(self, template: str, here: str, **context: Any) -> str:
        data = self.data
        links = Links(data, here)
        text = render(
            self.env,
            f"{TEMPLATE_FOLDER}/{template}",
            data=data,
            settings=data.settings,
            today=data.today,
            options=data.options,
            links=links,
            badge=lambda s: badge(s, data.settings),
            status_chip=status_chip,
            ticket=ticket,
            redated=redated_cell,
            without_decision=lambda v: policy.wont_do_without_decision(v, data.settings),
            name=data.name,
            team_name=data.team_name,
            row=lambda pm: pm_row(pm, data),
            words=words,
            people=lambda handles: Markup(", ").join(html_escape(data.name(h)) for h in handles),
            dash=Markup(fmt.NONE),
            **context,
        )
        return text


class Site:
    """The generated site of one build: pages by path, and the top of each postmortem's page."""

    def __init__(self, data: SiteData, env: jinja2.Environment) -> None:
        self.data = data
        self.renderer = Renderer(data, env)
        self._by_src = {data.src(pm): pm for pm in data.postmortems}

    @classmethod
    def create(
        cls,
        postmortems: Sequence[Postmortem],
        directory: Directory,
        settings: Settings,
        states: Mapping[str, TicketState],
        today: date,
        *,
        templates: jinja2.BaseLoader,
        options: SiteOptions | None = None,
        doc_paths: Mapping[str, str] | None = None,
        use_directory_urls: bool = True,
        link_form: LinkForm = "url",
    ) -> "Site":
        data = site_data(postmortems, directory, settings, states, today, options, doc_paths, use_directory_urls, link_form)
        return cls(data, template_environment(templates))

    def pages(self, *, include_postmortems: bool = False) -> dict[str, str]:
        """Generated pages and data files by docs_dir path; with include_postmortems, each
        postmortem's page too (front-matter, header card, body), as `followthrough pages` writes."""
        r = self.renderer
        data = self.data
        pages: dict[str, str] = {}
        pages[paths.HOME] = with_title("Home", home_page(r))
        pages[paths.ALL] = with_title("All postmortems", all_page(r), searchable=False)
        for group in paths.GROUPS:
            pages.update(group_pages(r, group))
        overdue, overdue_by = overdue_page(r)
        pages[paths.OVERDUE] = with_title("Overdue action items", overdue, searchable=False)
        pages[paths.OVERDUE_BY_OWNER] = with_title("Overdue action items by owner", overdue_by[paths.OVERDUE_BY_OWNER], searchable=False)
        pages[paths.OVERDUE_BY_TEAM] = with_title("Overdue action items by team", overdue_by[paths.OVERDUE_BY_TEAM], searchable=False)
        pages[paths.REDATED] = with_title("Re-dated items", redated_page(r), searchable=False)
        pages[paths.COMMITMENTS] = with_title(commitments_title(data.settings), commitments_page(r), searchable=False)
        pages[paths.COMPLETION] = with_title("Completion rates", completion_page(r), searchable=False)
        pages[paths.RESPONSE] = with_title("Response metrics", response_page(r), searchable=False)
        pages[paths.SEVERITIES] = with_title("Severity rubric", r.render("severities.md.j2", paths.SEVERITIES))
        pages[paths.ROLES] = with_title("Roles", roles_page(r))
        pages[paths.TAGS] = with_title("Tags", r.render("tags.md.j2", paths.TAGS))
        pages[paths.RECURRENCES] = with_title("Recurrences", recurrences_page(r), searchable=False)
        pages[paths.FACTORS] = with_title("Contributing factors", factors_page(r), searchable=False)
        pages[paths.FACTOR_VOCABULARY] = with_title("Factor vocabulary", r.render("factor-vocabulary.md.j2", paths.FACTOR_VOCABULARY))
        pages[paths.PEOPLE] = with_title("People and roles", people_page(r), searchable=False)
        pages[paths.CSS] = render(r.env, f"{TEMPLATE_FOLDER}/followthrough.css")
        pages[paths.JS] = render(r.env, f"{TEMPLATE_FOLDER}/followthrough.js")
        pages[paths.EXPORT_POSTMORTEMS] = _json(export_postmortems(data))
        pages[paths.EXPORT_ITEMS] = _json(export_items(data))
        if include_postmortems:
            for pm in data.postmortems:
                pages[data.src(pm)] = self.postmortem_file(pm)
        return pages

    def find(self, src: str) -> Postmortem | None:
        """The postmortem whose page is docs_dir path `src`."""
        return self._by_src.get(src)

    def page_title(self, pm: Postmortem) -> str:
        """For MkDocs' `meta.title`: safe where themes print it raw (see escape.safe_page_title)."""
        return safe_page_title(pm.title or pm.id)

    def postmortem_markdown(self, pm: Postmortem, *, card_placeholder: bool = False, sanitized_after: bool = False) -> str:
        """The page body: title, header card and live action items, then the author's body.
        With card_placeholder, the card is left out and CARD_MARK stands in its place, for
        `card_html` to replace in the built HTML (Markdown need not parse it).

        With sanitized_after (the plugin's build, which cleans the rendered HTML with an
        allowlist), the body's raw HTML is left for the sanitizer, so `<details>` or `<kbd>` work
        as on GitHub; otherwise (`followthrough pages`, for a build with no sanitizer after it)
        raw HTML is shown as text."""
        h1 = not any(sec.level == 1 for sec in pm.sections)
        here = self.data.src(pm)
        head = self.renderer.render("card.md.j2", here, pm=pm, h1=h1)
        middle = CARD_MARK + "\n\n" if card_placeholder else self.card_html(pm) + "\n"
        # Suppression comments are for lint; shown as text they would be noise on the page.
        body, code = strip_directives_mapped(pm.body, frozenset(n - pm.body_line for n in pm.code_lines))
        return head + middle + (body if sanitized_after else neutralize_html(body, code))

    def linked_facts(self, pm: Postmortem) -> str:
        """What the page of `pm` shows of other postmortems (its related incidents, both ways), as
        one string: part of the page's cache key, so an edit of the other file rebuilds it."""
        shown, more = shown_links(self.data.links_of(pm))
        return json.dumps([[link.facts(self.data.src(link.pm)) for link in shown], more], ensure_ascii=False)

    def others_key(self, pm: Postmortem) -> str:
        """What the postmortem's page shows of other postmortems, as text for its cache key: an
        edit of another postmortem (or of its tickets) that changes it rebuilds this page."""
        return json.dumps([recurrence_facts(self.data.recurrences.of(pm), self.data.doc_paths), self.linked_facts(pm)], ensure_ascii=False)

    def card_html(self, pm: Postmortem) -> str:
        return card(self.renderer, pm)

    def postmortem_file(self, pm: Postmortem) -> str:
        """A whole Markdown file for a build without the plugin: minimal front-matter, then the page body."""
        tags = ", ".join(json.dumps(safe_page_title(t), ensure_ascii=False) for t in pm.tags)
        head = f"---\ntitle: {json.dumps(self.page_title(pm), ensure_ascii=False)}\ntags: [{tags}]\n---\n"
        return head + self.postmortem_markdown(pm)


def card(r: Renderer, pm: Postmortem) -> str:
    here = r.data.src(pm)
    hours = r.data.options.review_target_hours
    lat = m.review_latency(pm, r.data.today, hours)
    # A review not made yet is due by a date; whether that date has passed changes with "today",
    # which the card leaves to the reader's browser (see card.html.j2).
    note, review_due = "", None
    if lat is not None and lat.days is not None:
        note = f"{lat.days} day(s) after resolved ({'on target' if lat.state == 'on-target' else 'late'}: {hours} h)"
    elif lat is not None:
        review_due = lat.deadline
    items = r.data.items_of(pm)
    related, related_more = shown_links(r.data.links_of(pm))
    return r.render(
        "card.html.j2", here, pm=pm, items=items, redates=redate_rows(items), durations=m.durations(pm), review_note=note, review_due=review_due,
        related=related, related_more=related_more,
    )  # fmt: skip


def with_title(title: str, markdown: str, *, searchable: bool = True) -> str:
    """Front-matter with the page's title, made safe: MkDocs would otherwise take the title from the
    rendered H1 with its entities kept, and `<title>`'s `striptags` would unescape them.

    Listing pages are not searchable: they repeat the titles of the postmortems they list, so a
    search would hit the list instead of the postmortem (and indexing them costs build time)."""
    exclude = "" if searchable else "search:\n  exclude: true\n"
    head = f"---\ntitle: {json.dumps(safe_page_title(title), ensure_ascii=False)}\n{exclude}---\n{paths.GENERATED_MARK}\n\n"
    return head + markdown


def _json(value: Any) -> str:
    # Compact: the exports are for tools, and json's C encoder only runs without `indent`.
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def home_page(r: Renderer) -> str:
    data = r.data
    pms = data.postmortems
    head = m.headline(pms, data.views, data.today, data.settings, data.options.due_soon_days)
    latest = newest_first(p for p in pms if m.is_counted(p))[: data.options.latest]
    overdue = sorted(m.overdue_items(m.counted(data.views), data.settings), key=lambda v: (-v.overdue_days, v.postmortem.id, v.item.index))
    return r.render("home.md.j2", paths.HOME, head=head, latest=latest, oldest_overdue=overdue[:10], overdue_total=len(overdue))


def all_page(r: Renderer) -> str:
    pms = r.data.postmortems
    incidents = newest_first(m.incidents(pms))
    shown, earlier = split_by_year(incidents, paths.ALL_ROWS)
    return r.render(
        "all.md.j2",
        paths.ALL,
        incidents=shown,
        incident_count=len(incidents),
        earlier=earlier,
        game_days=newest_first(m.game_days(pms)),
        near_misses=newest_first(m.near_misses(pms)),
        drafts=newest_first(p for p in pms if not m.is_counted(p)),
    )


def split_by_year(newest: list[Postmortem], rows: int) -> tuple[list[Postmortem], list[tuple[str, int]]]:
    """The newest whole years that fit in `rows` (the newest year whole, whatever its size), and
    the earlier years as (year, count), newest first."""
    if len(newest) <= rows:
        return newest, []
    years = [fmt.day(pm.started)[:4] for pm in newest]  # newest first; no start date sorts last
    ends = [i for i in range(1, len(years) + 1) if i == len(years) or years[i] != years[i - 1]]
    fitting = [i for i in ends if i <= rows]
    cut = fitting[-1] if fitting else ends[0]
    counts: dict[str, int] = {}
    for year in years[cut:]:
        counts[year] = counts.get(year, 0) + 1
    return newest[:cut], list(counts.items())


def group_pages(r: Renderer, group: str) -> dict[str, str]:
    data = r.data
    members: dict[str, list[Postmortem]] = defaultdict(list)
    for pm in m.counted_postmortems(data.postmortems):
        for name in group_names(group, pm):
            members[name].append(pm)
    order: Callable[[str], Any]
    if group == "severity":
        order = data.settings.severity_rank
    elif group == "year":
        order = lambda name: -int(name)  # noqa: E731 - newest year first
    else:
        order = str.lower
    names = sorted(members, key=order)
    title = paths.GROUP_TITLES[group]
    out = {paths.group_index(group): with_title(title, r.render("group-index.md.j2", paths.group_index(group), group=group, title=title, names=names, members=members), searchable=False)}
    for name in names:
        here = paths.group_page(group, data.group_slugs[group][name])
        pms = members[name]
        label = data.team_name(name) if group == "team" else name
        out[here] = with_title(label, searchable=False, markdown=r.render(
            "group.md.j2",
            here,
            group=group,
            group_index=paths.group_index(group),
            title=title,
            group_name=name,
            label=label,
            incidents=newest_first(p for p in pms if p.is_incident),
            game_days=newest_first(p for p in pms if p.is_game_day),
            recurrences=data.recurrences.for_service(name) if group == "service" else (),
            recurrence_rows=paths.RECURRENCE_ROWS // 5,
            near_misses=newest_first(p for p in pms if p.is_near_miss),
        ))
    return out


def overdue_page(r: Renderer) -> tuple[str, dict[str, str]]:
    data = r.data
    every = m.overdue_items(data.views, data.settings)
    incident_items = [v for v in every if v.postmortem.is_incident]
    game_day_items = [v for v in every if v.postmortem.is_game_day]
    near_miss_items = [v for v in every if v.postmortem.is_near_miss]
    by_owner: dict[str, list[m.ItemView]] = defaultdict(list)
    by_team: dict[str, list[m.ItemView]] = defaultdict(list)
    for v in incident_items:
        by_owner[v.item.owner].append(v)
        by_team[v.team or m.NO_TEAM].append(v)
    owners = sorted(by_owner, key=lambda h: (-len(by_owner[h]), data.name(h).lower()))
    teams = sorted(by_team, key=lambda t: (-len(by_team[t]), data.team_name(t).lower()))
    top = data.settings.severity_names[:2]
    main = r.render(
        "overdue.md.j2",
        paths.OVERDUE,
        items=incident_items,
        top_severities=top,
        top_count=sum(1 for v in incident_items if v.postmortem.severity in top),
        due_soon=m.due_soon_items(m.counted(data.views), data.options.due_soon_days, data.settings),
        game_day_items=game_day_items,
        near_miss_items=near_miss_items,
    )
    by = {
        paths.OVERDUE_BY_OWNER: r.render("overdue-by.md.j2", paths.OVERDUE_BY_OWNER, by="owner", keys=owners, groups=by_owner),
        paths.OVERDUE_BY_TEAM: r.render("overdue-by.md.j2", paths.OVERDUE_BY_TEAM, by="team", keys=teams, groups=by_team),
    }
    return main, by


def redated_page(r: Renderer) -> str:
    data = r.data
    incident_items = m.counted(data.views)
    rows = redate_rows(incident_items)
    return r.render(
        "redated.md.j2",
        paths.REDATED,
        rows=rows,
        items=[v for v in incident_items if v.redates],
        unrecorded=sum(1 for row in rows if not row.redate.in_file),
        game_day_rows=redate_rows(m.counted(data.views, kind="game-day")),
        near_miss_rows=redate_rows(m.counted(data.views, kind="near-miss")),
    )


@dataclass(frozen=True, slots=True)
class Commitment:
    """An item of a non-negotiable severity, with what its policy says of it."""

    view: m.ItemView
    escalated: bool
    escalated_to: str  # the contact's name ("" when not escalated or nobody is named)
    flagged: bool  # closed as won't do without a decision


def commitments_page(r: Renderer) -> str:
    data = r.data
    settings = data.settings
    levels = [s.name for s in settings.severities if s.non_negotiable]
    rank = m.severity_order(settings)
    found = []
    for v in m.counted(data.views):
        if not policy.is_non_negotiable(v, settings):
            continue
        escalated = policy.is_escalated(v, settings)
        contact = policy.escalation_contact(v, settings, data.directory) if escalated else None
        found.append(Commitment(v, escalated, contact.name if contact else "", policy.wont_do_without_decision(v, settings)))

    def newest(c: Commitment) -> tuple[Any, ...]:
        pm = c.view.postmortem
        return (rank(c.view), -(pm.started.timestamp() if pm.started else 0.0), pm.id, c.view.item.index)

    open_items = sorted((c for c in found if c.view.is_open), key=lambda c: (not c.escalated, -c.view.overdue_days, *newest(c)))
    return r.render(
        "commitments.md.j2",
        paths.COMMITMENTS,
        title=commitments_title(settings),
        levels=levels,
        total=len(found),
        flagged=sorted((c for c in found if c.flagged), key=newest),
        open_items=open_items,
        escalated=sum(c.escalated for c in found),
        decided=sorted((c for c in found if c.view.status == "wont-do" and not c.flagged), key=newest),
        done=sorted((c for c in found if c.view.status == "done"), key=newest),
    )


def completion_page(r: Renderer) -> str:
    data = r.data
    today = data.today
    items = m.counted(data.views)
    overall = m.completion(items, today)
    quarters = m.completion_by(items, m.by_quarter, today)
    labels = m.quarter_range(min(quarters), max(quarters)) if quarters else []
    trend = [(q, quarters.get(q)) for q in labels]
    chart = ""
    # The chart's axis holds the quarters with items only: an empty quarter would be a gap in every line.
    drawn = [(q, c) for q, c in trend if c]
    if drawn:
        chart = line_chart(
            "Completion and on-time rate of action items, by the quarter their incident started",
            [q for q, _ in drawn],
            [
                Series("Completion rate", [c.rate * 100 if c.rate is not None else None for _, c in drawn]),
                Series("On time (current due)", [c.on_time_rate * 100 if c.on_time_rate is not None else None for _, c in drawn]),
                Series("On time (original due)", [c.on_time_rate_original * 100 if c.on_time_rate_original is not None else None for _, c in drawn]),
            ],
        )
    return r.render(
        "completion.md.j2",
        paths.COMPLETION,
        overall=overall,
        trend=trend,
        chart=Markup(chart),
        by_severity=m.completion_by_severity(items, today, data.settings),
        by_team=m.completion_by(items, m.by_team, today),
        by_service=m.completion_by(items, m.by_service, today),
        game_days=m.completion(m.counted(data.views, kind="game-day"), today),
        near_misses=m.completion(m.counted(data.views, kind="near-miss"), today),
        age_buckets=overall.age_buckets,
        verified=verification(data.views, data.settings),
        verified_levels=joined_names([s.name for s in data.settings.severities if s.non_negotiable]) or "non-negotiable",
        unverified_rows=paths.UNVERIFIED_ROWS,
    )


def recurrences_page(r: Renderer) -> str:
    cases = r.data.recurrences.cases
    shown = cases[: paths.RECURRENCE_ROWS]
    return r.render(
        "recurrences.md.j2",
        paths.RECURRENCES,
        cases=shown,
        total=len(cases),
        more=len(cases) - len(shown),
        incidents=len({c.incident.id for c in cases}),
        items=sum(len(c.open_items) for c in cases),
    )


def factors_page(r: Renderer) -> str:
    return r.render("factors.md.j2", paths.FACTORS, f=factor_figures(r.data.postmortems, r.data.settings), shown=paths.FACTOR_LIST_ROWS)


def response_page(r: Renderer) -> str:
    data = r.data
    incidents = m.incidents(data.postmortems)
    hours = data.options.review_target_hours
    latencies = [lat for lat in (m.review_latency(pm, data.today, hours) for pm in incidents) if lat is not None]
    missed = sorted((lat for lat in latencies if lat.state in ("late", "overdue")), key=lambda lat: lat.deadline, reverse=True)
    game = m.game_days(data.postmortems)
    overall = m.response_by_severity(incidents, data.settings)
    return r.render(
        "response.md.j2",
        paths.RESPONSE,
        overall=overall,
        strips={measure: Markup(response_strip(overall, measure)) for measure in m.MEASURES},
        bands={measure: [(row.severity, band_counts([v.value.total_seconds() for v in row.measure(measure).values])) for row in overall] for measure in m.MEASURES},
        band_names=[name for _, name in BANDS],
        measures=MEASURE_TITLES,
        by_quarter=m.response_by_quarter(incidents, data.settings),
        review=m.review_summary(incidents, data.today, hours),
        missed=missed,
        game_days=m.response_by_severity(game, data.settings),
        incident_count=len(incidents),
    )


MEASURE_TITLES = {"detect": "Time to detect", "mitigate": "Time to mitigate", "resolve": "Time to resolve"}


def response_strip(rows: Sequence[m.ResponseRow], measure: str) -> str:
    """The strip of one measure: a lane per severity, a dot per incident (its title on hover)."""
    lanes = []
    for row in rows:
        spread = row.measure(measure)
        # The title cut short: a dot's hover names the incident, its page has the whole title.
        dots = [Dot(v.value.total_seconds(), f"{fmt.short(v.postmortem.title or v.postmortem.id)}: {fmt.duration(v.value)}") for v in spread.values]
        p50, p90 = spread.p50, spread.p90
        lanes.append(Lane(row.severity, dots, p50.total_seconds() if p50 is not None else None, p90.total_seconds() if p90 is not None else None))
    title = f"{MEASURE_TITLES[measure]} of each incident, by severity (log scale)"
    return strip_chart(f"ft-strip-{measure}", title, lanes, lambda s: fmt.duration(timedelta(seconds=s)))


def roles_page(r: Renderer) -> str:
    settings = r.data.settings
    matrix = []
    for combo in settings.role_combinations:
        matrix.append((combo, [s.name in combo.allowed_at for s in settings.severities]))
    return r.render("roles.md.j2", paths.ROLES, roles=ROLES, titles=ROLE_TITLES, duties=ROLE_DUTIES, matrix=matrix)


def people_page(r: Renderer) -> str:
    return r.render("people.md.j2", paths.PEOPLE, rotation=rotation(r.data.postmortems, r.data.directory), roles=ROLES, never_roles=NEVER_HELD_ROLES)
