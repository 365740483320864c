"""Review of the pages and links (revsite): hostile repo content against what the browser script
trusts, the short links and ticket labels, and `followthrough pages --out`'s source links."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.structure.files import File
from types import SimpleNamespace
from urllib.parse import unquote, urljoin, urlsplit

from followthrough.core.pages.generate import Links
from followthrough.core.urls import relative_url

from .conftest import ROOT, shipped_repo
from .site_builds import build_site, copy_fixture, pages_out

CHECKOUT = "docs/2024/2024-03-05-checkout-outage.md"
FORGED = '<p>Forged: <time class="ft-due" datetime="1999-01-01">1999-01-01</time></p>'


@pytest.mark.slow
def test_a_time_written_in_a_postmortem_body_is_not_counted_as_overdue(tmp_path: Path):
    """The sanitizer keeps `<time class=... datetime=...>` in a body, so the script must count only
    the due dates the card wrote: a body could otherwise make any sentence read 'N days overdue'."""
    root = copy_fixture(tmp_path)
    page = root / CHECKOUT
    page.write_text(page.read_text(encoding="utf-8") + "\n" + FORGED + "\n", encoding="utf-8")
    result = build_site(root, strict=False)
    assert result.returncode == 0, result.stderr
    html = (root / "site" / "2024" / "2024-03-05-checkout-outage" / "index.html").read_text(encoding="utf-8")
    script = (ROOT / "templates" / "site" / "followthrough.js").read_text(encoding="utf-8")
    selector = re.search(r'querySelectorAll\("([^"]+)"\)', script).group(1)
    assert "data-ft-due" in selector, selector
    forged = re.search(r"Forged: (<time[^>]*>)", html)
    assert forged, html
    assert "data-ft-due" not in forged.group(1)
    # The card's own open items still carry the mark the script counts.
    assert re.search(r'<time class="ft-due" data-ft-due datetime="2024-03-18">', html)


# A file name FT107 lets through once it is switched off for old files ("2019/**": FT107: off):
# '#', '?' and '%' are part of the name, never a fragment, a query or an escape.
_HOSTILE_SEGMENTS = ["2024", "by-year", "a", "index", "Outage #3", "why?", "100%", "x%41y", "é ü"]
_segment = st.sampled_from(_HOSTILE_SEGMENTS)
_doc = st.builds(lambda folders, name: "/".join([*folders, name + ".md"]), st.lists(_segment, max_size=3), _segment)


@given(target=_doc, here=_doc, use_directory_urls=st.booleans())
def test_a_page_address_with_a_hash_or_question_mark_is_the_one_mkdocs_makes(target: str, here: str, use_directory_urls: bool) -> None:
    to, base = (File(p, "/docs", "/site", use_directory_urls) for p in (target, here))
    assert relative_url(target, here, use_directory_urls) == to.url_relative_to(base)


@pytest.mark.parametrize("form", ["url", "source"])
def test_a_link_to_a_file_named_with_a_hash_lands_on_that_file(form: str) -> None:
    data = SimpleNamespace(link_form=form, use_directory_urls=True)
    target, here = "2019/Outage #3 (100%) why?.md", "by-year/2019.md"
    href = Links(data, here).href(target)  # type: ignore[arg-type]
    parts = urlsplit(urljoin("https://example.test/p/by-year/2019/" if form == "url" else "https://example.test/p/by-year/2019.md", href))
    assert not parts.fragment and not parts.query, href
    want = "/p/2019/Outage #3 (100%) why?/" if form == "url" else "/p/2019/Outage #3 (100%) why?.md"
    assert unquote(parts.path) == want, href


@pytest.mark.slow
def test_the_postmortem_lists_break_a_long_unbroken_title_or_service(tmp_path: Path):
    """The lists of postmortems (home, All postmortems, each group page) are tables too: a title
    or service name of one long word widened them to 1,815 px at 1,280 (behind a scrollbar),
    since only the tables inside .ft-items or .ft-figures break words."""
    root = copy_fixture(tmp_path)
    page = root / CHECKOUT
    word = "Supercalifragilistic" * 6
    text = page.read_text(encoding="utf-8").replace("services: [checkout-api,", f"services: [svc{'x' * 90}, checkout-api,", 1)
    page.write_text(text.replace("Checkout | payments down", f"Checkout {word}", 1), encoding="utf-8")
    result = build_site(root, strict=False)
    assert result.returncode == 0, result.stderr
    for built in ("index.html", "all/index.html", "by-year/2024/index.html", "by-service/checkout-api/index.html"):
        html = (root / "site" / built).read_text(encoding="utf-8")
        lists = re.findall(r'(<div class="[^"]*">\s*)?<table>\s*<thead><tr><th>Date \(UTC\)</th><th>Postmortem</th>', html)
        assert lists, built
        assert all('class="ft-figures"' in wrap for wrap in lists), (built, lists)
    index = (root / "site" / "by-service" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<div class="ft-figures">\s*<table>\s*<thead><tr><th>Service</th>', index), index


LONG_WORD = "Supercalifragilistic" * 6


def long_word_repo(target: Path) -> Path:
    """The shipped repo with one postmortem whose title, a service, a tag, an item title and a
    ticket URL are each one unbroken word of 90 to 150 characters."""
    root = shipped_repo(target)
    src = next((root / "postmortems" / "2025").glob("*.md"))
    t = src.read_text(encoding="utf-8")
    t = re.sub(r"^title: .*$", lambda m: f'title: "Retry {LONG_WORD} storm"', t, count=1, flags=re.M)
    t = re.sub(r"^services: \[", lambda m: f"services: [svc{'x' * 90}, ", t, count=1, flags=re.M)
    t = re.sub(r"^tags: \[", lambda m: f"tags: [tag{'y' * 90}, ", t, count=1, flags=re.M)
    t = re.sub(r"^(\s+ticket: ).*$", lambda m: m.group(1) + "https://github.com/o/" + "r" * 120 + "/issues/5", t, count=1, flags=re.M)
    t = re.sub(r"^(\s+- id: .*\n\s+title: ).*$", lambda m: m.group(1) + "Fix " + "Z" * 150, t, count=1, flags=re.M)
    src.write_text(t, encoding="utf-8")
    return root


@pytest.mark.slow
@pytest.mark.browser
def test_long_unbroken_words_fit_at_1280_and_400_px(browser: Any, tmp_path: Path) -> None:
    from .test_browser import OVERFLOW, browsing, serve

    root = long_word_repo(tmp_path / "repo")
    result = build_site(root, strict=True, today="2026-11-23")
    assert result.returncode == 0, result.stderr
    site = root / "site"
    pm = next(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("2025/*/index.html"))
    pages = ["", "all/", "by-service/", "tags/", "overdue/", pm]
    with serve(site) as served, browsing(browser, served) as session:
        for width in (1280, 400):
            session.page.set_viewport_size({"width": width, "height": 900})
            for path in pages:
                session.goto(path)
                found = session.page.evaluate(OVERFLOW)["found"]
                if width == 400:  # a phone may scroll a wide table sideways, never the page
                    found = [f for f in found if f.startswith("page:")]
                assert not found, (width, path, found)


@pytest.mark.slow
def test_pages_out_refuses_an_authors_page_where_a_generated_page_goes(tmp_path: Path) -> None:
    """The plugin's build stops on docs_dir/overdue.md written by an author ('the followthrough
    plugin generates this page; rename or move your file'); `followthrough pages --out` wrote the
    generated page over it and exited 0, so the Zensical site lost the author's page unannounced."""
    root = shipped_repo(tmp_path / "repo")
    (root / "postmortems" / "overdue.md").write_text("# Our overdue policy\n\nWritten by hand.\n", encoding="utf-8")
    result = pages_out(root, "build/pages", "2026-11-23")
    assert result.code != 0 and "overdue.md" in result.err, result.err


