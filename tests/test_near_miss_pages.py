"""Near misses are counted apart, as game days are: the pages, the exports and the reports of a
fixture repo with one near miss added (its items overdue and done) keep the incident figures as
they were and show the near miss in its own place."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from followthrough.core import metrics
from followthrough.core.report import build as report_build
from followthrough.core.report import render
from followthrough.workspace import load_workspace

from .conftest import DATA, run_cli, lint_repo
from .test_pages import cells, load

TODAY = date(2024, 7, 1)
NEAR_MISS = """---
title: Near miss, certificate renewal stalled
status: published
kind: near-miss
severity: SEV-2
services: [orders-db]
teams: [platform]
started: 2024-06-10T08:00:00Z
detected: 2024-06-10T08:00:00Z
mitigated: 2024-06-10T09:00:00Z
resolved: 2024-06-10T09:30:00Z
roles:
  commander: ana.ic
  scribe: sam.scribe
  sme: [max.sme]
related: [2024-05-20-game-day-db-failover]
recurrence_of: 2024-03-05-checkout-outage
factors: [access, alerting]
action_items:
  - id: renewal-page
    title: Page on-call when a certificate renewal fails for a day
    owner: max.sme
    due: 2024-06-20
  - id: token-rotation
    title: Rotate the DNS solver token automatically
    owner: max.sme
    due: 2024-06-25
    type: prevent
    status: done
    done_on: 2024-06-24
    verified: {on: 2024-06-28, how: a forced renewal issued a new certificate in 90 seconds}
---

## Summary

The renewal stalled; the probe caught it.

## Timeline

- 08:00 Probe warns of expiry in 13 days.

## What could have happened

An expired certificate on the orders endpoint.

## What stopped it

The expiry probe.

## Action items

Two items.
"""


@pytest.fixture(scope="module")
def with_near_miss(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("near") / "repo"
    shutil.copytree(DATA / "site" / "basic", root)
    (root / "docs" / "2024" / "2024-06-10-near-miss-renewal.md").write_text(NEAR_MISS)
    return root


@pytest.fixture(scope="module")
def pages(with_near_miss: Path) -> dict[str, str]:
    return load(with_near_miss, TODAY)[1]


@pytest.fixture(scope="module")
def before() -> dict[str, str]:
    return load()[1]


def test_all_postmortems_lists_the_near_miss_in_its_own_section(pages: dict[str, str]) -> None:
    text = pages["all.md"]
    incidents, rest = text.split("## Game days")
    assert "Near miss, certificate renewal" not in incidents
    near = rest.split("## Near misses (1)")[1].split("## Drafts")[0]
    assert "Near miss, certificate renewal stalled" in near


def test_group_pages_count_near_misses_apart(pages: dict[str, str]) -> None:
    index = pages["by-service/index.md"]
    assert "<th style=\"text-align:right\">Near misses</th>" in index
    assert cells(index, "orders-db")[-1] == "1"
    group = pages["by-service/orders-db.md"]
    assert "1 near miss(es)" in group and "## Near misses" in group


def test_incident_figures_are_the_same_with_the_near_miss(pages: dict[str, str], before: dict[str, str]) -> None:
    assert cells(pages["completion.md"], "All incidents") == cells(before["completion.md"], "All incidents")
    assert pages["response.md"] == before["response.md"]
    # One done on time, one open past its due date: 1 of 2 on time.
    assert cells(pages["completion.md"], "All near misses") == ["2", "1", "0", "1", "1", "50%", "50%", "50%", "14"]


def test_overdue_and_redated_pages_show_near_miss_items_apart(pages: dict[str, str]) -> None:
    overdue = pages["overdue.md"]
    main, rest = overdue.split("## From game days")
    assert "Page on-call when a certificate renewal fails" not in main
    assert "Page on-call when a certificate renewal fails" in rest.split("## From near misses")[1]
    assert "## From near misses" in pages["redated.md"]


def test_the_card_and_the_search_facet_say_near_miss(with_near_miss: Path) -> None:
    site = load_workspace(with_near_miss / "mkdocs.yml", today=TODAY, refuse_errors="no pages").site()
    pm = next(p for p in site.data.postmortems if p.is_near_miss)
    card = site.card_html(pm)
    assert ">near miss<" in card
    assert '<span data-pagefind-filter="kind">near miss</span>' in card


def test_the_exports_carry_kind_links_factors_and_verified(pages: dict[str, str]) -> None:
    pms = {p["id"]: p for p in json.loads(pages["postmortems.json"])["postmortems"]}
    near = pms["2024-06-10-near-miss-renewal"]
    assert (near["kind"], near["counted_in_figures"]) == ("near-miss", False)
    assert (near["related"], near["recurrence_of"], near["factors"]) == (["2024-05-20-game-day-db-failover"], "2024-03-05-checkout-outage", ["access", "alerting"])
    assert pms["2024-03-05-checkout-outage"]["related"] == [] and pms["2024-03-05-checkout-outage"]["recurrence_of"] is None
    items = {(i["postmortem_id"], i["id"]): i for i in json.loads(pages["action-items.json"])["action_items"]}
    assert items[("2024-06-10-near-miss-renewal", "token-rotation")]["verified"] == {"on": "2024-06-28", "how": "a forced renewal issued a new certificate in 90 seconds"}
    assert items[("2024-06-10-near-miss-renewal", "renewal-page")]["verified"] is None
    assert items[("2024-06-10-near-miss-renewal", "renewal-page")]["counted_in_figures"] is False


def test_the_reports_list_near_miss_items_apart(with_near_miss: Path) -> None:
    workspace = load_workspace(with_near_miss / "mkdocs.yml", today=TODAY, refuse_errors="no report")
    site = workspace.site()
    data = site.data
    report = report_build.overdue_report(data.views, TODAY, data.settings, data.directory)
    assert [i.item_id for i in report.near_misses] == ["renewal-page"]
    assert "renewal-page" not in {i.item_id for i in report.overdue}
    text = render.overdue_text(report)
    assert "Near-miss items overdue: 1" in text and "SEV-2 near miss" in text
    assert json.loads(render.overdue_json(report))["near_misses"][0]["postmortem"]["kind"] == "near-miss"
    completion = report_build.completion_report(data.views, TODAY, data.settings)
    assert completion.near_misses.total == 2
    assert completion.overall == metrics.completion(metrics.counted(data.views), TODAY)
    assert "Near misses (kept apart)" in render.completion_markdown(completion)


def test_new_writes_a_near_miss_with_its_sections(tmp_path: Path) -> None:
    repo = lint_repo(tmp_path)
    result = run_cli("new", "Certificate renewal stalled", "--kind", "near-miss", cwd=repo, env={"FOLLOWTHROUGH_TODAY": "2026-09-02"})
    assert result.code == 0, result.err
    text = (repo / result.out.strip()).read_text()
    assert "kind: near-miss" in text and "## Impact" not in text and "## Root cause" not in text
    assert text.index("## What could have happened") < text.index("## What stopped it") < text.index("## Action items")
    assert "The incident this almost was" in text
    linted = run_cli("lint", result.out.strip(), cwd=repo)
    assert "FT101" not in linted.out and "FT113" not in linted.out  # related: [] and factors: [] are fields of the format
