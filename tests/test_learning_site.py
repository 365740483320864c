"""The learning pages in a real `mkdocs build`: recurrence notices on the postmortem and service
pages, the Recurrences page, verified fixes on the completion page, the contributing factors pages
and the export's `open_prevent_items_from`; and an incremental build that rebuilds a later
postmortem's page when the earlier one it shows changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from .learning_repo import FIRST, NEAR_MISS, SECOND, learning_repo
from .site_builds import build_site
from .test_preview import Builds, edit, postmortem

TODAY = "2026-11-23"
FIRST_ID, SECOND_ID = FIRST.split("/")[1], SECOND.split("/")[1]

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = learning_repo(tmp_path_factory.mktemp("learning") / "repo")
    result = build_site(root, strict=True, today=TODAY)
    assert result.returncode == 0, result.stderr
    return root / "site"


def text(site: Path, page: str) -> str:
    """The page's article as text, tags taken out and spaces collapsed (entities kept)."""
    html = (site / page).read_text(encoding="utf-8")
    article = html[html.index("<article"): html.index("</article>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", article))


def notice(page: str) -> str:
    """The recurrence notice of a built postmortem page ("" when it has none)."""
    return page.split("Earlier fixes were not in place")[1].split("Action items")[0] if "Earlier fixes were not in place" in page else ""


def article(site: Path, page: str) -> str:
    html = (site / page).read_text(encoding="utf-8")
    return html[html.index("<article"): html.index("</article>")]


def test_the_later_postmortem_says_which_earlier_prevent_items_were_open(site: Path) -> None:
    page = text(site, f"{SECOND}/index.html")
    assert "Earlier fixes were not in place" in page
    assert "1 prevent item was from Tillpoint latency plus our retries" in page
    # In progress: open. Done the day before the start: not listed. Done on no known date: said so.
    assert "Fail new authorisations over to Brightwire" in page
    assert "Send the same idempotency key" not in notice(page)
    assert "and 1 done, date unknown" in page
    assert f'href="../{FIRST_ID}/"' in article(site, f"{SECOND}/index.html")
    # The earlier one, and the near miss, have no notice.
    assert "Earlier fixes" not in text(site, f"{FIRST}/index.html")
    assert "Earlier fixes" not in text(site, f"{NEAR_MISS}/index.html")


def test_a_verified_item_says_so_on_its_row(site: Path) -> None:
    page = text(site, f"{FIRST}/index.html")
    assert "verified 2025-05-20: a game day replayed the Tillpoint slowdown" in page
    assert "slowdown &lt;img src=x onerror=alert(1)&gt;" in page  # the how is text
    assert "<img src=x" not in article(site, f"{FIRST}/index.html")


def test_the_service_pages_and_the_recurrences_page(site: Path) -> None:
    for service in ("payments-gateway", "checkout-api"):
        page = text(site, f"by-service/{service}/index.html")
        assert "Earlier fixes not in place" in page
        assert "Tillpoint &lt;b&gt;slow&lt;/b&gt; again &amp; checkout timed out (2025-06-10): 1 prevent item was from" in page
    assert "Earlier fixes not in place" not in text(site, "by-service/ci-runners/index.html")
    page = text(site, "recurrences/index.html")
    assert "1 case: 1 incident started with an earlier incident's prevent items open, 1 open item in all." in page
    html = article(site, "recurrences/index.html")
    (table,) = re.findall(r"<table>.*?</table>", html, re.S)
    row = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", table.split("<tbody>")[1]))
    for cell in ("2025-06-10", "SEV-1", "Tillpoint latency plus our", "Fail new authorisations", "Kwame Mensah", "2025-04-25", "in-progress", "1 more done, date unknown"):
        assert cell in row, cell
    assert "<b>slow" not in html  # the title is text


def test_verified_fixes_on_the_completion_page(site: Path) -> None:
    page = text(site, "completion/index.html")
    section = page.split("Verified fixes")[1].split("Open items by age")[0]
    # Done prevent items of SEV-1: two in each Tillpoint incident, one of them verified.
    assert "All incidents 4 1 25%" in section
    assert "2025-Q2 4 1 25%" in section
    assert section.count("Send the same idempotency key") == 2
    assert section.count("Replace the fixed three retries") == 1  # the unverified copy only
    assert "2025-06-09" in section and "date unknown" in section


def test_the_contributing_factors_pages(site: Path) -> None:
    page = text(site, "factors/index.html")
    assert "over the 3 incidents and 1 near miss in review or published" in page
    # third-party: both incidents (2 of 3) and the near miss; capacity: the near miss only.
    assert "third-party 2 67% 1 2025-07-01" in page
    assert "capacity 0 0% 1 2025-07-01" in page
    assert "2025-Q2 2 third-party 2, change 1 0 –" in page
    assert "2025-Q3 0 – 1 capacity 1, third-party 1" in page
    assert "Payments 2 third-party 2, change 1 1 capacity 1, third-party 1" in page
    behind = page.split("Postmortems behind each factor")[1]
    capacity = behind.split(" capacity ")[1].split(" dependency ")[0]
    assert "Incidents (0): none" in capacity and "Near misses (1): Tillpoint slowed down again but the retry budget held" in capacity
    vocabulary = text(site, "process/factors/index.html")
    assert "monitoring-gap" in vocabulary and "A code change or deploy introduced the fault or set it off." in vocabulary


def test_the_export_names_the_earlier_incidents(site: Path) -> None:
    rows = {r["id"]: r for r in json.loads((site / "postmortems.json").read_text(encoding="utf-8"))["postmortems"]}
    assert rows[SECOND_ID]["open_prevent_items_from"] == [FIRST_ID]
    assert rows[FIRST_ID]["open_prevent_items_from"] == []


def test_an_edit_of_the_earlier_postmortem_rebuilds_the_later_ones_page(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = learning_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "build")
    builds.build()
    second = f"{SECOND}/index.html"
    assert "Send the same idempotency key" not in notice(builds.page(second))
    # Closed on the later one's start day instead of the day before: now it was open then.
    edit(postmortem(root, FIRST), "done_on: 2025-06-09", "done_on: 2025-06-10")
    rewritten = builds.build()
    assert second in rewritten
    assert "2 prevent items were from" in notice(builds.page(second))
    assert "Send the same idempotency key" in notice(builds.page(second))
    assert "2025/2025-07-01-tillpoint-near-miss/index.html" not in rewritten  # it shows nothing of the first
    # A new title of the earlier postmortem shows in the later one's notice.
    edit(postmortem(root, FIRST), "\ntitle: Tillpoint latency", "\ntitle: RETITLED Tillpoint latency")
    assert second in builds.build()
    assert "RETITLED Tillpoint latency" in notice(builds.page(second))
    # Its ticket closed in the tracker before the later start: the notice goes.
    state = root / ".followthrough" / "state.json"
    state.parent.mkdir(exist_ok=True)
    done = {"ticket": "PAY-414", "url": "https://tracker.example.com/browse/PAY-414", "status": "done", "done_on": "2025-05-01"}
    state.write_text(json.dumps({"version": 1, "items": {f"{FIRST_ID}/auto-provider-failover": done}}), encoding="utf-8")
    assert second in builds.build()
    assert "Fail new authorisations" not in notice(builds.page(second))
    assert "Send the same idempotency key" in notice(builds.page(second))  # still open then
