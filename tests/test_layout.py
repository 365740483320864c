"""Tables people can read, and postmortem pages that stay the same until they change.

The wide fixture (tests/data/site/wide) has long titles, names and service names, a dozen items
per postmortem, URL tickets, re-dates, decisions and quarters without incidents: the corpus the
browser test (test_browser.py) checks at 1,280 px. Here, without a browser: what the tables hold
(one header per column, collapsed empty quarters, a legend for drawn series only), and two real
builds one day apart that must leave every postmortem page byte for byte as it was.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from followthrough.core.pages import format as fmt
from followthrough.core.pages import paths
from followthrough.core.pages.chart import Series, line_chart

from .conftest import DATA, shipped_repo
from .search_index import fragments as indexed_pages
from .site_builds import build_site
from .test_pages import load

WIDE = DATA / "site" / "wide"
WIDE_TODAY = "2026-11-23"


def wide_repo(target: Path) -> Path:
    """A repo at `target` with the shipped mkdocs.yml and templates and the wide fixture's postmortems."""
    return shipped_repo(target, WIDE)


def built_pages(site: Path) -> dict[str, bytes]:
    return {p.relative_to(site).as_posix(): p.read_bytes() for p in sorted(site.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = wide_repo(tmp_path_factory.mktemp("wide") / "repo")
    result = build_site(root, strict=True, today=WIDE_TODAY)
    assert result.returncode == 0, result.stderr
    return root / "site"


def tables(html: str) -> list[str]:
    return re.findall(r"<table>.*?</table>", html, re.S)


def headers(table: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]


# ---------------------------------------------------------------- short labels


def test_a_long_title_is_cut_at_a_word_with_an_ellipsis():
    assert fmt.short("Login errors after a certificate rotation") == "Login errors after a certificate\u2026"
    assert fmt.short("Checkout down") == "Checkout down"
    assert fmt.short("x" * 80) == "x" * 35 + "\u2026"  # one long word is cut inside
    assert len(fmt.short("a " * 60)) <= fmt.SHORT


def test_a_ticket_url_is_shown_short():
    assert fmt.ticket_label("https://github.com/acme/payments-gateway/issues/4001") == "payments-gateway#4001"
    assert fmt.ticket_label("PAY-412") == "PAY-412"
    assert fmt.ticket_label("https://tracker.example.com/a/very/long/path/to/ticket/991") .endswith("\u2026")


def test_a_short_link_keeps_a_hostile_title_as_text_in_its_hover():
    overdue = load()[1]["overdue.md"]
    # The fixture's title is `<script>alert(1)</script> Checkout | payments down`.
    # In the hover the angle brackets are look-alikes: mkdocs-material's tooltips read it as HTML.
    assert 'title="\u2039script\u203aalert(1)\u2039/script\u203a Checkout | payments down">&lt;script&gt;alert(1)&lt;/script&gt; Checkout\u2026</a>' in overdue
    assert "<script>" not in overdue


# ---------------------------------------------------------------- the chart


def test_the_legend_names_only_series_that_are_drawn():
    svg = line_chart("t", ["2025-Q1", "2025-Q2"], [Series("Completion rate", [50.0, 60.0]), Series("On time (current due)", [None, None])])
    assert ">Completion rate</text>" in svg
    assert "On time (current due)" not in svg.split("</desc>")[1]  # the description still says n/a
    assert svg.count("<polyline") == 1


# ---------------------------------------------------------------- the built tables


@pytest.mark.slow
def test_every_table_has_one_header_per_column(wide_site: Path):
    for page in ("index.html", "overdue/index.html", "completion/index.html", "response/index.html", "redated/index.html", "commitments/index.html", "recurrences/index.html", "factors/index.html", "learning/people/index.html"):
        html = (wide_site / page).read_text(encoding="utf-8")
        for table in tables(html):
            heads = headers(table)
            assert all(heads), (page, heads)  # no column without a header
            assert len(heads) == len(set(heads)), (page, heads)


@pytest.mark.slow
def test_empty_quarters_are_one_row_and_no_gap_in_the_chart(wide_site: Path):
    html = (wide_site / "completion" / "index.html").read_text(encoding="utf-8")
    trend = html.split('id="trend-over-quarters"')[1].split('id="by-severity"')[0]
    # The fixture's incidents started in 2025-Q1, Q2, Q4 and 2026-Q2 (the game day counts apart).
    assert "<td>2025-Q3</td><td colspan=\"9\">" in trend
    assert "<td>2026-Q1</td><td colspan=\"9\">" in trend
    svg = trend.split("<svg")[1].split("</svg>")[0]
    assert "2025-Q3" not in svg and "2026-Q1" not in svg
    assert all(svg.count(f">{q}</text>") == 1 for q in ("2025-Q1", "2025-Q2", "2025-Q4", "2026-Q2"))
    # Every drawn series is one unbroken line over the quarters that have items.
    assert svg.count("<polyline") == len(re.findall(r'<line x1="\d+" x2="\d+" y1="[\d.]+" y2="[\d.]+" stroke="#', svg))


@pytest.mark.slow
def test_item_tables_link_the_postmortem_short_with_its_title_on_hover(wide_site: Path):
    html = (wide_site / "overdue" / "index.html").read_text(encoding="utf-8")
    title = "A ledger migration replayed four days of settlement batches twice, double-crediting merchant balances until the reconciliation job caught the discrepancy the next morning"
    assert f'title="{title}">{fmt.short(title)}</a>' in html
    assert f">{title}<" not in html  # the whole title only in the link's title
    assert ">payments-gateway-authorisation-service#" in html  # a GitHub ticket URL shown short


# ---------------------------------------------------------------- pages that stay the same


@pytest.mark.slow
def test_a_rebuild_the_next_day_changes_no_postmortem_page(tmp_path: Path):
    """Two builds one day apart with no edit: every postmortem page is the same byte for byte;
    what changes are the generated pages whose figures are as of today, and the search index's
    entry of the home page (and the index files that hold its words)."""
    root = wide_repo(tmp_path / "repo")
    sites, indexes = [], []
    for today in ("2026-11-23", "2026-11-24"):
        out = tmp_path / f"site-{today}"
        result = build_site(root, site_dir=out, strict=True, today=today)
        assert result.returncode == 0, result.stderr
        # Pagefind names its index files by a hash of what they hold: compared by page below.
        sites.append({p: v for p, v in built_pages(out).items() if not p.startswith("pagefind/")})
        indexes.append({f["url"]: f for f in indexed_pages(out)})
    first, second = sites
    assert first.keys() == second.keys()
    assert "assets/followthrough.js" in first  # the script that counts days overdue in the browser
    changed = sorted(p for p in first if first[p] != second[p])
    postmortem_pages = [p for p in first if re.match(r"\d{4}/\d{4}-\d\d-\d\d-[^/]+/index\.html$", p)]
    assert len(postmortem_pages) == 6
    assert not [p for p in changed if p in postmortem_pages], changed
    generated = {p.removesuffix(".md") for p in paths.FIXED_PAGES} | {"by-year", "by-severity", "by-service", "by-team"}
    generated_html = {("index.html" if g == "index" else f"{g.removesuffix('/index')}/index.html") for g in generated}
    others = [p for p in changed if p not in generated_html and not p.startswith("by-") and p not in (paths.EXPORT_ITEMS, paths.EXPORT_POSTMORTEMS)]
    # sitemap.xml's <lastmod> is the real build day (SOURCE_DATE_EPOCH), the same for both builds here.
    assert others == [], others
    # In the search index, only the home page's entry holds today's figures.
    assert indexes[0].keys() == indexes[1].keys()
    assert [url for url in indexes[0] if indexes[0][url] != indexes[1][url]] == ["/"]
    assert "overdue/index.html" in changed and "index.html" in changed
