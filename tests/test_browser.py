"""The built site in a real headless Chromium: pages, search, a ticket link, no console errors, no broken links.

The fixture postmortems (tests/data/repo) are built with the shipped mkdocs.yml and templates in a
temp folder, with a fixed "today" and a tracker state file that gives their Jira tickets addresses,
served by a threaded HTTP server on 127.0.0.1 (port 0: the OS picks it), and driven with Playwright through
Debian's /usr/bin/chromium (Playwright's own browser download is never used). Requests to
any other host are intercepted: a ticket link's navigation gets a stub page, anything else
fails the test, so no request leaves the machine. Screenshots of the overdue and completion
pages go to test-output/.

The wide fixture (tests/data/site/wide: long titles and names, a dozen items per postmortem) is
built the same way for two more checks at 1,280 px: no page scrolls sideways and no table or cell
is clipped (screenshots of the home, overdue, completion, response, People and roles and a postmortem page in the
test's tmp_path, their paths printed), and a postmortem page's days overdue are counted by
assets/followthrough.js from the date in the page, with the browser's clock fixed.

Without Chromium or Playwright the test is skipped, unless FOLLOWTHROUGH_REQUIRE_BROWSER=1
(set by .ci/run), which turns the skip into a failure.
"""

from __future__ import annotations

import html.parser
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

import pytest

from .conftest import ROOT, serving, shipped_repo
from .search_index import fragments as indexed_pages
from .site_builds import build_site
from .test_layout import wide_repo

OUTPUT = ROOT / "test-output"
TODAY = "2026-11-23"
HOME, OVERDUE, COMPLETION = "", "overdue/", "completion/"
TIMEOUT_MS = 20_000

pytestmark = [pytest.mark.browser, pytest.mark.slow]


# ---------------------------------------------------------------- the site and its server


@dataclass
class Served:
    root: Path
    url: str
    requests: list[tuple[str, int]] = field(default_factory=list)  # (path, status) of every request
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fetch(self, url: str) -> tuple[int, bytes]:
        """GET from the loopback server only; redirects (directory URLs) are followed."""
        assert url.startswith(self.url), url
        try:
            with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback URL checked above
                return response.status, response.read()
        except urllib.error.HTTPError as exc:
            return exc.code, b""


class _Handler(SimpleHTTPRequestHandler):
    served: Served

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        with self.served.lock:
            self.served.requests.append((self.path, int(code) if str(code).isdigit() else 0))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep pytest's output clean
        pass


JIRA = "https://jira.example.com/browse/"


def write_tracker_state(config: Path, state_file: Path) -> int:
    """A state file as `followthrough sync` leaves it: every Jira-keyed item mirrored, with its URL.

    Without it a Jira key has no address (only the tracker knows its server), so the overdue
    page would link no ticket. Statuses stay what the front-matter says."""
    from followthrough.config.load import load_config
    from followthrough.files.repo import load_repo
    from followthrough.core.model import TicketState, state_key
    from followthrough.files.state import write_state

    repo = load_repo(load_config(config), today=date.fromisoformat(TODAY))
    states = {}
    for pm in repo.valid_postmortems():
        for item in pm.action_items:
            if item.ticket and re.fullmatch(r"[A-Z][A-Z0-9_]+-\d+", item.ticket):
                done_on = item.due if item.status == "done" else None
                states[state_key(pm.id, item.id)] = TicketState(
                    ticket=item.ticket, url=JIRA + item.ticket, status=item.status, done_on=done_on, checked=date.fromisoformat(TODAY)
                )
    write_state(state_file, states)
    return len(states)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture postmortems built with the shipped mkdocs.yml and templates, beside a tracker state file."""
    work = shipped_repo(tmp_path_factory.mktemp("browser-site") / "repo")
    config = work / "mkdocs.yml"
    # The plugin reads state_file relative to the folder of mkdocs.yml: here, the temp folder.
    mirrored = write_tracker_state(config, work / ".followthrough" / "state.json")
    assert mirrored > 0, "no fixture action item has a Jira ticket"
    out = work / "site"
    result = build_site(work, config_file=config, site_dir=out, strict=True, today=TODAY)
    assert result.returncode == 0, f"mkdocs build failed ({result.returncode}):\n{result.stderr}"
    return out


@contextmanager
def serve(site: Path) -> Iterator[Served]:
    state = Served(site, "")
    handler = type("Handler", (_Handler,), {"served": state})
    with serving(site, handler) as url:
        state.url = url
        yield state


@pytest.fixture(scope="module")
def served(site: Path) -> Iterator[Served]:
    with serve(site) as state:
        yield state


@pytest.fixture(scope="module")
def wide_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wide fixture (long titles and names, a dozen items per postmortem, URL tickets) built
    with the shipped mkdocs.yml and templates, its Jira-keyed items mirrored."""
    work = wide_repo(tmp_path_factory.mktemp("browser-wide") / "repo")
    config = work / "mkdocs.yml"
    assert write_tracker_state(config, work / ".followthrough" / "state.json") > 0
    result = build_site(work, config_file=config, site_dir=work / "site", strict=True, today=TODAY)
    assert result.returncode == 0, f"mkdocs build failed ({result.returncode}):\n{result.stderr}"
    return work / "site"


