"""Script from repo content never runs on the site: an XSS corpus built into a real site, opened in Chromium.

`tests/data/xss/vectors.md` holds the vectors (each tries to run `alert(N)`, to load something from
`/xss-beacon/`, or to break out of an attribute the theme prints raw). They go into a postmortem's
body and into an ordinary page, beside pages whose front-matter and first heading try the same.
A real `mkdocs build` of the fixture site (the followthrough plugin, mkdocs-material) is then read
two ways:

- statically: no event-handler attribute, no script URL, no script in any page's content;
- in headless Chromium, on load, on hover over every element with a title (the theme turns titles
  into tooltips) and every link, on keyboard focus, on every event an inline handler could listen
  to, and on click of every link; with the site's Content-Security-Policy and, a second time, with
  the policy taken out, so the sanitizer is shown to hold alone. Any dialog, any request to
  `/xss-beacon/` and any policy violation fails the test.

A last test injects script into a built page as if the sanitizer had missed it and shows the
policy alone refusing it, while the theme's own inline scripts still run.
"""

from __future__ import annotations

import html
import re
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from followthrough.core.pages.csp import DEFAULT_POLICY, add_policy

from .conftest import DATA, serving
from .site_builds import SITE_FIXTURE, SITE_TODAY, build_site

pytestmark = [pytest.mark.slow]

FIXTURE = SITE_FIXTURE
CORPUS = DATA / "xss"
TODAY = SITE_TODAY
POSTMORTEM = "2024/2024-06-01-search-slow"
PAGES = [f"{POSTMORTEM}/", "notes/", "front-matter/", "heading-title/", "tags/", "response/", "learning/people/", ""]  # response, people: titles in SVG, names in a table
BEACON = "/xss-beacon/"
SCRIPT_SCHEMES = re.compile(r"^(javascript|vbscript|data|livescript):", re.I)
CSP_META = re.compile(r'<meta http-equiv="Content-Security-Policy" content="[^"]*">')


# ---------------------------------------------------------------- the site


@pytest.fixture(scope="module")
def xss_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("xss") / "repo"
    shutil.copytree(FIXTURE, root)
    config = root / "mkdocs.yml"
    # The shipped site's features: tooltips show titles and truncated entries as HTML.
    config.write_text(config.read_text(encoding="utf-8").replace("  font: false\n", "  font: false\n  features: [content.tooltips, search.highlight, navigation.top]\n"), encoding="utf-8")
    vectors = (CORPUS / "vectors.md").read_text(encoding="utf-8")
    for page in (CORPUS / "docs").iterdir():
        shutil.copy(page, root / "docs" / page.name)
    (root / "docs" / "notes.md").write_text("# Notes\n\nAn ordinary page of the docs folder.\n\n" + vectors, encoding="utf-8")
    postmortem = root / "docs" / f"{POSTMORTEM}.md"
    postmortem.write_text(postmortem.read_text(encoding="utf-8") + "\n" + vectors, encoding="utf-8")
    result = build_site(root, today=TODAY)
    assert result.returncode == 0, result.stderr
    return root / "site"


