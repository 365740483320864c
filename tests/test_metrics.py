"""Every figure of `followthrough.metrics` against numbers worked out by hand in the comments."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest

from followthrough.core import metrics as m
from followthrough.core.model import ActionItem, Directory, Person, Postmortem
from followthrough.core.settings import DEFAULT_SETTINGS
from followthrough.core.model import TicketState

UTC = timezone.utc
TODAY = date(2024, 5, 10)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def item(n: int, due: str | None = "2024-06-01", status: str = "open", owner: str = "a.nguyen", ticket: str | None = None, id: str | None = None) -> ActionItem:
    return ActionItem(index=n, line=10 + n, title=f"Item {n}", owner=owner, due=date.fromisoformat(due) if due else None, status=status, id=id or f"item-{n + 1}", ticket=ticket)


def pm(id: str, started: str = "2024-04-02T10:00:00Z", *, items: tuple[ActionItem, ...] = (), severity: str = "SEV-2", status: str = "published", kind: str = "incident", services: tuple[str, ...] = ("checkout",), teams: tuple[str, ...] = ("payments",), detected: str | None = None, mitigated: str | None = None, resolved: str | None = None, reviewed: str | None = None) -> Postmortem:
    return Postmortem(
        path=f"postmortems/2024/{id}.md",
        id=id,
        title=id,
        status=status,
        kind=kind,
        severity=severity,
        services=services,
        teams=teams,
        started=at(started),
        detected=at(detected) if detected else None,
        mitigated=at(mitigated) if mitigated else None,
        resolved=at(resolved) if resolved else None,
        reviewed=date.fromisoformat(reviewed) if reviewed else None,
        action_items=items,
    )


def done(ticket: str, on: str) -> TicketState:
    return TicketState(ticket=ticket, url=f"https://jira.example/browse/{ticket}", status="done", done_on=date.fromisoformat(on))


# --- item views: which status wins --------------------------------------------------------------


def test_state_file_wins_over_front_matter_once_mirrored():
    p = pm("a", items=(item(0, status="open", ticket="PAY-1"), item(1, status="done")))
    states = {"a/item-1": done("PAY-1", "2024-05-02")}
    first, second = m.item_views([p], states, TODAY)
    assert (first.status, first.mirrored, first.done_on, first.ticket_url) == ("done", True, date(2024, 5, 2), "https://jira.example/browse/PAY-1")
    # Not mirrored: the front-matter says done; the done date is unknown.
    assert (second.status, second.mirrored, second.done_on) == ("done", False, None)


def test_not_yet_mirrored_label_only_for_open_items_without_a_ticket():
    p = pm("a", items=(item(0), item(1, ticket="PAY-9"), item(2, status="done")))
    labels = [v.status_label for v in m.item_views([p], {}, TODAY)]
    assert labels == ["open (not yet mirrored)", "open", "done"]
    draft = pm("d", status="draft", items=(item(0),))
    assert m.item_views([draft], {}, TODAY)[0].status_label == "open"


def test_ticket_links_only_for_web_urls():
    p = pm("a", items=(item(0, ticket="acme/shop#45"), item(1, ticket="PAY-3"), item(2, ticket="https://linear.app/x/1"), item(3, ticket="PAY-4")))
    states = {"a/item-4": TicketState(ticket="PAY-4", url="javascript:alert(1)")}
    urls = [v.ticket_url for v in m.item_views([p], states, TODAY)]
    assert urls == ["https://github.com/acme/shop/issues/45", None, "https://linear.app/x/1", None]


def test_tracker_due_date_fills_in_only_when_the_front_matter_has_none():
    p = pm("a", items=(item(0, due="2024-05-01"), item(1, due=None)))
    states = {
        "a/item-1": TicketState(ticket="X-1", due=date(2024, 6, 30)),
        "a/item-2": TicketState(ticket="X-2", due=date(2024, 5, 5)),
    }
    first, second = m.item_views([p], states, TODAY)
    assert first.due == date(2024, 5, 1) and first.overdue_days == 9
    assert second.due == date(2024, 5, 5) and second.overdue_days == 5


def test_item_team_is_the_owners_team_else_the_postmortems_first():
    directory = Directory(people={"a.nguyen": Person("a.nguyen", "An Nguyen", team="platform")}, present=True)
    p = pm("a", teams=("payments", "storefront"), items=(item(0, owner="a.nguyen"), item(1, owner="someone")))
    assert [v.team for v in m.item_views([p], {}, TODAY, directory)] == ["platform", "payments"]
    assert m.item_views([pm("b", teams=(), items=(item(0, owner="x"),))], {}, TODAY)[0].team is None


# --- overdue and due soon -------------------------------------------------------------------------


def test_overdue_days_and_due_soon_window():
    p = pm(
        "a",
        items=(
            item(0, due="2024-05-01"),  # 9 days overdue
            item(1, due="2024-05-09", status="in-progress"),  # 1 day overdue
            item(2, due="2024-05-10"),  # due today: not overdue, due soon (0 days)
            item(3, due="2024-05-17"),  # due in 7 days: due soon
            item(4, due="2024-05-18"),  # in 8 days: neither
            item(5, due="2024-04-01", status="done"),  # done: never overdue
            item(6, due="2024-04-01", status="wont-do"),
        ),
    )
    views = m.item_views([p], {}, TODAY)
    assert [v.overdue_days for v in views] == [9, 1, 0, 0, 0, 0, 0]
    assert [v.item.index for v in m.overdue_items(views)] == [0, 1]
    assert [(v.item.index, v.due_in_days) for v in m.due_soon_items(views)] == [(2, 0), (3, 7)]
    assert [v.item.index for v in m.due_soon_items(views, days=0)] == [2]


def test_overdue_puts_the_most_severe_first_then_the_most_overdue_and_skips_drafts():
    sev3 = pm("low", severity="SEV-3", items=(item(0, due="2024-01-01"),))  # 130 days
    sev1 = pm("high", severity="SEV-1", items=(item(0, due="2024-05-08"), item(1, due="2024-04-30")))  # 2 and 10 days
    draft = pm("draft", status="draft", severity="SEV-0", items=(item(0, due="2024-01-01"),))
    game = pm("game", kind="game-day", severity="SEV-2", items=(item(0, due="2024-05-01"),))
    views = m.item_views([sev3, sev1, draft, game], {}, TODAY)
    order = [(v.postmortem.id, v.overdue_days) for v in m.overdue_items(views, DEFAULT_SETTINGS)]
    assert order == [("high", 10), ("high", 2), ("game", 9), ("low", 130)]
    # The incident-only view the figures use leaves the game day out.
    assert [v.postmortem.id for v in m.overdue_items(m.counted(views), DEFAULT_SETTINGS)] == ["high", "high", "low"]


# --- completion -------------------------------------------------------------------------------------


def completion_fixture() -> tuple[list[Postmortem], dict[str, TicketState]]:
    # Incident started 2024-04-02 (UTC). Ten items:
    #   item-1 done 2024-04-20, due 2024-05-01: on time, 18 days to close
    #   item-2 done 2024-05-01, due 2024-05-01: on time (same day), 29 days
    #   item-3 done 2024-05-05, due 2024-05-01: late, 33 days
    #   item-4 done in front-matter only: done date unknown
    #   item-5 won't do
    #   item-6 open, due 2024-05-01: overdue -> late
    #   item-7 open, due 2024-06-01: not judged yet
    #   item-8 open, no due date from either side: not judged
    #   item-9 in progress, due 2024-05-09: overdue -> late
    #   item-10 in progress, due 2024-07-01: not judged yet
    items = (
        item(0, due="2024-05-01", ticket="P-1"),
        item(1, due="2024-05-01", ticket="P-2"),
        item(2, due="2024-05-01", ticket="P-3"),
        item(3, due="2024-05-01", status="done"),
        item(4, due="2024-05-01", status="wont-do"),
        item(5, due="2024-05-01"),
        item(6, due="2024-06-01"),
        item(7, due=None),
        item(8, due="2024-05-09", status="in-progress"),
        item(9, due="2024-07-01", status="in-progress"),
    )
    states = {
        "a/item-1": done("P-1", "2024-04-20"),
        "a/item-2": done("P-2", "2024-05-01"),
        "a/item-3": done("P-3", "2024-05-05"),
    }
    return [pm("a", items=items)], states


def test_completion_rate_counts_wont_do_in_the_denominator_and_apart():
    pms, states = completion_fixture()
    c = m.completion(m.counted(m.item_views(pms, states, TODAY)), TODAY)
    assert (c.total, c.done, c.wont_do, c.open, c.in_progress, c.overdue) == (10, 4, 1, 3, 2, 2)
    assert c.rate == pytest.approx(4 / 10)
    assert c.wont_do_rate == pytest.approx(1 / 10)
    assert c.still_open == 5


def test_on_time_rate_judges_done_and_past_due_items_only():
    pms, states = completion_fixture()
    c = m.completion(m.item_views(pms, states, TODAY), TODAY)
    # On time: item-1, item-2. Late: item-3 (done late), item-6 and item-9 (open past due).
    assert (c.on_time, c.late, c.done_date_unknown) == (2, 3, 1)
    assert c.on_time_rate == pytest.approx(2 / 5)


def test_median_days_to_close_over_known_done_dates():
    pms, states = completion_fixture()
    c = m.completion(m.item_views(pms, states, TODAY), TODAY)
    assert c.median_days_to_close == 29.0  # median of 18, 29, 33
    states["a/item-4"] = done("P-4", "2024-05-12")  # now 18, 29, 33, 40: nearest rank 2, never a mean of two
    c = m.completion(m.item_views(pms, states, TODAY), TODAY)
    assert c.median_days_to_close == 29.0


def test_rates_are_none_without_a_denominator():
    c = m.completion([], TODAY)
    assert (c.total, c.rate, c.wont_do_rate, c.on_time_rate, c.median_days_to_close) == (0, None, None, None, None)
    only_future = m.item_views([pm("a", items=(item(0, due="2024-12-01"),))], {}, TODAY)
    assert m.completion(only_future, TODAY).on_time_rate is None


def test_open_item_age_buckets_by_days_since_the_incident_started():
    today = date(2025, 4, 2)
    pms = [
        pm("d30", started="2025-03-03T12:00:00Z", items=(item(0),)),  # 30 days: 0-30
        pm("d31", started="2025-03-02T12:00:00Z", items=(item(0), item(1, status="in-progress"))),  # 31 days: 31-90, twice
        pm("d365", started="2024-04-02T12:00:00Z", items=(item(0),)),  # 365 days: 181-365
        pm("d366", started="2024-04-01T12:00:00Z", items=(item(0), item(1, status="done"))),  # 366 days: over a year; done not counted
    ]
    c = m.completion(m.item_views(pms, {}, today), today)
    assert dict(c.age_buckets) == {"0-30 days": 1, "31-90 days": 2, "91-180 days": 0, "181-365 days": 1, "over a year": 1}


def test_game_days_near_misses_and_drafts_are_left_out_of_incident_figures():
    incident = pm("inc", items=(item(0, status="done"), item(1)))
    game = pm("game", kind="game-day", items=(item(0), item(1), item(2)))
    near = pm("near", kind="near-miss", items=(item(0, due="2024-05-01"), item(1, status="done")))
    draft = pm("draft", status="draft", items=(item(0),))
    every = [incident, game, near, draft]
    views = m.item_views(every, {}, TODAY)
    assert m.completion(m.counted(views), TODAY).total == 2
    assert m.completion(m.counted(views, kind="game-day"), TODAY).total == 3
    assert m.completion(m.counted(views, kind="near-miss"), TODAY).total == 2
    assert [p.id for p in m.incidents(every)] == ["inc"]
    assert [p.id for p in m.near_misses(every)] == ["near"]
    assert [v.postmortem.id for v in views if v.counts] == ["inc", "inc"]
    head = m.headline(every, views, TODAY, DEFAULT_SETTINGS)
    assert (head.open_items, head.completion.rate) == (1, 0.5)


def test_completion_by_team_service_severity_and_quarter():
    a = pm("a", started="2024-01-10T00:00:00Z", severity="SEV-1", services=("checkout", "payments-api"), teams=("payments",), items=(item(0, status="done"), item(1)))
    b = pm("b", started="2024-07-01T00:00:00Z", severity="SEV-3", services=("checkout",), teams=("storefront",), items=(item(0, status="done"),))
    views = m.item_views([a, b], {}, TODAY)
    by_service = m.completion_by(views, m.by_service, TODAY)
    assert {k: (c.done, c.total) for k, c in by_service.items()} == {"checkout": (2, 3), "payments-api": (1, 2)}
    assert list(m.completion_by(views, m.by_quarter, TODAY)) == ["2024-Q1", "2024-Q3"]
    assert list(m.completion_by_severity(views, TODAY, DEFAULT_SETTINGS)) == ["SEV-1", "SEV-3"]
    assert {k: c.total for k, c in m.completion_by(views, m.by_team, TODAY).items()} == {"payments": 2, "storefront": 1}
    assert m.quarter_range("2023-Q4", "2024-Q3") == ["2023-Q4", "2024-Q1", "2024-Q2", "2024-Q3"]


# --- quarters and time zones -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("started", "quarter"),
    [
        ("2024-03-31T23:30:00-02:00", "2024-Q2"),  # 2024-04-01 01:30 UTC
        ("2024-04-01T00:30:00+02:00", "2024-Q1"),  # 2024-03-31 22:30 UTC
        ("2024-12-31T23:59:59Z", "2024-Q4"),
        ("2025-01-01T00:00:00Z", "2025-Q1"),
        ("2024-06-30T20:00:00-05:00", "2024-Q3"),  # 2024-07-01 01:00 UTC
    ],
)
def test_quarter_bucketing_is_by_the_utc_date_of_the_start(started, quarter):
    assert m.incident_quarter(pm("a", started=started)) == quarter


def test_quarter_bounds():
    assert m.quarter_bounds("2024-Q1") == (date(2024, 1, 1), date(2024, 3, 31))
    assert m.quarter_bounds("2024-Q4") == (date(2024, 10, 1), date(2024, 12, 31))


def test_incidents_this_quarter_by_severity():
    pms = [
        pm("a", started="2024-04-02T10:00:00Z", severity="SEV-1"),
        pm("b", started="2024-06-30T23:00:00Z", severity="SEV-1"),
        pm("c", started="2024-03-31T23:00:00-03:00", severity="SEV-3"),  # 2024-04-01 UTC: in Q2
        pm("d", started="2024-03-31T22:00:00Z", severity="SEV-3"),  # Q1
        pm("e", started="2024-05-01T00:00:00Z", severity="SEV-2", kind="game-day"),
        pm("f", started="2024-05-01T00:00:00Z", severity="SEV-2", status="draft"),
        pm("g", started="2024-05-01T00:00:00Z", severity="SEV-2", status="in-review"),
    ]
    assert m.incidents_in_quarter(pms, "2024-Q2", DEFAULT_SETTINGS) == {"SEV-0": 0, "SEV-1": 2, "SEV-2": 1, "SEV-3": 1, "SEV-4": 0}


def test_durations_are_exact_across_offsets():
    p = pm("a", started="2024-04-02T10:00:00+02:00", detected="2024-04-02T08:30:00Z", mitigated="2024-04-02T05:15:00-04:00", resolved="2024-04-03T00:00:00+01:00")
    d = m.durations(p)
    assert (d.detect, d.mitigate, d.resolve) == (timedelta(minutes=30), timedelta(hours=1, minutes=15), timedelta(hours=15))


def test_response_percentiles_per_severity_and_quarter():
    pms = [
        pm("a", started="2024-01-01T00:00:00Z", severity="SEV-2", detected="2024-01-01T00:10:00Z", mitigated="2024-01-01T01:00:00Z", resolved="2024-01-01T02:00:00Z"),
        pm("b", started="2024-02-01T00:00:00Z", severity="SEV-2", detected="2024-02-01T00:20:00Z", resolved="2024-02-01T04:00:00Z"),
        pm("c", started="2024-04-01T00:00:00Z", severity="SEV-2", detected="2024-04-01T00:40:00Z"),
        pm("d", started="2024-04-01T00:00:00Z", severity="SEV-1", detected="2024-04-01T00:05:00Z"),
        pm("g", started="2024-04-01T00:00:00Z", severity="SEV-1", detected="2024-04-01T05:00:00Z", kind="game-day"),
    ]
    rows = m.response_by_severity(m.incidents(pms), DEFAULT_SETTINGS)
    assert [(r.severity, r.incidents) for r in rows] == [("SEV-1", 1), ("SEV-2", 3)]
    sev2 = rows[1]
    # 10, 20, 40 min: p50 at rank ceil(1.5) = 2, p90 at rank ceil(2.7) = 3.
    assert (sev2.detect.p50, sev2.detect.p90, sev2.detect.n) == (timedelta(minutes=20), timedelta(minutes=40), 3)
    assert [v.postmortem.id for v in sev2.detect.values] == ["a", "b", "c"]
    assert (sev2.mitigate.p50, sev2.mitigate.p90, sev2.mitigate.n) == (timedelta(hours=1), timedelta(hours=1), 1)
    # 2 h and 4 h: p50 is the smaller (rank ceil(1.0) = 1), never their mean of 3 h.
    assert (sev2.resolve.p50, sev2.resolve.p90, sev2.resolve.n) == (timedelta(hours=2), timedelta(hours=4), 2)
    quarters = m.response_by_quarter(m.incidents(pms), DEFAULT_SETTINGS)
    assert [(r.severity, r.quarter, r.incidents) for r in quarters] == [("SEV-1", "2024-Q2", 1), ("SEV-2", "2024-Q1", 2), ("SEV-2", "2024-Q2", 1)]
    assert [r.detect.p50 for r in m.response_by_severity(m.game_days(pms), DEFAULT_SETTINGS)] == [timedelta(hours=5)]


# --- postmortem review latency ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("resolved", "reviewed", "today", "state", "days", "deadline"),
    [
        ("2024-03-01T23:00:00Z", "2024-03-03", "2024-03-10", "on-target", 2, "2024-03-03"),
        ("2024-03-01T23:00:00Z", "2024-03-04", "2024-03-10", "late", 3, "2024-03-03"),
        ("2024-03-01T23:00:00Z", None, "2024-03-03", "pending", None, "2024-03-03"),
        ("2024-03-01T23:00:00Z", None, "2024-03-04", "overdue", None, "2024-03-03"),
        # 23:00 at UTC-5 is 04:00 UTC the next day: the deadline moves with it.
        ("2024-03-01T23:00:00-05:00", "2024-03-04", "2024-03-10", "on-target", 2, "2024-03-04"),
    ],
)
def test_review_latency_against_the_48_hour_target(resolved, reviewed, today, state, days, deadline):
    p = pm("a", started="2024-03-01T00:00:00Z", resolved=resolved, reviewed=reviewed)
    lat = m.review_latency(p, date.fromisoformat(today))
    assert lat is not None
    assert (lat.state, lat.days, lat.deadline) == (state, days, date.fromisoformat(deadline))


def test_review_summary_rate_leaves_pending_out():
    today = date(2024, 3, 10)
    pms = [
        pm("on", resolved="2024-03-01T10:00:00Z", reviewed="2024-03-02"),
        pm("late", resolved="2024-03-01T10:00:00Z", reviewed="2024-03-08"),
        pm("overdue", resolved="2024-03-01T10:00:00Z"),
        pm("pending", resolved="2024-03-09T10:00:00Z"),
        pm("unresolved"),
    ]
    s = m.review_summary(pms, today)
    assert (s.on_target, s.late, s.overdue, s.pending, s.no_resolved) == (1, 1, 1, 1, 1)
    assert s.rate == pytest.approx(1 / 3)
    assert s.median_days == 1.0  # 1 and 7 days: the nearest-rank p50 is the lower, not their mean of 4
    assert m.review_latency(pm("x"), today) is None
    assert m.review_latency(pm("y", resolved="2024-03-01T10:00:00Z"), today, target_hours=24 * 9).state == "pending"


def test_on_time_rate_is_withheld_while_most_done_items_have_no_done_date():
    # Two done items without a tracker done date, one open past due: a rate would say 0%.
    items = (
        item(0, due="2024-03-10", status="done"),
        item(1, due="2024-03-11", status="done"),
        item(2, due="2024-03-12"),
    )
    c = m.completion(m.item_views([pm("a", items=items)], {}, TODAY), TODAY)
    assert (c.on_time, c.late, c.late_open, c.done_date_unknown) == (0, 1, 1, 2)
    assert c.on_time_rate is None