@pytest.fixture(scope="module")
def wide_served(wide_site: Path) -> Iterator[Served]:
    with serve(wide_site) as state:
        yield state


# ---------------------------------------------------------------- the browser


@dataclass
class Session:
    """One browser page plus what it saw: console errors, page errors, requests to other hosts."""

    page: Any
    served: Served
    errors: list[str] = field(default_factory=list)
    external: list[str] = field(default_factory=list)  # requests to other hosts that were not a followed link
    stubbed: list[str] = field(default_factory=list)  # navigations to other hosts answered with a stub page
    allow_navigation_to: set[str] = field(default_factory=set)

    def goto(self, path: str) -> None:
        response = self.page.goto(self.served.url + path, wait_until="load")
        assert response is not None and response.status == 200, f"{path}: HTTP {response and response.status}"
        self.assert_clean(path)

    def assert_clean(self, where: str) -> None:
        if self.errors:
            pytest.fail(f"{where}: console or page errors:\n" + "\n".join(self.errors))
        if self.external:
            pytest.fail(f"{where}: requests to other hosts (blocked; a published site must not need them):\n" + "\n".join(self.external))


@contextmanager
def browsing(browser: Any, served: Served, **options: Any) -> Iterator[Session]:
    """A fresh browser context at 1,280 px on `served`: requests to other hosts are blocked (or
    stubbed, for a navigation the test allows), console and page errors recorded."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light", service_workers="block", **options)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    s = Session(page, served)
    loopback = urlsplit(served.url).netloc

    def route(route: Any) -> None:
        request = route.request
        if urlsplit(request.url).netloc == loopback:
            route.continue_()
        elif request.is_navigation_request() and request.url in s.allow_navigation_to:
            s.stubbed.append(request.url)
            route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>Ticket (stub)</title><h1>Ticket stub</h1>")
        else:
            s.external.append(f"{request.resource_type} {request.url}")
            route.abort()

    context.route("**/*", route)
    page.on("console", lambda msg: s.errors.append(f"console.{msg.type}: {msg.text} ({msg.location.get('url', '')})") if msg.type == "error" else None)
    page.on("pageerror", lambda exc: s.errors.append(f"page error: {exc}"))
    try:
        yield s
    finally:
        context.close()


@pytest.fixture
def session(browser: Any, served: Served) -> Iterator[Session]:
    with browsing(browser, served) as s:
        yield s


# ---------------------------------------------------------------- links


class _Links(html.parser.HTMLParser):
    """Every URL a page refers to (a, link, script, img, source) and every id it defines."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"] or "")
        for key in ("href", "src"):
            if a.get(key) and tag in ("a", "link", "script", "img", "source", "iframe"):
                self.urls.append(a[key] or "")


def _parse(html_text: str) -> _Links:
    parser = _Links()
    parser.feed(html_text)
    return parser


def _without_query(url: str) -> str:
    return urlsplit(url)._replace(query="", fragment="").geturl()