# mkdocs-material's content.tooltips (on in the shipped mkdocs.yml) puts a link's title into its
# tooltip as HTML (innerHTML): a title entity-escaped for the attribute is markup again there.
HOSTILE_TITLE = '<img src=x id=pwned onerror="document.title=1"> the payments gateway fell over for an hour'


def test_a_short_links_hover_holds_no_markup_for_the_tooltip():
    from html import unescape

    from followthrough.core.escape.html import html_link

    link = str(html_link("short", "x/", HOSTILE_TITLE))
    hover = unescape(re.search(r'title="([^"]*)"', link).group(1))
    assert "<" not in hover and ">" not in hover, hover
    assert "img src=x" in hover  # still readable


@pytest.mark.slow
@pytest.mark.browser
def test_hovering_a_short_link_shows_its_title_as_text(browser: Any, tmp_path: Path) -> None:
    from .test_browser import browsing, serve

    root = shipped_repo(tmp_path / "repo")
    for src in (root / "postmortems").glob("*/*.md"):
        text = src.read_text(encoding="utf-8")
        src.write_text(re.sub(r"^title: .*$", lambda m: "title: " + json.dumps(HOSTILE_TITLE), text, count=1, flags=re.M), encoding="utf-8")
    # Only the sanitizer and the escaping are tested: no policy to stop a handler (as in a preview).
    config = root / "mkdocs.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("      site:\n", "      site:\n        content_security_policy: false\n", 1), encoding="utf-8")
    result = build_site(root, strict=True, today="2026-11-23")
    assert result.returncode == 0, result.stderr
    with serve(root / "site") as served, browsing(browser, served) as session:
        session.goto("overdue/")
        link = session.page.locator("article td a[title]").first
        link.hover()
        session.page.wait_for_selector(".md-tooltip2")
        session.page.wait_for_timeout(300)
        assert session.page.evaluate("() => document.querySelector('#pwned') === null"), session.page.evaluate("() => document.querySelector('.md-tooltip2').innerHTML")
        assert session.page.title() != "1"


@pytest.mark.slow
def test_the_guard_catches_a_bare_zensical_build_with_an_export_in_docs_dir(tmp_path: Path) -> None:
    """A copy of the site's postmortems.json kept in docs_dir (the plugin's build replaces it
    without a word) is copied by a bare `zensical build`, which passed the guide's guard."""
    from .test_engines import GUARD, run

    root = shipped_repo(tmp_path / "repo")
    (root / "postmortems" / "postmortems.json").write_text('{"version": 1, "as_of": "2026-11-01", "postmortems": []}\n', encoding="utf-8")
    raw = run([sys.executable, "-m", "zensical", "build", "--strict"], root)  # no -f: mkdocs.yml
    assert raw.returncode == 0, raw.stderr
    assert (root / "site" / "postmortems.json").is_file() and not (root / "site" / "overdue").exists()
    caught = subprocess.run(["bash", "-c", GUARD], cwd=root, capture_output=True, text=True, timeout=30)
    assert caught.returncode == 1 and "built without followthrough's pages" in caught.stderr, GUARD
