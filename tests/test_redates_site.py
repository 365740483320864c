"""Re-dates, the two on-time rates and the SEV-0/1 commitments on the site: the figures against
hand-computed values, the pages as the real renderer makes them, and a real `mkdocs build` of
tests/data/site/redates (built once), whose untrusted reasons and decisions must stay text."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from followthrough.core import metrics as m
from followthrough.core.model import ActionItem, Postmortem, Redate, TicketState, TrackerRedate
from followthrough.core.pages import format as fmt
from followthrough.core.pages.generate import commitments_title, joined_names, redate_rows
from followthrough.core.settings import DEFAULT_SETTINGS
from followthrough.workspace import load_workspace

from .conftest import serving
from .site_builds import REDATES_FIXTURE, REDATES_TODAY, built_fixture
from .test_pages import cells
from .test_xss import Watch, _Audit, _context, _exercise, _Handler

TODAY = date(2024, 5, 10)
D = date.fromisoformat


# ---------------------------------------------------------------- the figures, by hand


def item(n: int, due: str, status: str = "open", *, chain: tuple[tuple[str, str, str], ...] = (), done_on: str | None = None, ticket: str | None = None) -> ActionItem:
    redated = tuple(Redate(D(f), D(t), D(on), "a reason in words") for f, t, on in chain)
    return ActionItem(index=n, line=10 + n, title=f"Item {n}", owner="a.nguyen", due=D(due), status=status, id=f"i{n}", redated=redated, done_on=D(done_on) if done_on else None, ticket=ticket)


def pm(items: tuple[ActionItem, ...], severity: str = "SEV-2") -> Postmortem:
    from datetime import datetime, timezone

    return Postmortem(path="postmortems/2024/p.md", id="p", title="p", status="published", severity=severity, started=datetime(2024, 4, 2, 10, tzinfo=timezone.utc), action_items=items)


def figures_fixture() -> list[m.ItemView]:
    items = (
        # A: re-dated 04-20 -> 05-01, done 04-28 (`done_on:`): on time now, late against 04-20. Slip 11.
        item(0, "2024-05-01", "done", chain=(("2024-04-20", "2024-05-01", "2024-04-18"),), done_on="2024-04-28"),
        # B: never moved, done on its day: on time both ways.
        item(1, "2024-04-25", "done", done_on="2024-04-25"),
        # C: re-dated twice 04-15 -> 04-30 -> 05-20, open: not due yet now; late (and open) against 04-15. Slip 35.
        item(2, "2024-05-20", chain=(("2024-04-15", "2024-04-30", "2024-04-10"), ("2024-04-30", "2024-05-20", "2024-04-28"))),
        # D: open, due 05-05: 5 days overdue, late both ways.
        item(3, "2024-05-05"),
        # E: done with no known date: judged neither way.
        item(4, "2024-04-20", "done"),
        # F: in progress, due 05-30: not judged.
        item(5, "2024-05-30", "in-progress"),
        # G: won't do: never judged.
        item(6, "2024-04-10", "wont-do"),
        # H: re-dated 05-01 -> 05-08 in the file, moved to 05-15 in the tracker (no file entry), done
        # 05-09 per the tracker: late against 05-08 and 05-01. Two re-dates, slip 7 (the file's date).
        item(7, "2024-05-08", "done", chain=(("2024-05-01", "2024-05-08", "2024-04-29"),), ticket="PAY-8"),
    )
    states = {"p/i7": TicketState("PAY-8", status="done", done_on=D("2024-05-09"), due=D("2024-05-15"), redates=(TrackerRedate(D("2024-05-08"), D("2024-05-15"), D("2024-05-06"), "pay"),))}
    return m.item_views([pm(items)], states, TODAY)


def test_slip_and_original_due_of_each_item():
    views = figures_fixture()
    assert [v.slip_days for v in views] == [11, 0, 35, 0, 0, 0, 0, 7]
    assert [v.original_due for v in views][:3] == [D("2024-04-20"), D("2024-04-25"), D("2024-04-15")]
    assert [len(v.redates) for v in views] == [1, 0, 2, 0, 0, 0, 0, 2]
    tracker = views[7].unrecorded_redates
    assert [(r.from_, r.to, r.on, r.reason, r.source) for r in tracker] == [(D("2024-05-08"), D("2024-05-15"), D("2024-05-06"), "", "pay")]
    # C: 10 days left to the current date, 25 days past the original one.
    assert (views[2].due_in_days, views[2].original_due_in_days) == (10, -25)


def test_on_time_against_the_current_and_the_original_due_date():
    views = figures_fixture()
    assert [v.on_time() for v in views] == [True, True, None, False, None, None, None, False]
    assert [v.on_time(original=True) for v in views] == [False, True, False, False, None, None, None, False]


def test_completion_gives_both_on_time_rates():
    c = m.completion(figures_fixture(), TODAY)
    # Current: on time A, B; late D, H (D open). Original: on time B; late A, C, D, H (C, D open).
    assert (c.on_time, c.late, c.late_open) == (2, 2, 1)
    assert (c.on_time_original, c.late_original, c.late_open_original) == (1, 4, 2)
    assert c.done_date_unknown == 1
    assert c.on_time_rate == pytest.approx(2 / 4)
    assert c.on_time_rate_original == pytest.approx(1 / 5)


def test_both_rates_are_withheld_while_most_done_dates_are_unknown():
    items = (
        item(0, "2024-05-01", "done"),  # done, date unknown
        item(1, "2024-05-02", "done"),  # done, date unknown
        item(2, "2024-05-20", chain=(("2024-05-01", "2024-05-20", "2024-04-30"),)),  # late against 05-01 only
    )
    c = m.completion(m.item_views([pm(items)], {}, TODAY), TODAY)
    assert (c.on_time, c.late, c.on_time_original, c.late_original, c.late_open_original, c.done_date_unknown) == (0, 0, 0, 1, 1, 2)
    assert c.on_time_rate is None and c.on_time_rate_original is None
    # One done item with a known date: 1 judged done item against 2 unknown still withholds it...
    more = items + (item(3, "2024-05-03", "done", done_on="2024-05-03"),)
    assert m.completion(m.item_views([pm(more)], {}, TODAY), TODAY).on_time_rate_original is None
    # ...two of them no longer do: (on time 2) / (2 + late C) against the original date.
    more += (item(4, "2024-05-04", "done", done_on="2024-05-01"),)
    assert m.completion(m.item_views([pm(more)], {}, TODAY), TODAY).on_time_rate_original == pytest.approx(2 / 3)


def test_how_re_dates_read():
    assert (fmt.redate_summary(2, 21), fmt.redate_summary(1, -3), fmt.redate_summary(1, 0), fmt.redate_summary(0, 0)) == ("2x, +21 d", "1x, -3 d", "1x, 0 d", "")
    assert (fmt.redate_source("file"), fmt.redate_source("jira")) == ("file", "in jira, no reason recorded")
    rows = redate_rows(figures_fixture())
    # Newest first: H's tracker move (seen 05-06), H's file entry (04-29), C's second (04-28), ...
    assert [(r.view.item.id, r.redate.on.isoformat(), r.source) for r in rows] == [
        ("i7", "2024-05-06", "in pay, no reason recorded"),
        ("i7", "2024-04-29", "file"),
        ("i2", "2024-04-28", "file"),
        ("i0", "2024-04-18", "file"),
        ("i2", "2024-04-10", "file"),
    ]


def test_the_commitments_title_comes_from_the_rubric():
    assert commitments_title(DEFAULT_SETTINGS) == "SEV-0/1 commitments"
    assert joined_names(["SEV-10", "SEV-11"]) == "SEV-10/11"
    assert joined_names(["P0", "P1", "P2"]) == "P0/1/2"
    assert joined_names(["Critical", "Major"]) == "Critical and Major"
    assert joined_names(["SEV-0", "Critical", "Major"]) == "SEV-0, Critical and Major"
    only_sev0 = replace(DEFAULT_SETTINGS, severities=tuple(replace(s, non_negotiable=s.name == "SEV-0") for s in DEFAULT_SETTINGS.severities))
    assert commitments_title(only_sev0) == "SEV-0 commitments"
    none = replace(DEFAULT_SETTINGS, severities=tuple(replace(s, non_negotiable=False) for s in DEFAULT_SETTINGS.severities))
    assert commitments_title(none) == "Non-negotiable commitments"


# ---------------------------------------------------------------- the pages, from the real renderer


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    site = load_workspace(REDATES_FIXTURE / "mkdocs.yml", today=D(REDATES_TODAY), refuse_errors="no pages").site()
    return site.pages(include_postmortems=True)


def row_of(html: str, text: str) -> str:
    found = [r for r in re.findall(r"<tr>(.*?)</tr>", html, re.S) if text in r]
    assert len(found) == 1, (text, found)
    return found[0]


def test_overdue_page_has_a_re_dated_column(pages):
    main = pages["overdue.md"].split("## By owner")[0]
    assert "<th>Overdue</th><th>Action item</th>" in main
    # Re-dated once in the file (05-14 -> 05-19): 32 days overdue against 05-19; the re-dates under the date.
    assert '<td><strong>32 d</strong><br><small>due 2026-05-19</small><br><small>1x, +5 d<br>originally due 2026-05-14</small></td><td>Bound the exporter' in main
    # Moved in the tracker only: the file's date stays the commitment, and the move has no reason.
    assert '<td><strong>32 d</strong><br><small>due 2026-05-19</small><br><small>1x, 0 d<br>in pay, no reason recorded (to 2026-06-30)</small></td><td>Give the exporter' in main
    assert '<td><strong>33 d</strong><br><small>due 2026-05-18</small></td><td>Turn the manual ledger replay' in main


def test_re_dated_page_lists_every_re_date_newest_first_with_reason_and_source(pages):
    text = pages["redated.md"]
    table = text.split("## By item")[0]
    rows = re.findall(r"<tr><td>(\d{4}-\d\d-\d\d)</td>", table)
    assert rows == ["2026-05-25", "2026-05-13", "2026-05-12", "2026-05-11", "2026-05-06"]
    tracker = row_of(table, "Give the exporter")
    assert "<td>2026-05-19<br>\u2192 2026-06-30<br>+42 d</td><td>\u2013</td><td>\u2013</td><td>in pay, no reason recorded</td>" in tracker
    second = row_of(table, "the exporter&#x27;s metrics release slipped by three days")
    assert "<td>2026-05-12<br>\u2192 2026-05-15<br>+3 d</td>" in second and "<td>Eve Manager</td><td>file</td>" in second
    assert "**5** re\\-date(s) of **4** item(s); **1** seen only in a tracker" in text or "**5** re-date(s) of **4** item(s); **1** seen only in a tracker" in text
    # The draft's re-date is no commitment yet.
    assert "no listing shows" not in text
    by_item = row_of(text.split("## By item")[1], "Page the payments on-call")
    assert "<td>2026-05-08</td><td>2026-05-15</td><td style=\"text-align:right\">2</td><td style=\"text-align:right\">+7 d</td>" in by_item


def test_commitments_page_lists_states_decisions_and_the_flagged_wont_do(pages):
    text = pages["commitments.md"]
    assert text.startswith('---\ntitle: "SEV-0/1 commitments"\n')
    assert "# SEV\\-0/1 commitments" in text
    flagged = text.split("## Closed as won't do without a decision")[1].split("## Open")[0]
    assert "Put ledger lag on the payments dashboard" in row_of(flagged, "ledger lag on the payments")
    assert '<strong class="ft-flag">closed as won\'t do without a decision</strong>' in flagged
    open_part = text.split("## Open")[1].split("## Won't do, with a decision")[0]
    replay = row_of(open_part, "Turn the manual ledger replay")
    assert "33 days overdue<br><strong>escalated</strong> to Eve Manager" in replay
    decided = text.split("## Won't do, with a decision")[1].split("## Done")[0]
    assert "<td>Eve Manager, 2026-05-20: the legacy exporter is switched off on 2026-06-30 with the reports it feeds</td>" in row_of(decided, "legacy exporter")
    done = text.split("## Done")[1]
    assert "done</span> on 2026-05-14" in row_of(done, "Page the payments on-call")
    assert "**8** item(s): **3** open or in progress (3 escalated), **2** done, **3** won't do, of which **1** closed as won't do without a decision." in text


def test_completion_and_home_show_both_on_time_rates(pages):
    # Current: on time ledger-alert (05-14 <= 05-15), dedupe (05-19 <= 05-20); late: replay, retry, queue.
    # Original: both done items were late (05-08, 05-16), so 0 of 5. Median days to close: 10 and 9,
    # the nearest-rank p50: 9 (never their mean).
    assert cells(pages["completion.md"], "All incidents") == ["8", "2", "3 (38%)", "3 (1 in progress)", "3", "25%", "40%", "0%", "9"]
    assert '<td style="text-align:right">40% (5 judged)</td><td style="text-align:right">0% (5 judged)</td>' in pages["index.md"]


def test_postmortem_card_shows_original_and_current_due_and_the_re_dates(pages):
    card, redates = pages["2026/2026-05-04-ledger-lag.md"].split("<strong>Re-dates</strong>")
    assert "<td>2026-05-15<br><small>2x, +7 d<br>originally due 2026-05-08</small></td>" in row_of(card, "Page the payments on-call when")
    assert "closed as won't do without a decision" in row_of(card, "Put ledger lag")
    assert "decided by Eve Manager, 2026-05-20: the legacy exporter" in row_of(card, "Move the last reports")
    assert "<td>in pay, no reason recorded</td>" in redates and "the alerting migration lands first" in redates


def test_action_items_json_has_original_due_slip_and_re_dates(pages):
    rows = {i["id"]: i for i in json.loads(pages["action-items.json"])["action_items"]}
    alert = rows["ledger-alert"]
    assert (alert["due"], alert["original_due"], alert["slip_days"], alert["on_time"], alert["on_time_original"]) == ("2026-05-15", "2026-05-08", 7, True, False)
    assert alert["redates"] == [
        {"from": "2026-05-08", "to": "2026-05-12", "on": "2026-05-06", "reason": "the alerting migration lands first", "approved_by": None, "source": "file"},
        {"from": "2026-05-12", "to": "2026-05-15", "on": "2026-05-11", "reason": "the exporter's metrics release slipped by three days", "approved_by": {"handle": "eve.boss", "name": "Eve Manager"}, "source": "file"},
    ]
    retry = rows["retry-budget"]
    assert (retry["due"], retry["original_due"], retry["slip_days"]) == ("2026-05-19", "2026-05-19", 0)
    assert retry["redates"] == [{"from": "2026-05-19", "to": "2026-06-30", "on": "2026-05-25", "reason": "", "approved_by": None, "source": "pay"}]
    assert rows["replay-job"]["redates"] == [] and rows["replay-job"]["decision"] is None
    assert rows["drop-legacy-exporter"]["decision"] == {"by": {"handle": "eve.boss", "name": "Eve Manager"}, "on": "2026-05-20", "reason": "the legacy exporter is switched off on 2026-06-30 with the reports it feeds"}
    pms = {p["id"]: p for p in json.loads(pages["postmortems.json"])["postmortems"]}
    assert pms["2026-05-04-ledger-lag"]["action_items"]["redated"] == 3


def test_reasons_and_decisions_are_escaped_on_every_generated_page(pages):
    for path, text in pages.items():
        if path.endswith(".md"):
            assert "<script" not in text and "<img" not in text and 'href="javascript' not in text, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt; the vendor &lt;img src=x onerror=alert(2)&gt; fix slipped a week" in pages["redated.md"]
    assert "see [this](javascript:alert(3)) and &lt;a href=&quot;javascript:alert(4)&quot;&gt;that&lt;/a&gt;" in pages["commitments.md"]


# ---------------------------------------------------------------- a real mkdocs build


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_fixture(tmp_path_factory, REDATES_FIXTURE, REDATES_TODAY) / "site"


@pytest.mark.slow
def test_the_built_site_has_both_pages_in_its_nav(built):
    home = (built / "index.html").read_text(encoding="utf-8")
    assert re.search(r'href="redated/"[^>]*>\s*<span class="md-ellipsis">\s*Re-dated items', home)
    assert re.search(r'href="commitments/"[^>]*>\s*<span class="md-ellipsis">\s*SEV-0/1 commitments', home)
    redated = (built / "redated" / "index.html").read_text(encoding="utf-8")
    assert "<td>in pay, no reason recorded</td>" in redated
    commitments = (built / "commitments" / "index.html").read_text(encoding="utf-8")
    assert "<title>SEV-0/1 commitments" in commitments
    assert '<strong class="ft-flag">closed as won\'t do without a decision</strong>' in commitments
    overdue = (built / "overdue" / "index.html").read_text(encoding="utf-8")
    assert "<small>1x, +5 d<br>originally due 2026-05-14</small>" in overdue
    items = json.loads((built / "action-items.json").read_text(encoding="utf-8"))["action_items"]
    assert {i["id"]: i["slip_days"] for i in items}["ledger-alert"] == 7


@pytest.mark.slow
def test_a_script_reason_and_a_javascript_link_stay_text_in_the_built_site(built):
    problems = []
    for path in sorted(built.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        audit = _Audit()
        audit.feed(text)
        problems += [f"{path.relative_to(built)}: {p}" for p in audit.problems]
        assert "alert(1)</script>" not in text and "<img src=x" not in text, path
    assert not problems, "\n".join(problems)
    for page in ("redated/index.html", "2026/2026-05-10-hostile-reasons/index.html"):
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (built / page).read_text(encoding="utf-8"), page
    for page in ("commitments/index.html", "2026/2026-05-10-hostile-reasons/index.html"):
        assert "&lt;a href=&quot;javascript:alert(4)&quot;&gt;that&lt;/a&gt;" in (built / page).read_text(encoding="utf-8"), page


@pytest.mark.browser
def test_hostile_reasons_run_nothing_in_a_real_browser_even_without_the_policy(browser: Any, built: Path) -> None:
    # As tests/test_xss.py does for bodies: load, hover, focus and click through the pages that
    # show reasons and decisions, with the Content-Security-Policy taken out, so escaping alone holds.
    watch = Watch("")
    with serving(built, type("Handler", (_Handler,), {"watch": watch})) as url:
        watch.url = url
        context, seen = _context(browser, watch, strip_policy=True)
        try:
            page = context.new_page()
            for path in ("redated/", "commitments/", "2026/2026-05-10-hostile-reasons/", "2026/2026-05-04-ledger-lag/"):
                _exercise(page, url + path)
        finally:
            context.close()
    assert not seen.dialogs, "script ran:\n" + "\n".join(seen.dialogs)
    assert not watch.beacons