def check_internal_links(served: Served, pages: list[str]) -> int:
    """Every same-site URL of these pages answers 200, and every #fragment exists on its target."""
    problems: list[str] = []
    targets: dict[str, set[str]] = {}
    for path in pages:
        status, body = served.fetch(served.url + path)
        assert status == 200, f"{path}: HTTP {status}"
        base = served.url + path
        for raw in _parse(body.decode("utf-8")).urls:
            absolute = urljoin(base, raw)
            if urlsplit(absolute).scheme not in ("http", "https") or not absolute.startswith(served.url):
                continue  # other hosts (tickets, the theme's credits) and mailto:/javascript: are not ours
            url, fragment = urldefrag(absolute)
            targets.setdefault(url, set())
            if fragment:
                targets[url].add(fragment)
    for url, fragments in sorted(targets.items()):
        status, body = served.fetch(url)
        if status != 200:
            problems.append(f"{url}: HTTP {status}")
            continue
        if fragments and (url.endswith("/") or url.endswith(".html")):
            ids = _parse(body.decode("utf-8")).ids
            problems.extend(f"{url}#{f}: no element with this id" for f in sorted(fragments) if unquote(f) not in ids)
    assert not problems, "broken internal links:\n" + "\n".join(problems)
    return len(targets)


# ---------------------------------------------------------------- search


def unique_body_word(site: Path) -> tuple[str, str]:
    """(word, page URL): a word of one postmortem's body that no other page of the search index contains.

    Read from the built search index (Pagefind's fragments), so the word is one search can find
    and no other page can match (Pagefind stems words and matches prefixes, so no other page may
    have a word sharing its first six letters)."""
    words_of: dict[str, set[str]] = {}
    for doc in indexed_pages(site):
        page = doc["url"].lstrip("/")
        words_of[page] = set(re.findall(r"[a-z]{8,}", doc.get("content", "").lower()))
    postmortem_pages = sorted(p for p in words_of if re.match(r"^\d{4}/\d{4}-\d{2}-\d{2}-", p))
    assert postmortem_pages, "no postmortem pages in the search index"
    for page in postmortem_pages:
        for word in sorted(words_of[page]):
            owners = {p for p, ws in words_of.items() if any(w[:6] == word[:6] for w in ws)}
            if owners == {page}:
                return word, page
    raise AssertionError("no postmortem has a word of its own in the search index")


# ---------------------------------------------------------------- the test


def test_the_site_has_what_the_browser_test_looks_for(site: Path, served: Served) -> None:
    """Runs without a browser too, so the fixture is known to fit: overdue items with ticket links,
    a chart, a word only one postmortem has, and internal links that resolve."""
    overdue = (site / "overdue" / "index.html").read_text(encoding="utf-8")
    assert re.search(r'<a href="' + re.escape(JIRA) + r'[A-Z][A-Z0-9_]+-\d+"', overdue), "no ticket link on the overdue page"
    assert "<svg" in (site / "completion" / "index.html").read_text(encoding="utf-8")
    _word, page = unique_body_word(site)
    assert check_internal_links(served, [HOME, OVERDUE, COMPLETION, page]) > 4
    assert not [(p, code) for p, code in served.requests if code >= 400]