class _Audit(HTMLParser):
    """What in a page could run script: handlers, script URLs, and where scripts and frames are."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.in_article = 0
        self.problems: list[str] = []
        self.scripts_outside = 0
        self.previous = ("", "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "article":
            self.in_article += 1
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            squeezed = re.sub(r"[\x00-\x20]+", "", value)
            if name in ("href", "src", "action", "formaction", "data", "background", "xlink:href", "srcdoc") and SCRIPT_SCHEMES.match(squeezed):
                self.problems.append(f"<{tag} {name}={value!r}>")
        forbidden = ("script", "iframe", "object", "embed", "form", "base", "meta", "link", "style", "svg", "math")
        # The one SVG allowed is the plugin's own chart (templates/site), right inside its div.
        if self.in_article and tag in forbidden and not (tag == "svg" and self.previous == ("div", "ft-chart")):
            self.problems.append(f"<{tag}> in the content")
        self.previous = (tag, dict(attrs).get("class") or "")
        if not self.in_article and tag == "script":
            self.scripts_outside += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article":
            self.in_article -= 1


def test_no_page_carries_a_handler_a_script_url_or_script_in_its_content(xss_site: Path) -> None:
    pages = sorted(xss_site.rglob("*.html"))
    assert len(pages) > 10
    problems: list[str] = []
    for path in pages:
        text = path.read_text(encoding="utf-8")
        audit = _Audit()
        audit.feed(text)
        problems += [f"{path.relative_to(xss_site)}: {p}" for p in audit.problems]
        # The policy is the first thing in <head>, on every page (404 included).
        assert re.search(r"<head\b[^>]*>" + CSP_META.pattern, text), f"{path}: no Content-Security-Policy first in <head>"
    assert not problems, "\n".join(problems)
    # The vectors reached the pages as text, not as nothing: the corpus really went in.
    notes = (xss_site / "notes" / "index.html").read_text(encoding="utf-8")
    assert "quokkaxss" in notes and "hover for a tooltip" in notes


def test_the_theme_never_gets_markup_in_titles_ids_or_descriptions(xss_site: Path) -> None:
    # Where mkdocs-material prints values raw: <title>, the description attribute, toc links, tags.
    for rel in ("front-matter/index.html", "heading-title/index.html", f"{POSTMORTEM}/index.html", "notes/index.html"):
        text = (xss_site / rel).read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", text, re.S)
        assert title and "<" not in title.group(1), (rel, title and title.group(1))
        for href in re.findall(r'<a href="(#[^"]*)"', text):
            assert not re.search(r"[\s'<>]", html.unescape(href)), (rel, href)
        description = re.search(r'<meta name="description" content="([^"]*)"', text)
        assert description is None or "<" not in description.group(1), (rel, description.group(1))


# ---------------------------------------------------------------- the browser


@dataclass
class Watch:
    url: str
    beacons: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Handler(SimpleHTTPRequestHandler):
    watch: Watch

    def log_request(self, code: Any = "-", size: Any = "-") -> None:
        if self.path.startswith(BEACON):
            with self.watch.lock:
                self.watch.beacons.append(self.path)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep pytest's output clean
        pass


@pytest.fixture(scope="module")
def watch(xss_site: Path) -> Iterator[Watch]:
    state = Watch("")
    handler = type("Handler", (_Handler,), {"watch": state})
    with serving(xss_site, handler) as url:
        state.url = url
        yield state


# Recorded before any page script runs (an init script is not subject to the page's policy).
_RECORDER = """
window.__scriptViolations = 0;
document.addEventListener('securitypolicyviolation', e => {
  if (e.violatedDirective.startsWith('script-src')) window.__scriptViolations++;
  window.__violation(location.pathname + ': ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""
# Fire every event an inline handler of the corpus could wait for, on every element of the content.
_FIRE_EVENTS = """
() => {
  const names = ['mouseover', 'mouseenter', 'mousemove', 'focus', 'focusin', 'toggle', 'load', 'error',
                 'animationstart', 'transitionend', 'pointerover'];
  let n = 0;
  for (const el of document.querySelectorAll('article *, .md-nav--secondary *')) {
    for (const name of names) { el.dispatchEvent(new Event(name)); n++; }
  }
  return n;
}
"""


@dataclass
class Visit:
    dialogs: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)  # reported as they happen, across navigations


def _context(browser: Any, watch: Watch, *, strip_policy: bool) -> tuple[Any, Visit]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, service_workers="block")
    context.set_default_timeout(15_000)
    seen = Visit()
    context.expose_binding("__violation", lambda source, text: seen.violations.append(text))
    context.add_init_script(_RECORDER)
    loopback = urlsplit(watch.url).netloc

    def route(route: Any) -> None:
        request = route.request
        if urlsplit(request.url).netloc != loopback:
            # Other hosts: a followed link gets a stub page, nothing else leaves the machine.
            if request.is_navigation_request():
                route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>stub</title>")
            else:
                route.abort()
            return
        if strip_policy and request.resource_type == "document":
            response = route.fetch()
            route.fulfill(response=response, body=CSP_META.sub("", response.text()))
            return
        route.continue_()

    context.route("**/*", route)
    context.on("page", lambda page: page.on("dialog", lambda d: (seen.dialogs.append(f"{page.url}: {d.message}"), d.dismiss())))
    return context, seen


def _exercise(page: Any, url: str) -> None:
    """Load `url`; fire events, hover, focus, and click every in-page link and link without a target.
    (Links elsewhere are not followed: the static test shows none has a script URL.)"""
    page.goto(url, wait_until="load")
    page.evaluate(_FIRE_EVENTS)
    for el in page.locator("article [title], article a, article abbr, article label, article img, .md-nav--secondary a").all():
        try:
            el.hover(timeout=1_000, force=True)
        except Exception:  # noqa: BLE001 - an element without a box cannot be hovered; nothing to see there
            continue
    for _ in range(40):
        page.keyboard.press("Tab")
    links = page.locator("article a[href^='#'], article a:not([href]), .md-nav--secondary a")
    for i in range(links.count()):
        try:
            links.nth(i).click(timeout=1_000, force=True)
        except Exception:  # noqa: BLE001 - a hidden or detached link cannot be clicked
            continue


def _search(page: Any, url: str, word: str) -> None:
    page.goto(url, wait_until="load")
    box = page.locator("input.md-search__input")
    box.click()
    box.press_sequentially(word, delay=10)
    page.locator("li.md-search-result__item").first.wait_for(state="visible")
    for el in page.locator(".md-search-result *").all()[:50]:
        try:
            el.hover(timeout=500, force=True)
        except Exception:  # noqa: BLE001 - hidden parts of a result
            continue


@pytest.mark.browser
@pytest.mark.parametrize("walls", ["sanitizer and policy", "sanitizer alone"])
def test_no_vector_runs_in_a_real_browser(browser: Any, watch: Watch, walls: str) -> None:
    context, seen = _context(browser, watch, strip_policy=walls == "sanitizer alone")
    try:
        page = context.new_page()
        for path in PAGES:
            _exercise(page, watch.url + path)
            assert "XSS" not in page.title()
        # From a page whose content tries to replace the theme's config (and its search texts).
        _search(page, watch.url + "notes/", "quokkaxss zzzqqq")
        _search(page, watch.url + f"{POSTMORTEM}/", "quokkaxss")
    finally:
        context.close()
    assert not seen.dialogs, "script ran:\n" + "\n".join(seen.dialogs)
    assert not watch.beacons, f"content loaded a beacon: {watch.beacons}"
    # With the policy on, a violation means the sanitizer let something through that the policy
    # stopped; images from other hosts (the corpus links two) are the policy's design, not a miss.
    missed = [v for v in seen.violations if " img-src " not in v]
    assert not missed, "blocked by the policy only:\n" + "\n".join(missed)


def _article_bounds(page_html: str) -> tuple[int, int]:
    start = page_html.index(">", page_html.index("<article")) + 1
    return start, page_html.index("</article>")


@pytest.mark.browser
def test_the_policy_alone_refuses_script_the_sanitizer_missed(browser: Any, watch: Watch, xss_site: Path) -> None:
    built = (xss_site / POSTMORTEM / "index.html").read_text(encoding="utf-8")
    bare = CSP_META.sub("", built)
    start, end = _article_bounds(bare)
    missed = (
        '<script>alert("inline")</script><img src="x" onerror="alert(\'handler\')">'
        "<a id=\"js\" href=\"javascript:alert('url')\">js</a>"
    )
    content = bare[start:end] + missed
    forged = add_policy(bare[:start] + content + bare[end:], DEFAULT_POLICY, content)
    target = xss_site / "forged" / "index.html"
    target.parent.mkdir(exist_ok=True)
    target.write_text(forged, encoding="utf-8")
    context, seen = _context(browser, watch, strip_policy=False)
    try:
        page = context.new_page()
        page.goto(watch.url + "forged/", wait_until="load")
        page.locator("#js").click(force=True, no_wait_after=True)
        # The inline script, the handler and the javascript: URL: each is reported as it is refused.
        page.wait_for_function("window.__scriptViolations >= 3")
        refused = page.evaluate("window.__scriptViolations")
        # The theme's inline scripts (allowed by hash) ran: the scope variable its bundle needs exists.
        assert page.evaluate("typeof __md_scope") == "object"
    finally:
        context.close()
    assert not seen.dialogs, seen.dialogs
    assert refused >= 3  # the inline script, the handler, the javascript: URL
