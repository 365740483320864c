"""The follow-through figures, computed from postmortems, tracker state and "today" alone.

Pure functions over values: no files, no clock. The site's pages and the `report` command
both call these, so a number means the same thing everywhere. Every definition below is
also written out in guide/site.md; change both together.

Rules that hold for every figure here:
- Drafts (`status: draft`) count in no figure: a draft's items are not commitments yet.
- Game days (`kind: game-day`) and near misses (`kind: near-miss`) count in no incident
  figure; `game_days`, `near_misses` and `counted(..., kind=...)` give them and their items,
  which the pages show apart.
- No mean anywhere: every median and percentile is `percentile` (nearest rank), so each figure
  is a value that occurred, and a skewed spread of durations is not summed into one number.
- Dates of incidents are UTC dates (`started` converted to UTC); a due date or a done
  date is a calendar date and is compared with "today" as given.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Callable, Iterable, Mapping, Sequence, TypeVar

from followthrough.core.dates import days_until, is_due_soon, utc_date
from followthrough.core.model import ActionItem, Directory, Postmortem, Redate
from followthrough.core.settings import Settings
from followthrough.core.model import TicketState, state_key
from followthrough.core.ticket_refs import github_number

OPEN_STATUSES = ("open", "in-progress")
DUE_SOON_DAYS = 7
REVIEW_TARGET_HOURS = 48
# (lowest age in days, highest age in days or None, label) of an open item, from the incident's start.
AGE_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (0, 30, "0-30 days"),
    (31, 90, "31-90 days"),
    (91, 180, "91-180 days"),
    (181, 365, "181-365 days"),
    (366, None, "over a year"),
)
NO_TEAM = "(no team)"


# --- dates -------------------------------------------------------------------------------


def quarter_of(day: date) -> str:
    """'2024-Q2' for any day of April to June 2024."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def incident_quarter(pm: Postmortem) -> str | None:
    """The quarter of the incident's start, in UTC; None when `started` is unknown."""
    return quarter_of(utc_date(pm.started)) if pm.started else None


def quarter_bounds(quarter: str) -> tuple[date, date]:
    """First and last day of '2024-Q2'."""
    year, q = int(quarter[:4]), int(quarter[-1])
    first = date(year, 3 * q - 2, 1)
    last = date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - timedelta(days=1)
    return first, last


# --- which postmortems and items count ---------------------------------------------------


def is_counted(pm: Postmortem) -> bool:
    """A postmortem that counts in figures at all: anything but a draft."""
    return pm.status != "draft"