def test_site_in_a_real_browser(session: Session, served: Served, site: Path) -> None:
    page = session.page
    OUTPUT.mkdir(exist_ok=True)

    # Home renders; the navigation leads to the overdue page; overdue and completion are kept as screenshots.
    session.goto(HOME)
    assert page.locator("h1").first.inner_text().strip(), "home page has no heading"
    page.locator(f"nav.md-nav--primary a[href$='{OVERDUE}']").first.click()
    page.wait_for_url(served.url + OVERDUE)
    session.assert_clean("after following the navigation to the overdue page")
    overdue_rows = page.locator("article table tbody tr")
    assert overdue_rows.count() > 0, "the overdue page lists no items, but the fixture has overdue items"
    page.screenshot(path=str(OUTPUT / "overdue.png"), full_page=True)
    session.goto(COMPLETION)
    assert page.locator("article svg").count() > 0, "the completion page has no chart"
    page.screenshot(path=str(OUTPUT / "completion.png"), full_page=True)

    # Search (the theme's box over Pagefind's index) finds a postmortem by a word of its body.
    word, pm_page = unique_body_word(site)
    session.goto(HOME)
    box = page.locator("input.md-search__input")  # in the header itself at desktop widths
    box.click()
    box.press_sequentially(word, delay=20)
    first = page.locator("li.md-search-result__item a.md-search-result__link").first
    first.wait_for(state="visible")
    hrefs = page.locator("li.md-search-result__item a.md-search-result__link").evaluate_all("els => els.map(e => e.href)")
    assert hrefs == [served.url + pm_page], (word, pm_page, hrefs)
    first.click()
    page.wait_for_url(re.compile("^" + re.escape(served.url + pm_page)))
    session.assert_clean(f"search result {pm_page}")
    assert page.locator("article h1").first.inner_text().strip()

    # The palette toggle switches light to dark on a generated page.
    session.goto(COMPLETION)
    scheme = lambda: page.locator("body").get_attribute("data-md-color-scheme")  # noqa: E731
    before = scheme()
    page.locator("form[data-md-component='palette'] label.md-header__button:visible").click()
    page.wait_for_function("s => document.body.getAttribute('data-md-color-scheme') !== s", arg=before)
    assert (before, scheme()) == ("default", "slate")
    session.assert_clean("after switching the palette")

    # A ticket link on the overdue page leads to the tracker: the navigation is intercepted with a stub page.
    session.goto(OVERDUE)
    tickets = page.locator("article table a[href^='http']").evaluate_all(
        "els => els.map(e => [e.href, e.target || ''])"
    )
    external = [(h, t) for h, t in tickets if not h.startswith(served.url)]
    assert external, "the overdue page links no ticket, but overdue fixture items have tickets"
    href, target = external[0]
    session.allow_navigation_to.add(href)
    link = page.locator(f"article table a[href='{href}']").first
    if target == "_blank":
        with page.context.expect_page() as opened:
            link.click()
        ticket_page = opened.value
        ticket_page.wait_for_load_state()
        assert ticket_page.url == href
    else:
        link.click()
        page.wait_for_url(href)
        assert page.locator("h1").inner_text() == "Ticket stub"
    assert session.stubbed == [href]
    session.assert_clean("after following a ticket link")

    # The learning pages render and are reached from the navigation.
    for path, heading in (("recurrences/", "Recurrences"), ("factors/", "Contributing factors"), ("process/factors/", "Factor vocabulary")):
        session.goto(HOME)
        page.locator(f"nav.md-nav--primary a[href$='{path}']").first.click()
        page.wait_for_url(served.url + path)
        assert page.locator("article h1").first.inner_text().strip().startswith(heading), path
        session.assert_clean(f"the {heading} page")

    # Every internal link of the visited pages resolves, fragments included; the server saw no failure.
    visited = [HOME, OVERDUE, COMPLETION, pm_page, "recurrences/", "factors/", "process/factors/"]
    checked = check_internal_links(served, visited)
    assert checked > len(visited)
    failed = [(p, code) for p, code in served.requests if code >= 400]
    assert not failed, f"the site server answered errors: {failed}"


# ---------------------------------------------------------------- tables that fit

# What clips, measured in the page: the document scrolling sideways, a table or a scrolling box
# around it (mkdocs-material wraps each table in one) wider than it shows, a table reaching past
# the article, a cell whose content is wider than the cell.
OVERFLOW = """() => {
  const doc = document.scrollingElement;
  const found = [];
  if (doc.scrollWidth > doc.clientWidth) found.push(`page: scrollWidth ${doc.scrollWidth} > clientWidth ${doc.clientWidth}`);
  const article = document.querySelector('article');
  const right = article.getBoundingClientRect().right;
  article.querySelectorAll('table').forEach((table, i) => {
    const name = `table ${i + 1} (${[...table.querySelectorAll('th')].map(th => th.textContent.trim()).join(' | ')})`;
    if (table.scrollWidth > table.clientWidth) found.push(`${name}: scrollWidth ${table.scrollWidth} > clientWidth ${table.clientWidth}`);
    for (let box = table.parentElement; box && box !== article; box = box.parentElement) {
      if (getComputedStyle(box).overflowX !== 'visible' && box.scrollWidth > box.clientWidth)
        found.push(`${name}: its ${box.className || box.tagName} scrolls (${box.scrollWidth} > ${box.clientWidth})`);
    }
    if (table.getBoundingClientRect().right > right + 1) found.push(`${name}: reaches past the article (${table.getBoundingClientRect().right} > ${right})`);
    table.querySelectorAll('th, td').forEach(cell => {
      if (cell.scrollWidth > cell.clientWidth) found.push(`${name}: cell "${cell.textContent.trim().slice(0, 40)}" clipped`);
    });
  });
  return {found, tables: article.querySelectorAll('table').length};
}"""


