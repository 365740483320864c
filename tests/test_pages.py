"""Page generation without MkDocs: the Markdown and JSON `Site.pages()` returns for a fixture repo."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import markdown
import pytest
import yaml
from hypothesis import given, settings as hsettings, strategies as st

from followthrough.core.pages import SITE_NAV, Site
from followthrough.core.pages.chart import Series, line_chart
from followthrough.core.text.blocks import DEFAULT_DIALECT, scan
from followthrough.core.escape.html import md_escape, neutralize_html, safe_page_title
from followthrough.core.slugs import unique_slugs
from followthrough.core.urls import relative_source
from followthrough.core.urls import page_url

from followthrough.workspace import load_workspace

from .conftest import DATA, ROOT

FIXTURE = DATA / "site" / "basic"
TODAY = date(2024, 7, 1)


def load(root: Path = FIXTURE, today: date = TODAY) -> tuple[Site, dict[str, str]]:
    site = load_workspace(root / "mkdocs.yml", today=today, refuse_errors="no pages").site()
    return site, site.pages()


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    return load()[1]


def cells(html: str, first: str) -> list[str]:
    """The text of the cells after the first one, in the table row whose first cell's text is `first`."""
    for row in re.findall(r"<tr>(.*?)</tr>", html, re.S):
        texts = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if texts and texts[0].strip() == first:
            return [t.strip() for t in texts[1:]]
    raise AssertionError(f"no row starting with {first!r}")


def nav_targets(nav: list) -> list[str]:
    out = []
    for entry in nav:
        if isinstance(entry, str):  # a page that brings its own title
            out.append(entry)
            continue
        for value in entry.values():
            out.extend(nav_targets(value) if isinstance(value, list) else [value])
    return out


def test_every_nav_page_and_group_page_is_generated(pages):
    for target in nav_targets(SITE_NAV):
        assert target in pages, target
    assert {"by-year/2023.md", "by-year/2024.md", "by-severity/sev-1.md", "by-service/pay-ments.md", "by-team/payments.md"} <= set(pages)
    assert {"postmortems.json", "action-items.json", "assets/followthrough.css"} <= set(pages)
    # Drafts are in no group: the draft's service `search` has no page.
    assert "by-service/search.md" not in pages


def test_the_nav_in_mkdocs_yml_is_the_generated_one():
    with (ROOT / "mkdocs.yml").open() as f:
        raw = yaml.load(f, Loader=yaml.BaseLoader)  # noqa: S506 - BaseLoader builds plain strings only
    assert raw["nav"] == SITE_NAV


def test_all_postmortems_lists_incidents_game_days_and_drafts_apart(pages):
    text = pages["all.md"]
    incidents, rest = text.split("## Game days")
    game, drafts = rest.split("## Drafts")
    assert "<td>2024-03-05</td>" in incidents and "<td>2023-11-03</td>" in incidents and "Game day" not in incidents
    assert incidents.index("2024-03-05") < incidents.index("2023-11-03")  # newest first
    assert "Game day, database failover" in game
    assert "Search slow for some users" in drafts


def test_user_text_is_escaped_for_markdown_and_html(pages):
    row = next(line for line in pages["all.md"].splitlines() if "Checkout" in line)
    # Tables are raw HTML (Markdown leaves them alone): HTML escaping only, links to built URLs.
    assert '<a href="../2024/2024-03-05-checkout-outage/">&lt;script&gt;alert(1)&lt;/script&gt; Checkout | payments down</a>' in row
    assert '<a href="../by-service/pay-ments/">pay|ments</a>' in row

    for path, text in pages.items():
        if path.endswith(".md"):
            assert "<script" not in text and "<b>" not in text, path


