"""Real `mkdocs build` of the fixture repo (tests/data/site/basic): the response page's
distributions (p50/p90, a strip per measure, band tables) and the People and roles page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .site_builds import build_site, copy_fixture

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_fixture(tmp_path_factory.mktemp("learning"))
    result = build_site(root, strict=True)
    assert result.returncode == 0, result.stderr
    return root / "site"


def article(site: Path, rel: str) -> str:
    html = (site / rel).read_text(encoding="utf-8")
    return html[html.index("<article"): html.index("</article>")]


def text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def test_response_page_shows_percentiles_never_a_mean(built):
    page = article(built, "response/index.html")
    words = text(page)
    # Two incidents count (the game day and the draft do not): login errors (detect 15 min, mitigate
    # 1 h, resolve 2 h 30 min) and the checkout outage (8 min, 38 min, 1 h 28 min), each its own severity.
    assert "Over the 2 incident(s)" in words
    assert "8 min / 8 min (n=1)" in words and "1 h 28 min / 1 h 28 min (n=1)" in words
    assert "15 min / 15 min (n=1)" in words and "2 h 30 min / 2 h 30 min (n=1)" in words
    assert "nearest rank" in words and "VOID" in words
    assert not re.search(r"\b(mean|average|MTT[RDA])\b", words.replace("no mean times", "").replace("a mean (an MTTR)", ""), re.I)


def test_response_page_draws_a_strip_per_measure_with_escaped_titles(built):
    page = article(built, "response/index.html")
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 3
    for measure, svg in zip(("detect", "mitigate", "resolve"), svgs):
        assert f'id="ft-strip-{measure}-title"' in svg
        assert svg.count("<circle") == 2 + 1  # one dot per incident, and the legend's
    # The hostile title is text in the dot's <title>, never markup.
    assert "<title>SEV-1: &lt;script&gt;alert(1)&lt;/script&gt; Checkout\u2026: 8 min</title>" in svgs[0]  # cut short
    assert "<script" not in page
    # The same figures as a table, in a <details> that works without JavaScript.
    assert page.count("<details") == 3 and "as a table: incidents per band of time" in page


def test_game_days_stay_apart_on_the_response_page(built):
    page = article(built, "response/index.html")
    game = text(page.split('id="game-days"')[1])
    assert "2 min / 2 min (n=1)" in game  # the game day's time to detect, shown apart
    assert "2 min / 2 min" not in text(page.split('id="game-days"')[0])


def test_people_and_roles_page(built):
    page = article(built, "learning/people/index.html")
    words = text(page)
    # Three postmortems count (two incidents and the game day; the draft does not).
    assert "over the 3 postmortem(s)" in words and "1 of the 3 are game days" in words
    assert "Never Incident Commander (5): Dev Deputy, Lee Liaison, Max Expert, Nia Expert, Sam Scribe" in words
    assert "Never Scribe (5): Ana Commander, Cora Comms, Dev Deputy, Max Expert, Nia Expert" in words
    rows = {text(r).split(" ")[0] + " " + text(r).split(" ")[1]: r for r in re.findall(r"<tr><td>.*?</tr>", page, re.S)}
    ana = rows["Ana Commander"]
    # Commander twice, once in the game day, last on the game day's date, linked to it.
    assert re.search(r'<td style="text-align:right">2 <small>\(1 in a game day\)</small><br><small>last <a href="\.\./\.\./2024/2024-05-20-game-day-db-failover/" title="Game day, database failover">2024-05-20</a></small></td>', ana)
    assert text(rows["Max Expert"]).startswith("Max Expert – – – – – 3 (1 in a game day) last 2024-05-20")
    # Names only: nothing else of people.yml reaches the page.
    for private in ("corp.example", "ana-gh", "max-gh", "5b10a2844c20165700ede21g", "712020:aaaa-bbbb"):
        assert private not in page


def test_the_roles_page_links_to_people_and_roles(built):
    assert 'href="../../learning/people/"' in article(built, "process/roles/index.html")
    nav = (built / "index.html").read_text(encoding="utf-8")
    assert "People and roles" in nav
