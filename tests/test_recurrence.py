"""Did the fix work: which earlier incidents' prevent items were open when a later one started."""

from __future__ import annotations

from datetime import date, datetime

from followthrough.core import metrics as m
from followthrough.core.learning.recurrence import find, is_open_on
from followthrough.core.model import ActionItem, Postmortem, TicketState

TODAY = date(2024, 9, 1)


def prevent(n: int, status: str = "open", done_on: str | None = None, type: str = "prevent") -> ActionItem:
    return ActionItem(index=n, line=10 + n, title=f"Fix {n}", owner="a.nguyen", due=date(2024, 4, 1), status=status, id=f"fix-{n}", type=type, done_on=date.fromisoformat(done_on) if done_on else None)


def pm(id: str, started: str, *items: ActionItem, services: tuple[str, ...] = ("checkout",), kind: str = "incident", status: str = "published") -> Postmortem:
    return Postmortem(path=f"postmortems/{id}.md", id=id, title=id, status=status, kind=kind, severity="SEV-2", services=services, started=datetime.fromisoformat(started), action_items=items)


def cases(*pms: Postmortem, states: dict[str, TicketState] | None = None) -> dict[str, dict[str, list[str]]]:
    found = find(pms, m.item_views(pms, states or {}, TODAY))
    return {r.incident.id: {**{e.earlier.id: [v.item.id for v in e.open_items] for e in found.of(r.incident)}} for r in found.cases}


def test_closed_the_day_before_the_start_was_not_open_closed_on_the_day_was():
    # The later incident starts 2024-03-10 at 00:30 UTC; the done dates are calendar dates.
    earlier = pm("a", "2024-03-01T10:00:00+00:00", prevent(0, "done", "2024-03-09"), prevent(1, "done", "2024-03-10"), prevent(2, "done", "2024-03-11"))
    later = pm("b", "2024-03-10T00:30:00+00:00")
    assert cases(earlier, later) == {"b": {"a": ["fix-1", "fix-2"]}}


def test_the_start_date_is_the_utc_date():
    # 23:30 at -02:00 is 01:30 UTC the next day: a fix closed on the local date was closed the UTC day before.
    earlier = pm("a", "2024-03-01T10:00:00+00:00", prevent(0, "done", "2024-03-09"))
    assert cases(earlier, pm("b", "2024-03-09T23:30:00-02:00")) == {}
    assert cases(earlier, pm("b", "2024-03-09T20:30:00-02:00")) == {"b": {"a": ["fix-0"]}}


def test_the_tracker_done_date_wins_over_the_files():
    earlier = pm("a", "2024-03-01T10:00:00+00:00", prevent(0, "done", "2024-03-20"))
    later = pm("b", "2024-03-10T10:00:00+00:00")
    state = {"a/fix-0": TicketState(ticket="OPS-1", status="done", done_on=date(2024, 3, 5))}
    assert cases(earlier, later) == {"b": {"a": ["fix-0"]}}
    assert cases(earlier, later, states=state) == {}
    reopened = {"a/fix-0": TicketState(ticket="OPS-1", status="in-progress")}
    assert cases(earlier, later, states=reopened) == {"b": {"a": ["fix-0"]}}


def test_open_and_in_progress_count_wont_do_does_not_and_only_prevent_items():
    earlier = pm("a", "2024-03-01T10:00:00+00:00", prevent(0, "open"), prevent(1, "in-progress"), prevent(2, "wont-do"), prevent(3, "open", type="detect"))
    assert cases(earlier, pm("b", "2024-05-01T10:00:00+00:00")) == {"b": {"a": ["fix-0", "fix-1"]}}


def test_done_without_a_date_is_shown_apart_and_never_counted_as_open():
    only_unknown = pm("a", "2024-03-01T10:00:00+00:00", prevent(0, "done"))
    assert cases(only_unknown, pm("b", "2024-05-01T10:00:00+00:00")) == {}
    mixed = pm("a", "2024-03-01T10:00:00+00:00", prevent(0, "done"), prevent(1, "open"))
    views = m.item_views([mixed], {}, TODAY)
    assert is_open_on(views[0], date(2024, 5, 1)) is None
    found = find([mixed, pm("b", "2024-05-01T10:00:00+00:00")], views)
    (case,) = found.cases
    assert [v.item.id for v in case.open_items] == ["fix-1"]
    assert [v.item.id for v in case.unknown_items] == ["fix-0"]


def test_only_a_shared_service_and_only_earlier_incidents():
    earlier = pm("a", "2024-03-01T10:00:00+00:00", prevent(0), services=("checkout", "search"))
    elsewhere = pm("b", "2024-04-01T10:00:00+00:00", services=("billing",))
    shared = pm("c", "2024-04-02T10:00:00+00:00", prevent(0), services=("search", "checkout"))
    same_instant = pm("d", "2024-04-02T10:00:00+00:00", services=("search",))
    found = find([earlier, elsewhere, shared, same_instant], m.item_views([earlier, elsewhere, shared, same_instant], {}, TODAY))
    assert [(r.incident.id, r.earlier.id, r.services) for r in found.cases] == [
        ("d", "a", ("search",)),
        ("c", "a", ("search", "checkout")),  # once, though they share two services
    ]
    assert [r.incident.id for r in found.for_service("checkout")] == ["c"]
    assert found.earlier_ids(earlier) == []


def test_drafts_game_days_and_near_misses_are_on_neither_side():
    for kind, status in (("game-day", "published"), ("near-miss", "published"), ("incident", "draft")):
        other = pm("x", "2024-03-01T10:00:00+00:00", prevent(0), kind=kind, status=status)
        assert cases(other, pm("b", "2024-05-01T10:00:00+00:00")) == {}
        earlier = pm("a", "2024-03-01T10:00:00+00:00", prevent(0))
        assert cases(earlier, pm("x", "2024-05-01T10:00:00+00:00", kind=kind, status=status)) == {}


def test_newest_first_and_each_incident_sees_every_earlier_one():
    a = pm("a", "2024-01-01T10:00:00+00:00", prevent(0), prevent(1, "done", "2024-02-15"))
    b = pm("b", "2024-02-01T10:00:00+00:00", prevent(0))
    c = pm("c", "2024-03-01T10:00:00+00:00")
    assert cases(a, b, c) == {"c": {"b": ["fix-0"], "a": ["fix-0"]}, "b": {"a": ["fix-0", "fix-1"]}}
    found = find([a, b, c], m.item_views([a, b, c], {}, TODAY))
    assert [(r.incident.id, r.earlier.id) for r in found.cases] == [("c", "b"), ("c", "a"), ("b", "a")]