def test_overdue_page_rows(pages):
    text = pages["overdue.md"]
    main = text.split("## By owner")[0]
    # canary: due 2024-03-18, open on 2024-07-01 -> 105 days overdue; the draft's item is not listed.
    # The due date (and re-dates) under the days, the owner's team under the owner.
    assert '<td><strong>105 d</strong><br><small>due 2024-03-18</small></td><td>Add a &lt;b&gt;canary&lt;/b&gt; stage | to the deploy pipeline</td><td>Nia Expert<br><small>Platform Team</small></td>' in main
    assert "<th>Owner and team</th>" in main
    assert "missing index" not in text
    game = text.split("## From game days")[1]
    assert '<td><strong>31 d</strong><br><small>due 2024-05-31</small></td><td>Write the failover runbook step' in game  # due 2024-05-31
    # The same items grouped, each grouping on a page of its own (no page holds an item three times).
    assert "[by owner](overdue/by-owner.md)" in text and "### Nia Expert" not in text
    assert "## Nia Expert (1)" in pages["overdue/by-owner.md"] and "## Platform Team (1)" in pages["overdue/by-team.md"]


def test_completion_figures_on_the_page(pages):
    text = pages["completion.md"]
    # Incident items: pool-alert (done 03-14, due 03-15: on time), canary (open, late), audit (won't do),
    # cert-alert (done per front-matter, date unknown). 2 of 4 done, 1 won't do; on time 1 of 2.
    # Items, done, won't do (its share), open or in progress, overdue, completion, on time (current, original), median.
    assert cells(text, "All incidents") == ["4", "2", "1 (25%)", "1", "1", "50%", "50%", "50%", "9"]
    assert cells(text, "All game days") == ["1", "0", "0", "1", "1", "0%", "0%", "0%", "\u2013"]
    heads = re.findall(r"<th[^>]*>(.*?)</th>", text.split("## Trend")[0])
    assert len(heads) == len(set(heads)), heads  # one header per column
    trend = text.split("## By severity")[0]
    assert "<svg" in trend
    assert cells(trend, "2023-Q4") == ["1", "1", "0", "0", "0", "100%", "\u2013", "\u2013", "\u2013"]  # done, date unknown
    assert cells(trend, "2024-Q1") == ["3", "1", "1 (33%)", "1", "1", "33%", "50%", "50%", "9"]


def test_home_page_headline(pages):
    text = pages["index.md"]
    assert '<td style="text-align:right">1</td><td style="text-align:right"><a href="overdue/">1</a></td><td style="text-align:right">0</td><td style="text-align:right">50%</td><td style="text-align:right">50% (2 judged)</td>' in text
    assert "Incidents this quarter (2024\\-Q3)" in text


def test_response_page_uses_utc_and_keeps_game_days_apart(pages):
    text = pages["response.md"]
    by_sev = text.split("## By severity and quarter")[0]
    # p50 / p90 (n): of one incident, both are its time.
    assert cells(by_sev, "SEV-1") == ["1", "8 min / 8 min (n=1)", "38 min / 38 min (n=1)", "1 h 28 min / 1 h 28 min (n=1)"]
    assert cells(by_sev, "SEV-3") == ["1", "15 min / 15 min (n=1)", "1 h / 1 h (n=1)", "2 h 30 min / 2 h 30 min (n=1)"]  # written at UTC-5
    quarters = text.split("## By severity and quarter")[1].split("## Postmortem review latency")[0]
    assert cells(quarters, "SEV-3")[0] == "2023-Q4" and cells(quarters, "SEV-1")[0] == "2024-Q1"
    assert cells(text.split("## Game days")[1], "SEV-3") == ["1", "2 min / 2 min (n=1)", "20 min / 20 min (n=1)", "1 h / 1 h (n=1)"]
    missed = text.split("### Reviews that missed the target")[1]
    # The postmortem as a short link, its whole title on hover.
    assert cells(missed, "Login errors after a certificate\u2026") == ["SEV-3", "2023-11-03 06:00 UTC", "2023-11-05", "not yet", "\u2013"]
    assert 'title="Login errors after a certificate rotation">Login errors after a certificate\u2026</a>' in missed


