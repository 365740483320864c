"""The site's search: Pagefind's index of the built site (real `mkdocs build`, real Pagefind binary)
and the header's search box in a real headless Chromium.

The fixture (tests/data/site/search) has five postmortems over three years; the word
"brambleworth" is in exactly three bodies; its people directory holds e-mail addresses, GitHub
logins, Jira account ids and Slack ids, none of which may reach the index.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml

from .conftest import DATA, ROOT, assert_no_traceback, run_cli, serving
from .search_index import fragments, index_bytes, pages_with
from .site_builds import build_site, built_fixture, pages_out

FIXTURE = DATA / "site" / "search"
TODAY = "2025-02-01"
WORD = "brambleworth"  # in the bodies of exactly three postmortems
THREE = {"/2023/2023-11-03-login-errors/", "/2024/2024-03-05-checkout-outage/", "/2024/2024-08-14-cart-timeouts/"}
POSTMORTEMS = THREE | {"/2024/2024-05-20-game-day-db-failover/", "/2025/2025-01-09-search-slow/"}
TIMEOUT_MS = 20_000

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return built_fixture(tmp_path_factory, FIXTURE, TODAY)


@pytest.fixture(scope="module")
def site(root: Path) -> Path:
    return root / "site"


# ---------------------------------------------------------------- the index


def test_the_index_holds_the_postmortems_and_the_pages_worth_finding(site: Path) -> None:
    urls = {f["url"] for f in fragments(site)}
    # Home, the ordinary page, the process pages, the tags page and every postmortem (drafts too).
    assert urls == POSTMORTEMS | {"/", "/about/", "/process/severities/", "/process/roles/", "/process/factors/", "/tags/"}
    # The listing pages repeat the postmortems' titles: a search would hit them instead.
    for listing in ("/all/", "/overdue/", "/redated/", "/completion/", "/response/", "/recurrences/", "/factors/", "/by-year/2024/", "/by-team/"):
        assert listing not in urls


def test_navigation_header_and_footer_are_not_indexed(site: Path) -> None:
    checkout = next(f for f in fragments(site) if f["url"] == "/2024/2024-03-05-checkout-outage/")
    assert "connection pool" in checkout["content"]
    assert "Payments Team" in checkout["content"]  # the header card is the page's content
    for chrome in ("Search fixture", "Overdue action items", "Re-dated items", "Made with", "Type to start searching"):
        assert chrome not in checkout["content"], chrome
    assert "any severity" not in checkout["content"]  # the search box's own filters


def test_each_postmortem_is_filed_under_its_facets(site: Path) -> None:
    by_url = {f["url"]: f for f in fragments(site)}
    checkout = by_url["/2024/2024-03-05-checkout-outage/"]
    assert checkout["filters"] == {
        "severity": ["SEV-1"], "year": ["2024"], "service": ["checkout-api"], "team": ["Payments Team"],
        "kind": ["incident"], "status": ["published"],
    }
    assert checkout["meta"]["title"] == "Checkout down, connection pool exhausted"
    assert (checkout["meta"]["date"], checkout["meta"]["severity"], checkout["meta"]["rank"]) == ("2024-03-05", "SEV-1", "1")
    cart = by_url["/2024/2024-08-14-cart-timeouts/"]
    assert sorted(cart["filters"]["service"]) == ["cart", "checkout-api"]
    assert sorted(cart["filters"]["team"]) == ["Payments Team", "Storefront Team"]
    assert by_url["/2024/2024-05-20-game-day-db-failover/"]["filters"]["kind"] == ["game day"]
    assert by_url["/2025/2025-01-09-search-slow/"]["filters"]["status"] == ["draft"]
    assert "filters" not in by_url["/about/"] or not by_url["/about/"]["filters"]


def test_a_word_of_three_bodies_is_in_three_pages_of_the_index(site: Path) -> None:
    assert pages_with(site, WORD) == THREE


def test_the_index_holds_nothing_of_the_people_directory_but_names(site: Path) -> None:
    directory = yaml.safe_load((FIXTURE / "docs" / "people.yml").read_text(encoding="utf-8"))
    secret: list[str] = []
    for person in directory["people"].values():
        secret += [str(person[k]) for k in ("email", "github", "jira", "slack") if k in person]
    for team in directory["teams"].values():
        secret += [str(team[k]) for k in ("slack_channel",) if k in team]
    assert len(secret) > 12
    held = index_bytes(site).decode("utf-8", "replace").lower()
    leaked = [s for s in secret if s.lower() in held]
    assert not leaked, f"the search index holds {leaked}"
    assert "@" not in "".join(f["content"] for f in fragments(site)), "an e-mail-like string is in the index"
    # Display names are what the pages show, so they are found.
    assert "ana commander" in held


def test_the_policy_lets_the_search_compile_its_webassembly(site: Path) -> None:
    page = (site / "index.html").read_text(encoding="utf-8")
    assert "script-src 'self' 'wasm-unsafe-eval'" in page
    assert "'unsafe-eval'" not in page.replace("'wasm-unsafe-eval'", "")


# ---------------------------------------------------------------- failures and the command


def _copy(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    return root


def test_a_theme_that_marks_no_content_fails_the_build_and_keeps_the_old_site(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    (root / "site").mkdir()
    (root / "site" / "keep.txt").write_text("the last good site\n")
    overrides = root / "overrides"
    overrides.mkdir()
    (overrides / "main.html").write_text('{% extends "base.html" %}\n')  # a team's own main.html, without the mark
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  font: false\n", "  font: false\n  custom_dir: overrides\n"))
    result = build_site(root, strict=True, today=TODAY)
    assert result.returncode == 1, result.stderr
    assert "no page marks its content for search (data-pagefind-body)" in result.stderr
    assert "Traceback" not in result.stderr
    assert (root / "site" / "keep.txt").is_file() and not (root / "site" / "index.html").exists()


def test_material_search_plugin_listed_is_a_warning(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("plugins:\n", "plugins:\n  - search\n"))
    result = build_site(root, strict=True, today=TODAY)
    assert result.returncode == 1
    assert "builds an index the site does not use" in result.stderr and "remove `search` from plugins" in result.stderr


def test_search_index_command_indexes_a_built_site_and_writes_the_theme(site: Path, tmp_path: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    shutil.rmtree(copy / "pagefind")
    result = run_cli("search-index", str(copy), cwd=tmp_path)
    assert_no_traceback(result)
    assert result.code == 0, result.err
    assert "Indexed 11 pages" in result.out  # the postmortems, home, about, tags and the three process pages
    assert pages_with(copy, WORD) == THREE

    theme = tmp_path / "theme"
    assert run_cli("search-index", "--theme-out", str(theme), cwd=tmp_path).code == 0
    assert (theme / "main.html").is_file() and (theme / "partials" / "search.html").is_file()
    assert run_cli("search-index", "--theme-out", str(theme), cwd=tmp_path).code == 0  # its own folder: replaced
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("x")
    refused = run_cli("search-index", "--theme-out", str(mine), cwd=tmp_path)
    assert refused.code == 2 and "not a folder --theme-out wrote" in refused.err and (mine / "notes.txt").is_file()


def test_search_index_command_refuses_what_it_cannot_index(tmp_path: Path) -> None:
    missing = run_cli("search-index", str(tmp_path / "nowhere"), cwd=tmp_path)
    assert missing.code == 2 and "no such folder" in missing.err
    plain = tmp_path / "plain"
    plain.mkdir()
    (plain / "index.html").write_text("<html><body><nav>menu</nav><main>text</main></body></html>")
    unmarked = run_cli("search-index", str(plain), cwd=tmp_path)
    assert_no_traceback(unmarked)
    assert unmarked.code == 1 and "no page marks its content for search" in unmarked.err
    assert not (plain / "pagefind").exists()


def test_a_failing_indexer_is_a_message_and_exit_1(site: Path, tmp_path: Path) -> None:
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    shutil.rmtree(copy / "pagefind")
    (copy / "pagefind").write_text("a file where Pagefind writes its folder\n")
    result = run_cli("search-index", str(copy), cwd=tmp_path)
    assert_no_traceback(result)
    assert result.code == 1
    # Pagefind's own reason: which call meets the file first differs between runs.
    assert "Pagefind failed (exit" in result.err and ("File exists" in result.err or "Not a directory" in result.err), result.err
    assert "stack backtrace" not in result.err


def test_a_preview_is_not_indexed(tmp_path: Path) -> None:
    root = _copy(tmp_path)
    result = build_site(root, today=TODAY, command="serve")
    assert result.returncode == 0, result.stderr
    assert not (root / "site" / "pagefind").exists()
    assert "data-ft-search" in (root / "site" / "index.html").read_text(encoding="utf-8")  # the box says there is no index


# ---------------------------------------------------------------- the Zensical build


def _zensical_yml() -> str:
    guide = (ROOT / "guide" / "site.md").read_text(encoding="utf-8")
    found = re.search(r"```yaml\n(INHERIT: mkdocs\.yml\n.*?)```", guide, re.S)
    assert found, "guide/site.md gives no zensical.yml"
    return found.group(1)


@pytest.fixture(scope="module")
def zensical_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture built as guide/site.md tells a Zensical user: pages, theme files, zensical, index."""
    root = tmp_path_factory.mktemp("zensical") / "repo"
    shutil.copytree(FIXTURE, root)
    assert pages_out(root, "build/pages", TODAY).code == 0
    theme = run_cli("search-index", "--theme-out", "build/theme", cwd=root)
    assert theme.code == 0, theme.err
    (root / "zensical.yml").write_text(_zensical_yml(), encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    built = subprocess.run([sys.executable, "-m", "zensical", "build", "--strict", "-f", "zensical.yml"], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    indexed = run_cli("search-index", "site", cwd=root)
    assert indexed.code == 0, indexed.err
    return root / "site"


def test_the_zensical_build_has_the_same_index(site: Path, zensical_site: Path) -> None:
    ours = sorted((f["url"], json.dumps(f["filters"], sort_keys=True), json.dumps(f["meta"], sort_keys=True)) for f in fragments(site))
    theirs = sorted((f["url"], json.dumps(f["filters"], sort_keys=True), json.dumps(f["meta"], sort_keys=True)) for f in fragments(zensical_site))
    assert theirs == ours
    assert pages_with(zensical_site, WORD) == THREE


# ---------------------------------------------------------------- in the browser


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


ENGINES = ("mkdocs", "zensical")


@pytest.fixture(scope="module", params=ENGINES)
def served(request: pytest.FixtureRequest) -> Iterator[str]:
    """Each engine's site served under the path of site_url, as a host would: the search must not
    assume the root."""
    built: Path = request.getfixturevalue("site" if request.param == "mkdocs" else "zensical_site")
    holder = built.parent / "served"
    holder.mkdir(exist_ok=True)
    if not (holder / "postmortems").exists():
        (holder / "postmortems").symlink_to(built, target_is_directory=True)
    with serving(holder, _Quiet) as url:
        yield url + "postmortems/"


def _engine(page: Any) -> str:
    return "zensical" if page.locator(".ft-search--dialog").count() else "mkdocs"


@pytest.fixture
def page(browser: Any, served: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light", service_workers="block")
    context.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    loopback = urlsplit(served).netloc

    def route(route: Any) -> None:
        if urlsplit(route.request.url).netloc == loopback:
            route.continue_()
        else:
            problems.append(f"request to another host: {route.request.url}")
            route.abort()

    context.route("**/*", route)
    p = context.new_page()
    p.on("console", lambda msg: problems.append(f"console.{msg.type}: {msg.text}") if msg.type == "error" else None)
    p.on("pageerror", lambda exc: problems.append(f"page error: {exc}"))
    p.problems = problems
    try:
        yield p
    finally:
        context.close()


def _results(page: Any) -> list[str]:
    return page.locator("[data-ft-search-results] a.md-search-result__link").evaluate_all("els => els.map(e => new URL(e.href).pathname)")


def _wait_for_count(page: Any, text: str) -> None:
    page.wait_for_function("t => document.querySelector('[data-ft-search-meta]').textContent.trim() === t", arg=text)


@pytest.mark.browser
def test_search_filters_and_follows_a_result_in_the_browser(page: Any, served: str) -> None:
    page.goto(served, wait_until="load")
    # The keyboard shortcut opens the theme's box; typing searches the index.
    page.keyboard.press("/")
    box = page.locator("[data-ft-search-query]")
    assert box.evaluate("el => el === document.activeElement")
    box.press_sequentially(WORD, delay=20)
    _wait_for_count(page, "3 matching pages")
    assert set(_results(page)) == {"/postmortems" + u for u in THREE}
    # Each result: title, date, severity badge, excerpt with the match.
    first = page.locator("[data-ft-search-results] li.md-search-result__item").first
    assert first.locator(".ft-badge").inner_text().startswith("SEV-")
    assert first.locator("time").get_attribute("datetime")
    assert WORD in first.locator("mark").first.inner_text().lower()

    # A filter narrows the same query; the sort orders by date.
    page.select_option("select[name=year]", "2024")
    _wait_for_count(page, "2 matching pages")
    page.select_option("select[name=sort]", "asc")
    page.wait_for_function("() => document.querySelectorAll('[data-ft-search-results] time').length === 2")
    assert page.locator("[data-ft-search-results] time").evaluate_all("els => els.map(e => e.dateTime)") == ["2024-03-05", "2024-08-14"]

    # "SEV-1 on checkout-api mentioning connection pool" is one query.
    page.select_option("select[name=year]", "")
    page.select_option("select[name=severity]", "SEV-1")
    page.select_option("select[name=service]", "checkout-api")
    box.fill("connection pool")
    _wait_for_count(page, "1 matching page")
    assert _results(page) == ["/postmortems/2024/2024-03-05-checkout-outage/"]

    # Following the result opens the postmortem; the page kept its policy and logged no error.
    page.locator("[data-ft-search-results] a.md-search-result__link").first.click()
    page.wait_for_url(served + "2024/2024-03-05-checkout-outage/")
    assert "Checkout down" in page.locator("article h1").first.inner_text()
    if _engine(page) == "mkdocs":  # the plugin's policy; Zensical's build has none (guide/site.md)
        assert page.locator("meta[http-equiv='Content-Security-Policy']").count() == 1
    assert not page.problems, page.problems


@pytest.mark.browser
def test_the_search_box_keeps_the_theme_in_dark_mode_and_closes_on_escape(page: Any, served: str) -> None:
    page.goto(served + "about/", wait_until="load")
    page.locator("form[data-md-component='palette'] label.md-header__button:visible").click()
    page.wait_for_function("() => document.body.getAttribute('data-md-color-scheme') === 'slate'")
    page.keyboard.press("s")
    page.locator("[data-ft-search-query]").press_sequentially(WORD, delay=10)
    _wait_for_count(page, "3 matching pages")
    results = ".ft-search__panel" if _engine(page) == "zensical" else ".md-search__output"
    background = page.locator(results).evaluate("el => getComputedStyle(el).backgroundColor")
    channels = [int(c) for c in background[background.index("(") + 1 : background.index(")")].split(",")[:3]]
    assert sum(channels) < 3 * 100, f"the results are not dark in the dark palette: {background}"
    page.keyboard.press("Escape")
    if _engine(page) == "zensical":
        assert not page.locator(".ft-search__panel").is_visible()
    else:
        assert page.evaluate("() => document.getElementById('__search').checked") is False
    assert not page.problems, page.problems


# ---------------------------------------------------------------- in-page filters of long tables


def _many(tmp_path: Path, n: int = 24) -> Path:
    """The search fixture with n more postmortems, over three severities, teams and services."""
    root = _copy(tmp_path)
    template = (root / "docs" / "2024" / "2024-08-14-cart-timeouts.md").read_text(encoding="utf-8")
    for i in range(n):
        severity, team, service = ("SEV-1", "SEV-2", "SEV-3")[i % 3], ("payments", "storefront", "platform")[i % 3], ("cart", "auth", "ledger", "search")[i % 4]
        text = (
            template.replace("Cart timeouts during the summer sale", f"Cart timeouts, wave {i}")
            .replace("severity: SEV-2", f"severity: {severity}")
            .replace("services: [checkout-api, cart]", f"services: [{service}]")
            .replace("teams: [payments, storefront]", f"teams: [{team}]")
            .replace("id: cart-cache", f"id: cart-cache-{i}")
            .replace("2024-08-14T", f"2024-09-{i + 1:02d}T")
            .replace("reviewed: 2024-08-15", f"reviewed: 2024-09-{i + 2:02d}")
            .replace("due: 2024-09-01", "due: 2024-10-15")
        )
        (root / "docs" / "2024" / f"2024-09-{i + 1:02d}-cart-wave-{i}.md").write_text(text, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def long_tables(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = _many(tmp_path_factory.mktemp("long"))
    result = build_site(root, strict=True, today=TODAY)
    assert result.returncode == 0, result.stderr
    with serving(root / "site", _Quiet) as url:
        yield url


def test_long_tables_carry_their_facets(tmp_path: Path) -> None:
    root = _many(tmp_path, n=3)
    assert build_site(root, strict=True, today=TODAY).returncode == 0
    page = (root / "site" / "all" / "index.html").read_text(encoding="utf-8")
    assert 'data-ft-severity="SEV-1" data-ft-team="Payments Team" data-ft-service="cart"' in page
    assert 'data-ft-team="Payments Team&#9;Storefront Team" data-ft-service="checkout-api&#9;cart"' in page  # several: tab-separated
    overdue = (root / "site" / "overdue" / "index.html").read_text(encoding="utf-8")
    assert 'data-ft-owner="Max Expert"' in overdue


@pytest.mark.browser
def test_a_long_table_filters_its_rows_in_the_page(browser: Any, long_tables: str) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(long_tables + "all/", wait_until="load")
        table = page.locator("article table").first
        rows = table.locator("tbody tr")
        total = rows.count()
        assert total > 20
        bar = page.locator(".ft-table-filters").first
        assert bar.locator(".ft-table-filters__count").inner_text() == f"{total} rows"
        sev1 = rows.evaluate_all("rs => rs.filter(r => r.dataset.ftSeverity === 'SEV-1').length")
        bar.locator("select[name=severity]").select_option("SEV-1")
        assert rows.evaluate_all("rs => rs.filter(r => !r.hidden).length") == sev1
        assert bar.locator(".ft-table-filters__count").inner_text() == f"{sev1} of {total} rows"
        bar.locator("select[name=service]").select_option("cart")
        both = rows.evaluate_all("rs => rs.filter(r => r.dataset.ftSeverity === 'SEV-1' && r.dataset.ftService.split('\\t').includes('cart')).length")
        assert 0 < both < sev1 and rows.evaluate_all("rs => rs.filter(r => !r.hidden).length") == both
        assert not errors, errors
    finally:
        context.close()
    # Without JavaScript the whole table is there, and no filter.
    bare = browser.new_context(java_script_enabled=False)
    try:
        page = bare.new_page()
        page.goto(long_tables + "all/", wait_until="load")
        assert page.locator(".ft-table-filters").count() == 0
        assert page.locator("article table").first.locator("tbody tr:visible").count() == total
    finally:
        bare.close()