def wide_postmortem(site: Path) -> str:
    """The URL of the wide fixture's postmortem with the longest title (and a re-dates table)."""
    pages = sorted(p.parent.relative_to(site).as_posix() + "/" for p in site.glob("2025/*/index.html"))
    assert pages, "the wide fixture has no 2025 postmortem"
    return next(p for p in pages if "payments-gateway" in p)


def test_tables_fit_a_1280_px_window(browser: Any, wide_served: Served, wide_site: Path, tmp_path: Path) -> None:
    """Home, overdue, completion, response, People and roles and a postmortem page of the wide fixture at 1,280 px:
    nothing scrolls sideways and no cell is clipped. The screenshots are kept in tmp_path."""
    pm_page = wide_postmortem(wide_site)
    shots, problems = [], []
    with browsing(browser, wide_served) as session:
        for name, path in (("home", HOME), ("overdue", OVERDUE), ("completion", COMPLETION), ("response", "response/"), ("recurrences", "recurrences/"), ("factors", "factors/"), ("people", "learning/people/"), ("postmortem", pm_page)):
            session.goto(path)
            measured = session.page.evaluate(OVERFLOW)
            assert measured["tables"] > 0, f"{path}: no table"
            problems += [f"{path}: {p}" for p in measured["found"]]
            shot = tmp_path / f"{name}-1280.png"
            session.page.screenshot(path=str(shot), full_page=True)
            shots.append(shot)
    print("screenshots at 1,280 px:\n" + "\n".join(str(s) for s in shots))
    assert not problems, "clipped at 1,280 px:\n" + "\n".join(problems)


def test_a_postmortem_page_counts_days_overdue_in_the_browser(browser: Any, wide_served: Served, wide_site: Path) -> None:
    """The page holds the due date only; assets/followthrough.js adds 'N days overdue' from the
    reader's date, under the site's Content-Security-Policy. Without JavaScript the date is there."""
    pm_page = wide_postmortem(wide_site)
    # An incident still in review: its review's due date is counted the same way.
    in_review = next(p.parent.relative_to(wide_site).as_posix() + "/" for p in wide_site.glob("2026/2026-07-30-*/index.html"))
    with browsing(browser, wide_served) as session:
        session.page.clock.set_fixed_time(f"{TODAY}T12:00:00Z")
        for path in (pm_page, in_review):
            session.goto(path)
            dues = session.page.locator("article time.ft-due").evaluate_all("els => els.map(e => [e.dateTime, e.parentElement.textContent])")
            assert dues, f"{path}: no open item with a due date on the page"
            for due, cell in dues:
                late = (date.fromisoformat(TODAY) - date.fromisoformat(due)).days
                if late > 0:
                    assert f"{late} day{'s' if late != 1 else ''} overdue" in cell, (path, due, cell)
                else:
                    assert "overdue" not in cell, (path, due, cell)
            assert any((date.fromisoformat(TODAY) - date.fromisoformat(d)).days > 0 for d, _ in dues)
        review = session.page.locator("article tr", has_text="Reviewed").first.inner_text()
        assert "due by 2026-08-01" in review and "overdue" in review, review
    with browsing(browser, wide_served, java_script_enabled=False) as session:
        session.goto(pm_page)
        cells = session.page.locator("article time.ft-due").evaluate_all("els => els.map(e => e.parentElement.textContent)")
        assert cells and not [c for c in cells if "overdue" in c]


def test_a_postmortems_slack_record_opens_from_its_timeline(browser: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, build_env: None) -> None:
    """The record `timeline slack --evidence` keeps: linked from the Timeline, opened in the
    browser, its chat text (an <img onerror> among it) shown and never run."""
    from .test_timeline_slack import evidence_site

    root = tmp_path / "repo"
    evidence_site(root, monkeypatch)
    dialogs: list[str] = []
    with serving(root / "site", SimpleHTTPRequestHandler) as url:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url + "2026/2026-05-20-checkout-outage/")
        page.get_by_role("link", name="the Slack record of #inc-2026-05-20-checkout-outage").click()
        page.wait_for_url("**/2026-05-20-checkout-outage.slack/")
        assert page.get_by_role("heading", name="Slack record of #inc-2026-05-20-checkout-outage").is_visible()
        assert page.get_by_text("<img src=x onerror=alert(1)> & ask in #support").count() == 1
        page.close()
    assert dialogs == []