def test_postmortem_card(pages):
    site, _ = load()
    pm = site.find("2024/2024-03-05-checkout-outage.md")
    assert pm is not None
    body = site.postmortem_markdown(pm)
    assert body.startswith("# &lt;script&gt;alert\\(1\\)&lt;/script&gt; Checkout \\| payments down\n")
    assert "<tr><td>Incident Commander</td><td>Ana Commander</td></tr>" in body
    assert '<a href="https://jira.example.test/browse/PAY-101">PAY-101</a>' in body
    # Nothing that changes with today alone: the due date, for the browser to count the days from.
    assert '<time class="ft-due" data-ft-due datetime="2024-03-18">2024-03-18</time>' in body
    assert "days overdue" not in body and "as of" not in body
    assert '<a href="../../by-service/pay-ments/">pay|ments</a>' in body
    assert "&lt;img src=x onerror=alert(2)>" in body  # raw HTML in the body shown as text
    assert "corp.example" not in body
    draft = site.postmortem_markdown(site.find("2024/2024-06-01-search-slow.md"))
    assert '!!! warning "Draft"' in draft
    assert site.page_title(pm) == "\u2039script\u203aalert(1)\u2039/script\u203a Checkout | payments down"
    full = site.postmortem_file(pm)
    assert full.startswith('---\ntitle: "\u2039script\u203aalert(1)\u2039/script\u203a Checkout | payments down"\ntags: ["database", "pool", "\u2039img src=x onerror=alert(9)\u203a"]\n---\n# ')


def test_exports_hold_no_email_or_account_id(pages):
    text = pages["postmortems.json"] + pages["action-items.json"]
    for secret in ("corp.example", "5b10a2844c20165700ede21g", "712020:aaaa-bbbb", "ana-gh"):
        assert secret not in text
    items = json.loads(pages["action-items.json"])
    assert items["as_of"] == "2024-07-01"
    by_id = {(i["postmortem_id"], i["id"]): i for i in items["action_items"]}
    pool = by_id[("2024-03-05-checkout-outage", "pool-alert")]
    assert (pool["status"], pool["status_source"], pool["done_on"], pool["on_time"], pool["days_to_close"]) == ("done", "tracker", "2024-03-14", True, 9)
    assert pool["owner"] == {"handle": "max.sme", "name": "Max Expert"}
    assert by_id[("2024-03-05-checkout-outage", "canary")]["overdue_days"] == 105
    assert by_id[("2023-11-03-login-errors", "cert-alert")]["ticket_url"] == "https://github.com/acme/auth/issues/12"
    pms = {p["id"]: p for p in json.loads(pages["postmortems.json"])["postmortems"]}
    login = pms["2023-11-03-login-errors"]
    assert login["started"] == "2023-11-03T03:30:00Z" and login["minutes_to_resolve"] == 150.0
    assert login["url"] == "https://example.test/postmortems/2023/2023-11-03-login-errors/"
    assert pms["2024-05-20-game-day-db-failover"]["counted_in_figures"] is False


def test_process_pages_come_from_the_settings(pages):
    assert "| Incident Commander + Deputy Incident Commander | never | never | never | allowed | allowed |" in pages["process/roles.md"]
    assert "Company\\-existential" in pages["process/severities.md"]


def test_a_repo_template_overrides_the_packaged_one(tmp_path):
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    (root / "templates" / "site").mkdir(parents=True)
    (root / "templates" / "site" / "tags.md.j2").write_text("# Our own tags page {{ today | day }}\n")
    _, pages = load(root)
    assert pages["tags.md"].endswith("-->\n\n# Our own tags page 2024\\-07\\-01\n")
    assert "# Overdue action items" in pages["overdue.md"]  # the others fall through