def incidents(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    """Non-draft incidents (not game days, not near misses): what every incident figure is computed from."""
    return [pm for pm in postmortems if is_counted(pm) and pm.is_incident]


def counted_postmortems(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    """Non-draft postmortems of every kind (for listings, not figures)."""
    return [pm for pm in postmortems if is_counted(pm)]


def game_days(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    """Non-draft game days: shown apart, never mixed into incident figures."""
    return [pm for pm in postmortems if is_counted(pm) and pm.is_game_day]


def near_misses(postmortems: Iterable[Postmortem]) -> list[Postmortem]:
    """Non-draft near misses: shown apart, never mixed into incident figures."""
    return [pm for pm in postmortems if is_counted(pm) and pm.is_near_miss]


# --- items with their live status ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemView:
    """One action item as the site and reports show it: front-matter plus what the tracker says.

    `status` is the tracker's (from the state file) once the item is mirrored, else the
    front-matter's. `overdue_days` is 0 unless the item is open or in progress and its
    due date is before today.
    """

    postmortem: Postmortem
    item: ActionItem
    status: str
    mirrored: bool  # the state file holds this item: status, ticket link and done date come from the tracker
    ticket: str | None
    ticket_url: str | None
    due: date | None
    done_on: date | None  # known only from the state file
    team: str | None
    overdue_days: int
    due_in_days: int | None  # days from today to the due date (negative when past); None without a due date
    # Every move of the due date, oldest first: the file's `redated:` entries, then the tracker's
    # moves no file entry records (source: the destination's name; no reason).
    redates: tuple[Redate, ...] = ()
    original_due: date | None = None  # the first committed due date (`ActionItem.original_due`)

    @property
    def slip_days(self) -> int:
        """Days the current due date lies after the original one (0 when never moved)."""
        if self.due is None or self.original_due is None:
            return 0
        return (self.due - self.original_due).days

    @property
    def original_due_in_days(self) -> int | None:
        """Days from today to the original due date (negative when past); None without a due date."""
        if self.due_in_days is None or self.original_due is None or self.due is None:
            return None
        return self.due_in_days - self.slip_days

    @property
    def unrecorded_redates(self) -> tuple[Redate, ...]:
        """Moves seen in a tracker that the file does not record: re-dates without a reason."""
        return unrecorded(self.redates)

    @property
    def key(self) -> str:
        return state_key(self.postmortem.id, self.item.id)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.overdue_days > 0

    def is_due_soon(self, window_days: int) -> bool:
        """Open or in progress and due today or within `window_days` days (drafts too: lists leave them out)."""
        return self.is_open and is_due_soon(self.due_in_days, window_days)

    @property
    def counts(self) -> bool:
        """Counts in incident figures: not from a draft, a game day or a near miss."""
        return is_counted(self.postmortem) and self.postmortem.is_incident

    @property
    def status_label(self) -> str:
        """'open', 'done'... plus 'not yet mirrored' for an item of a non-draft with no ticket at all."""
        if not self.mirrored and not self.ticket and is_counted(self.postmortem) and self.is_open:
            return f"{self.status} (not yet mirrored)"
        return self.status

    def on_time(self, *, original: bool = False) -> bool | None:
        """True/False once judgeable (see `completion`), None while it is not.

        Against the current due date by default; with original=True, against the date first
        committed to, so that moving a date never turns a late item into an on-time one."""
        due = self.original_due if original else self.due
        days_left = self.original_due_in_days if original else self.due_in_days
        if self.status == "done":
            if self.done_on is None or due is None:
                return None
            return self.done_on <= due
        if self.is_open and days_left is not None and days_left < 0:
            return False
        return None


def ticket_url(ticket: str | None) -> str | None:
    """A link for a ticket written in front-matter: a URL as is, `owner/repo#45` on github.com."""
    if not ticket:
        return None
    if ticket.startswith(("https://", "http://")):
        return ticket
    ref = github_number(ticket)
    if ref is not None and ref[0]:
        return f"https://github.com/{ref[0]}/issues/{ref[1]}"
    return None  # a Jira key (or '#45'): only the state file knows the server's address


def item_team(pm: Postmortem, item: ActionItem, directory: Directory | None) -> str | None:
    """The owner's team in the people directory; else the postmortem's first team; else None."""
    if directory is not None:
        person = directory.people.get(item.owner)
        if person is not None and person.team:
            return person.team
    return pm.teams[0] if pm.teams else None


def item_view(pm: Postmortem, item: ActionItem, state: TicketState | None, today: date, directory: Directory | None = None) -> ItemView:
    """One item's view: the state file wins over the front-matter for status, ticket and dates."""
    if state is not None:
        status = state.status
        ticket = state.ticket or item.ticket
        url = _safe_url(state.url) or ticket_url(ticket)
        done_on = (state.done_on or item.done_on) if status == "done" else None
    else:
        status = item.status
        ticket = item.ticket
        url = ticket_url(ticket)
        done_on = item.done_on if status == "done" else None
    # The postmortem's due date is the reviewed commitment; the tracker's fills in only when it has none.
    due = item.due or (state.due if state else None)
    due_in = days_until(due, today) if due else None
    overdue = -due_in if (due_in is not None and due_in < 0 and status in OPEN_STATUSES) else 0
    return ItemView(
        postmortem=pm,
        item=item,
        status=status,
        mirrored=state is not None,
        ticket=ticket,
        ticket_url=url,
        due=due,
        done_on=done_on,
        team=item_team(pm, item, directory),
        overdue_days=overdue,
        due_in_days=due_in,
        redates=all_redates(item, state),
        original_due=item.original_due or due,
    )


def unrecorded(redates: Iterable[Redate]) -> tuple[Redate, ...]:
    """The moves seen only in a tracker: re-dates no reviewed file entry gives a reason for."""
    return tuple(r for r in redates if not r.in_file)


def all_redates(item: ActionItem, state: TicketState | None) -> tuple[Redate, ...]:
    """The file's re-dates, then each tracker move (both dates known) that no file entry records.

    The file's due date stays the commitment: a move made only in the tracker is shown, with
    "no reason recorded", until a reviewed `redated:` entry records the same move."""
    if state is None or not state.redates:
        return item.redated
    recorded = {(r.from_, r.to) for r in item.redated}
    seen = tuple(
        Redate(r.from_, r.to, r.seen, "", None, r.destination or "tracker")
        for r in state.redates
        if r.from_ is not None and r.to is not None and (r.from_, r.to) not in recorded
    )
    return item.redated + seen


def _safe_url(url: str | None) -> str | None:
    # Only web links: a state file is data, and a `javascript:` link must never reach a page.
    return url if url and url.startswith(("https://", "http://")) else None


def item_views(
    postmortems: Iterable[Postmortem],
    states: Mapping[str, TicketState],
    today: date,
    directory: Directory | None = None,
) -> list[ItemView]:
    """Every action item of every postmortem (drafts and game days included; filter with `counted`)."""
    return [
        item_view(pm, item, states.get(state_key(pm.id, item.id)), today, directory)
        for pm in postmortems
        for item in pm.action_items
    ]


def counted(views: Iterable[ItemView], *, kind: str = "incident") -> list[ItemView]:
    """Items of non-draft postmortems of one kind: incidents by default (what every incident
    figure counts), or `game-day` or `near-miss` for the figures shown apart."""
    return [v for v in views if is_counted(v.postmortem) and v.postmortem.kind == kind]


def severity_order(settings: Settings | None) -> Callable[[ItemView], int]:
    if settings is None:
        return lambda v: 0
    return lambda v: settings.severity_rank(v.postmortem.severity)


def overdue_items(views: Iterable[ItemView], settings: Settings | None = None) -> list[ItemView]:
    """Open or in-progress items of non-drafts due before today: most severe first, then most overdue.

    Items of game days and near misses are included (their `postmortem.kind` tells them apart)."""
    rank = severity_order(settings)
    found = [v for v in views if v.is_overdue and is_counted(v.postmortem)]
    return sorted(found, key=lambda v: (rank(v), -v.overdue_days, v.postmortem.id, v.item.index))


def due_soon_items(views: Iterable[ItemView], days: int = DUE_SOON_DAYS, settings: Settings | None = None) -> list[ItemView]:
    """Open or in-progress items of non-drafts due today or within the next `days` days, soonest first."""
    rank = severity_order(settings)
    found = [v for v in views if v.is_due_soon(days) and is_counted(v.postmortem)]
    return sorted(found, key=lambda v: (v.due_in_days, rank(v), v.postmortem.id, v.item.index))


# --- completion ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Completion:
    """Completion figures of one group of items. Rates are None when their denominator is 0."""

    total: int  # every item: open + in_progress + done + wont_do
    done: int
    wont_do: int
    open: int
    in_progress: int
    overdue: int
    on_time: int  # done on or before the (current) due date
    late: int  # done after the due date, or still open past it
    done_date_unknown: int  # done, but no done date known (not mirrored): not judged on time or late
    late_open: int  # of `late`: still open past the due date
    median_days_to_close: float | None  # nearest-rank p50 (`percentile`): the lower middle one of an even number
    age_buckets: tuple[tuple[str, int], ...]  # open and in-progress items by age
    # The same three against the original due date (the first one committed to, before any re-date).
    on_time_original: int
    late_original: int
    late_open_original: int

    @property
    def rate(self) -> float | None:
        """done / total; won't-do items are in the denominator and shown apart (wont_do_rate)."""
        return self.done / self.total if self.total else None

    @property
    def wont_do_rate(self) -> float | None:
        return self.wont_do / self.total if self.total else None

    @property
    def on_time_rate(self) -> float | None:
        """on_time / (on_time + late) against the current due date; see `judged_rate`."""
        return judged_rate(self.on_time, self.late, self.late_open, self.done_date_unknown)

    @property
    def on_time_rate_original(self) -> float | None:
        """The same rate against the original due date: re-dates do not make an item on time."""
        return judged_rate(self.on_time_original, self.late_original, self.late_open_original, self.done_date_unknown)

    @property
    def still_open(self) -> int:
        return self.open + self.in_progress


def judged_rate(on_time: int, late: int, late_open: int, done_date_unknown: int) -> float | None:
    """on_time / (on_time + late); None while most done items have no known done date.

    Open items past due are known to be late, but done items are judged only with a done
    date (the tracker's, or the file's `done_on`). When those are mostly unknown, a rate over
    the rest would count every overdue item and almost none of the done ones: a figure that
    is simply wrong.
    """
    judged = on_time + late
    if not judged or done_date_unknown > judged - late_open:
        return None
    return on_time / judged


def days_to_close(view: ItemView) -> int | None:
    """Days from the incident's start (UTC date) to the done date; None unless done with a known date."""
    if view.status != "done" or view.done_on is None or view.postmortem.started is None:
        return None
    return (view.done_on - utc_date(view.postmortem.started)).days


def open_age_days(view: ItemView, today: date) -> int | None:
    """Days from the incident's start (UTC date) to today, for an open or in-progress item."""
    if not view.is_open or view.postmortem.started is None:
        return None
    return (today - utc_date(view.postmortem.started)).days


def age_bucket(days: int) -> str:
    for low, high, label in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return AGE_BUCKETS[0][2]  # started after today (a future date): the youngest bucket


def completion(views: Iterable[ItemView], today: date) -> Completion:
    """The completion figures of exactly these items (callers choose them, usually `counted(...)`)."""
    views = list(views)
    by_status: dict[str, int] = defaultdict(int)
    # [on time, late, late and still open], against the current and the original due date
    current, original = [0, 0, 0], [0, 0, 0]
    unknown = 0
    closes: list[int] = []
    buckets = {label: 0 for _, _, label in AGE_BUCKETS}
    for v in views:
        by_status[v.status] += 1
        for tally, judged in ((current, v.on_time()), (original, v.on_time(original=True))):
            if judged is True:
                tally[0] += 1
            elif judged is False:
                tally[1] += 1
                tally[2] += v.is_open
        if v.status == "done" and v.done_on is None:
            unknown += 1
        d = days_to_close(v)
        if d is not None:
            closes.append(d)
        age = open_age_days(v, today)
        if age is not None:
            buckets[age_bucket(age)] += 1
    return Completion(
        total=len(views),
        done=by_status["done"],
        wont_do=by_status["wont-do"],
        open=by_status["open"],
        in_progress=by_status["in-progress"],
        overdue=sum(1 for v in views if v.is_overdue),
        on_time=current[0],
        late=current[1],
        done_date_unknown=unknown,
        late_open=current[2],
        median_days_to_close=_median(closes),
        age_buckets=tuple(buckets.items()),
        on_time_original=original[0],
        late_original=original[1],
        late_open_original=original[2],
    )


GroupKey = Callable[[ItemView], Iterable[str]]


def by_team(view: ItemView) -> list[str]:
    return [view.team or NO_TEAM]


def by_service(view: ItemView) -> list[str]:
    """Every service of the item's postmortem: one item counts once under each of them."""
    return list(view.postmortem.services)


def by_severity(view: ItemView) -> list[str]:
    return [view.postmortem.severity]


def by_quarter(view: ItemView) -> list[str]:
    """The quarter (UTC) the item's incident started in: a cohort, not the quarter it was closed."""
    q = incident_quarter(view.postmortem)
    return [q] if q else []


def completion_by(views: Iterable[ItemView], key: GroupKey, today: date) -> dict[str, Completion]:
    """Completion per group, groups sorted by name (quarters sort in time order)."""
    groups: dict[str, list[ItemView]] = defaultdict(list)
    for v in views:
        for name in key(v):
            groups[name].append(v)
    return {name: completion(groups[name], today) for name in sorted(groups)}


def completion_by_severity(views: Iterable[ItemView], today: date, settings: Settings) -> dict[str, Completion]:
    """Completion per severity, in the rubric's order (most severe first)."""
    groups = completion_by(views, by_severity, today)
    return {name: groups[name] for name in sorted(groups, key=settings.severity_rank)}


def quarter_range(first: str, last: str) -> list[str]:
    """Every quarter from `first` to `last` inclusive, so a trend shows empty quarters too."""
    out = []
    year, q = int(first[:4]), int(first[-1])
    while f"{year}-Q{q}" <= last:
        out.append(f"{year}-Q{q}")
        year, q = (year + 1, 1) if q == 4 else (year, q + 1)
    return out


# --- incidents and response ---------------------------------------------------------------


def incidents_in_quarter(postmortems: Iterable[Postmortem], quarter: str, settings: Settings) -> dict[str, int]:
    """Non-draft incidents that started (UTC) in `quarter`, per severity in rubric order (zeros kept)."""
    counts = {name: 0 for name in settings.severity_names}
    for pm in incidents(postmortems):
        if incident_quarter(pm) == quarter and pm.severity in counts:
            counts[pm.severity] += 1
    return counts


@dataclass(frozen=True, slots=True)
class Durations:
    """Each measured from `started`; None when either end is unknown."""

    detect: timedelta | None
    mitigate: timedelta | None
    resolve: timedelta | None


def durations(pm: Postmortem) -> Durations:
    def since_start(end: datetime | None) -> timedelta | None:
        return end - pm.started if (end is not None and pm.started is not None) else None

    return Durations(since_start(pm.detected), since_start(pm.mitigated), since_start(pm.resolved))


V = TypeVar("V", timedelta, int, float)


def percentile(values: Sequence[V], p: int) -> V | None:
    """The nearest-rank p-th percentile of `values` (sorted or not), 0 < p <= 100; None when empty.
    Every median and percentile of the figures is this one.

    Nearest rank: the value at rank ceil(p/100 x n) of the sorted values, so every percentile is
    the duration of an actual incident, never a blend of two: of 2 values p50 is the smaller and
    p90 the larger; of 10, p90 is the 9th."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[nearest_rank(p, len(ordered)) - 1]


def nearest_rank(p: int, n: int) -> int:
    """ceil(p/100 x n), 1-based, in integers (no float rounding at the edges); at least 1."""
    if not 0 < p <= 100:
        raise ValueError(f"percentile {p}: not in 1..100")
    return max(1, -(-p * n // 100))


@dataclass(frozen=True, slots=True)
class Measured:
    """One incident's duration of one measure (a dot of the strip, a row of the table)."""

    postmortem: Postmortem
    value: timedelta


@dataclass(frozen=True, slots=True)
class Spread:
    """The distribution of one measure over a group of incidents: every value, shortest first.

    Percentiles, never a mean: durations are skewed (a few long incidents and many short ones),
    so a mean sits where few incidents are and moves with one outlier."""

    values: tuple[Measured, ...] = ()

    @property
    def n(self) -> int:
        return len(self.values)

    @property
    def p50(self) -> timedelta | None:
        return self.at(50)

    @property
    def p90(self) -> timedelta | None:
        return self.at(90)

    def at(self, p: int) -> timedelta | None:
        """The nearest-rank percentile (see `percentile`); the values are sorted already."""
        if not self.values:
            return None
        return self.values[nearest_rank(p, len(self.values)) - 1].value


def spread(pms: Iterable[Postmortem], measure: str) -> Spread:
    """The `measure` ("detect", "mitigate" or "resolve") of each of `pms` that records both times,
    shortest first (ties by postmortem id, so a page is the same from build to build)."""
    found = [Measured(pm, d) for pm in pms if (d := getattr(durations(pm), measure)) is not None]
    found.sort(key=lambda v: (v.value, v.postmortem.id))
    return Spread(tuple(found))


MEASURES = ("detect", "mitigate", "resolve")


@dataclass(frozen=True, slots=True)
class ResponseRow:
    """The response times of the incidents of one severity in one quarter (or overall): for each
    measure, the spread over the incidents that record both of its times (`.n` of them)."""

    severity: str
    quarter: str  # "" for all quarters together
    incidents: int
    detect: Spread
    mitigate: Spread
    resolve: Spread

    def measure(self, name: str) -> Spread:
        return getattr(self, name)


def _response_row(severity: str, quarter: str, pms: Sequence[Postmortem]) -> ResponseRow:
    return ResponseRow(severity, quarter, len(pms), spread(pms, "detect"), spread(pms, "mitigate"), spread(pms, "resolve"))


def response_by_severity(postmortems: Iterable[Postmortem], settings: Settings) -> list[ResponseRow]:
    """Time to detect, mitigate and resolve per severity over exactly these postmortems
    (callers pass `incidents(...)`, or `game_days(...)` for the figures shown apart)."""
    groups: dict[str, list[Postmortem]] = defaultdict(list)
    for pm in postmortems:
        groups[pm.severity].append(pm)
    return [_response_row(s, "", groups[s]) for s in sorted(groups, key=settings.severity_rank)]


def response_by_quarter(postmortems: Iterable[Postmortem], settings: Settings) -> list[ResponseRow]:
    """The same per (severity, quarter of the start in UTC), severities in rubric order,
    quarters in time order, over exactly these postmortems (callers pass `incidents(...)`)."""
    groups: dict[tuple[str, str], list[Postmortem]] = defaultdict(list)
    for pm in postmortems:
        q = incident_quarter(pm)
        if q:
            groups[(pm.severity, q)].append(pm)
    keys = sorted(groups, key=lambda k: (settings.severity_rank(k[0]), k[1]))
    return [_response_row(s, q, groups[(s, q)]) for s, q in keys]


@dataclass(frozen=True, slots=True)
class ReviewLatency:
    """How long after resolution the postmortem was reviewed, against the target."""

    postmortem: Postmortem
    deadline: date  # the UTC date on which the target runs out: (resolved + target hours) in UTC
    days: int | None  # reviewed - resolved (UTC dates); None while not reviewed
    state: str  # "on-target" | "late" | "overdue" (not reviewed, deadline passed) | "pending" (not reviewed, deadline not yet passed)


def review_latency(pm: Postmortem, today: date, target_hours: int = REVIEW_TARGET_HOURS) -> ReviewLatency | None:
    """None when the incident has no `resolved` time. `reviewed` is a date, so the target is met
    when the review's date is no later than the UTC date on which `resolved + target` falls."""
    if pm.resolved is None:
        return None
    deadline = utc_date(pm.resolved + timedelta(hours=target_hours))
    if pm.reviewed is not None:
        days = (pm.reviewed - utc_date(pm.resolved)).days
        return ReviewLatency(pm, deadline, days, "on-target" if pm.reviewed <= deadline else "late")
    return ReviewLatency(pm, deadline, None, "overdue" if today > deadline else "pending")


@dataclass(frozen=True, slots=True)
class ReviewSummary:
    on_target: int
    late: int
    overdue: int
    pending: int
    median_days: float | None  # over reviewed postmortems
    no_resolved: int  # incidents without a `resolved` time: not judged

    @property
    def rate(self) -> float | None:
        """on_target / (on_target + late + overdue): pending reviews are not judged yet."""
        judged = self.on_target + self.late + self.overdue
        return self.on_target / judged if judged else None


def review_summary(postmortems: Iterable[Postmortem], today: date, target_hours: int = REVIEW_TARGET_HOURS) -> ReviewSummary:
    """Review latency over the given postmortems (callers pass `incidents(...)`)."""
    counts: dict[str, int] = defaultdict(int)
    days: list[int] = []
    missing = 0
    for pm in postmortems:
        lat = review_latency(pm, today, target_hours)
        if lat is None:
            missing += 1
            continue
        counts[lat.state] += 1
        if lat.days is not None:
            days.append(lat.days)
    return ReviewSummary(counts["on-target"], counts["late"], counts["overdue"], counts["pending"], _median(days), missing)


def _median(days: Sequence[int]) -> float | None:
    """The p50 of whole days, as a float for the pages' number format; never a mean of two."""
    found = percentile(days, 50)
    return None if found is None else float(found)


# --- headline -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Headline:
    """The home page's figures: incident items only (game days and drafts excluded)."""

    open_items: int
    overdue_items: int
    due_soon_items: int
    completion: Completion
    quarter: str
    incidents_this_quarter: Mapping[str, int]


def headline(postmortems: Sequence[Postmortem], views: Sequence[ItemView], today: date, settings: Settings, due_soon_days: int = DUE_SOON_DAYS) -> Headline:
    items = counted(views)
    quarter = quarter_of(today)
    return Headline(
        open_items=sum(1 for v in items if v.is_open),
        overdue_items=sum(1 for v in items if v.is_overdue),
        due_soon_items=len(due_soon_items(items, due_soon_days)),
        completion=completion(items, today),
        quarter=quarter,
        incidents_this_quarter=incidents_in_quarter(postmortems, quarter, settings),
    )
