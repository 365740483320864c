"""Contributing factors and verified fixes: the figures, from values, worked out by hand."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime

from followthrough.core import metrics as m
from followthrough.core.learning.factors import factor_figures
from followthrough.core.learning.verification import verification
from followthrough.core.model import ActionItem, Postmortem, Verified
from followthrough.core.settings import DEFAULT_SETTINGS, Factor

TODAY = date(2024, 9, 1)


def pm(id: str, started: str, *, factors: tuple[str, ...] = (), kind: str = "incident", status: str = "published", severity: str = "SEV-1", services: tuple[str, ...] = ("checkout",), teams: tuple[str, ...] = ("payments",), items: tuple[ActionItem, ...] = ()) -> Postmortem:
    return Postmortem(path=f"postmortems/{id}.md", id=id, title=id, status=status, kind=kind, severity=severity, services=services, teams=teams, started=datetime.fromisoformat(started), factors=factors, action_items=items)


def test_factor_counts_keep_near_misses_apart_and_leave_game_days_and_drafts_out():
    pms = [
        pm("a", "2024-01-10T10:00:00+00:00", factors=("change", "capacity"), services=("checkout", "search")),
        pm("b", "2024-02-10T10:00:00+00:00", factors=("change",), teams=("search",)),
        pm("c", "2024-04-10T10:00:00+00:00"),
        pm("n", "2024-04-11T10:00:00+00:00", factors=("change",), kind="near-miss"),
        pm("g", "2024-04-12T10:00:00+00:00", factors=("change",), kind="game-day"),
        pm("d", "2024-04-13T10:00:00+00:00", factors=("change",), status="draft"),
        pm("x", "2024-04-14T10:00:00+00:00", factors=("cosmic-rays", "change", "change")),  # repeated: counted once
    ]
    f = factor_figures(pms, DEFAULT_SETTINGS)
    assert (f.incidents, f.near_misses, f.incidents_without, f.near_misses_without) == (4, 1, 1, 0)
    rows = {r.name: r for r in f.factors}
    assert [r.name for r in f.factors][: len(DEFAULT_SETTINGS.factors)] == list(DEFAULT_SETTINGS.factor_names)
    assert f.factors[-1].name == "cosmic-rays" and f.factors[-1].definition == ""  # outside the vocabulary: last
    assert [p.id for p in rows["change"].incidents] == ["x", "b", "a"]  # newest first
    assert [p.id for p in rows["change"].near_misses] == ["n"]
    assert rows["change"].last_named == date(2024, 4, 14)
    assert rows["hardware"].incidents == () and rows["hardware"].last_named is None
    quarters = {g.name: g for g in f.by_quarter}
    assert [g.name for g in f.by_quarter] == ["2024-Q2", "2024-Q1"]
    assert quarters["2024-Q1"].incident_factors == (("change", 2), ("capacity", 1))
    assert (quarters["2024-Q2"].incidents, quarters["2024-Q2"].near_misses) == (2, 1)
    assert quarters["2024-Q2"].incident_factors == (("change", 1), ("cosmic-rays", 1))
    assert quarters["2024-Q2"].near_miss_factors == (("change", 1),)
    services = {g.name: g for g in f.by_service}
    assert services["search"].incident_factors == (("change", 1), ("capacity", 1))
    teams = {g.name: g for g in f.by_team}
    assert (teams["payments"].incidents, teams["search"].incidents) == (3, 1)


def test_the_vocabulary_setting_decides_the_rows():
    settings = replace(DEFAULT_SETTINGS, factors=(Factor("toil", "Manual work went wrong."),))
    f = factor_figures([pm("a", "2024-01-10T10:00:00+00:00", factors=("toil",))], settings)
    assert [(r.name, r.definition, len(r.incidents)) for r in f.factors] == [("toil", "Manual work went wrong.", 1)]


def item(n: int, status: str = "done", type: str = "prevent", verified: bool = False) -> ActionItem:
    how = Verified(date(2024, 5, 1), "a game day") if verified else None
    return ActionItem(index=n, line=10 + n, title=f"Fix {n}", owner="a.nguyen", due=date(2024, 4, 1), status=status, id=f"fix-{n}", type=type, verified=how)


def test_the_verified_share_is_of_done_prevent_items_of_the_non_negotiable_severities():
    pms = [
        pm("a", "2024-01-10T10:00:00+00:00", items=(item(0, verified=True), item(1), item(2, "open"), item(3, type="detect", verified=True), item(4, "wont-do"))),
        pm("b", "2024-04-10T10:00:00+00:00", severity="SEV-0", items=(item(0, verified=True),)),
        pm("c", "2024-04-11T10:00:00+00:00", severity="SEV-2", items=(item(0),)),  # not non-negotiable
        pm("g", "2024-04-12T10:00:00+00:00", kind="game-day", items=(item(0),)),
        pm("n", "2024-04-13T10:00:00+00:00", kind="near-miss", items=(item(0),)),
        pm("d", "2024-04-14T10:00:00+00:00", status="draft", items=(item(0),)),
    ]
    v = verification(m.item_views(pms, {}, TODAY), DEFAULT_SETTINGS)
    assert (v.overall.done, v.overall.verified, v.overall.rate) == (3, 2, 2 / 3)
    assert [(q, s.done, s.verified) for q, s in v.by_quarter] == [("2024-Q1", 2, 1), ("2024-Q2", 1, 1)]
    assert [(x.postmortem.id, x.item.id) for x in v.unverified] == [("a", "fix-1")]
    assert verification([], DEFAULT_SETTINGS).overall.rate is None