# --- escaping helpers --------------------------------------------------------------------------------


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.cells: list[str] = []
        self._in_cell = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag in ("td", "th"):
            self._in_cell = True
            self.cells.append("")

    def handle_endtag(self, tag):
        if tag in ("td", "th"):
            self._in_cell = False

    def handle_data(self, data):
        if self._in_cell:
            self.cells[-1] += data


@hsettings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("<>&|\\`*_[](){}#!-.+\"'"), max_size=40))
def test_escaped_text_renders_as_itself_in_a_table_cell(text):
    source = f"| h |\n| --- |\n| {md_escape(text)} |\n"
    parser = _Cells()
    parser.feed(markdown.markdown(source, extensions=["tables", "attr_list", "md_in_html"]))
    assert set(parser.tags) <= {"table", "thead", "tbody", "tr", "th", "td"}
    assert parser.cells[-1].strip() == " ".join(text.split())


def _neutralized(body: str) -> str:
    # The code lines the site renders as code, from the block model that agrees with Python-Markdown.
    return neutralize_html(body, scan(body, 0, DEFAULT_DIALECT).code)


def test_neutralize_html_keeps_code_and_autolinks():
    body = "Hi <b>x</b> `<i>` <https://a.test/?q=1>\n\n    <pre>indented</pre>\n\n```\n<fenced>\n```\n"
    out = _neutralized(body)
    assert out == "Hi &lt;b>x&lt;/b> `<i>` <https://a.test/?q=1>\n\n    <pre>indented</pre>\n\n```\n<fenced>\n```\n"


def test_safe_page_title_leaves_nothing_a_theme_could_unescape():
    assert safe_page_title("A & B </title><script>") == "A &amp; B \u2039/title\u203a\u2039script\u203a"


def test_slugs_and_urls():
    assert unique_slugs(["API", "api!", "Pay|ments"]) == {"API": "api", "api!": "api-2", "Pay|ments": "pay-ments"}
    assert page_url("index.md") == "" and page_url("by-year/index.md") == "by-year/" and page_url("2024/x.md") == "2024/x/"
    assert relative_source("2024/x.md", "by-year/2024.md") == "../2024/x.md"


def test_chart_is_valid_svg_and_breaks_lines_at_missing_values():
    html = line_chart("T <&>", ["2024-Q1", "2024-Q2", "2024-Q3"], [Series("Rate", [50.0, None, 100.0])])
    assert "\n\n" not in html  # one HTML block for Markdown
    svg = ET.fromstring(html)
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f".//{ns}polyline")) == 2
    assert svg.find(f".//{ns}svg/{ns}title").text == "T <&>"


@pytest.mark.parametrize(
    "body",
    [
        " ```\n<img src=x onerror=alert(8)>\n ```\n",  # indented: not a fence to Markdown
        "```\n<img src=x onerror=alert(8)>\n",  # never closed
        "````\ncode\n`````\n<img src=x onerror=alert(8)>\n",  # closed by a different fence
        "[x](javascript:alert(3))\n\n[r]: javascript:alert(1)\n\nsee [r]\n",
        "para\n{ onclick=\"alert(4)\" .cls }\n",
        "!!! note\n\n    <script>alert(1)</script>\n",  # admonition content, not an indented code block
        "Escaped ticks: \\`<img src=x onerror=alert(8)>\\`\n",  # not a code span to Markdown
        "- item\n\n        <script>alert(1)</script>\n",  # in a list: a paragraph of the item
    ],
)
def test_neutralized_bodies_carry_no_script_through_markdown(body):
    out = markdown.markdown(_neutralized(body), extensions=["tables", "attr_list", "md_in_html", "admonition", "toc", "fenced_code"])
    assert "<img" not in out and "<script" not in out and "javascript:" not in out and "onclick" not in out


def test_a_group_named_index_does_not_take_the_index_page():
    assert unique_slugs(["index", "svc"]) == {"index": "index-2", "svc": "svc"}
