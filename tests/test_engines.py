"""The site on every engine: MkDocs and ProperDocs with the plugin, Zensical from `followthrough pages`.

The fixture postmortems (tests/data/repo, with the shipped mkdocs.yml and templates) are built by
each engine's own command in a subprocess, once per session, as guide/site.md gives the commands
(the `zensical.yml` and the guard line are read from there). Each site is served over loopback at
the path of `site_url` (/postmortems/), where the published site and `mkdocs serve` put it, and
linkchecker (a link checker nobody here wrote) follows every internal link and anchor from the home
page. The three sites are then compared: the same pages, the same links on every page, the nav, the
search entries and the data export.
"""

from __future__ import annotations

import html.parser
import json
import os
import posixpath
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.structure.files import File

from followthrough.core.pages.paths import SITE_NAV
from followthrough.core.urls import page_url, relative_source, relative_url

from .conftest import ROOT, serving, shipped_repo
from .search_index import fragments as indexed_pages
from .site_builds import pages_out

pytestmark = pytest.mark.slow

TODAY = "2026-11-23"
SITE_PATH = "/postmortems/"  # the path of site_url in the shipped mkdocs.yml
ENGINES = ("mkdocs", "properdocs", "zensical")
GUIDE = (ROOT / "guide" / "site.md").read_text(encoding="utf-8")
# What guide/site.md tells a Zensical user to write and to run: the test uses the guide's own words.
ZENSICAL_YML = re.search(r"```yaml\n(INHERIT: mkdocs\.yml\n.*?)```", GUIDE, re.S).group(1)  # type: ignore[union-attr]
GUARD = re.search(r"^test -s site/postmortems\.json .*$", GUIDE, re.M).group(0)  # type: ignore[union-attr]


def _environment(tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_") and k != "SOURCE_DATE_EPOCH"}
    # linkchecker reads (and may write) its settings under the home folder: give it its own.
    env.update(FOLLOWTHROUGH_TODAY=TODAY, NO_MKDOCS_2_WARNING="1", XDG_CONFIG_HOME=str(tmp / "config"), HOME=str(tmp))
    return env


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, env=_environment(cwd.parent), capture_output=True, text=True, timeout=300)


def engine_build(engine: str, root: Path) -> subprocess.CompletedProcess[str]:
    """The guide's command for `engine` in the repo at `root`: the site lands in root/site."""
    python = [sys.executable, "-m"]
    if engine == "mkdocs":
        return run([*python, "mkdocs", "build", "--strict"], root)
    if engine == "properdocs":
        return run([*python, "properdocs", "build", "--strict", "-f", "mkdocs.yml"], root)
    pages = pages_out(root, "build/pages", TODAY)
    assert pages.code == 0, pages.err
    theme = run([*python, "followthrough", "search-index", "--theme-out", "build/theme"], root)
    assert theme.returncode == 0, theme.stderr
    (root / "zensical.yml").write_text(ZENSICAL_YML, encoding="utf-8")
    built = run([*python, "zensical", "build", "--strict", "-f", "zensical.yml"], root)
    if built.returncode != 0:
        return built
    indexed = run([*python, "followthrough", "search-index", "site"], root)
    return subprocess.CompletedProcess(built.args, indexed.returncode, built.stdout + indexed.stdout, built.stderr + indexed.stderr)


@dataclass(frozen=True)
class Built:
    engine: str
    root: Path  # the repo
    log: str  # what the engine printed

    @property
    def site(self) -> Path:
        return self.root / "site"


@pytest.fixture(scope="session")
def sites(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Built]:
    built = {}
    for engine in ENGINES:
        root = shipped_repo(tmp_path_factory.mktemp(f"engine-{engine}") / "repo")
        result = engine_build(engine, root)
        assert result.returncode == 0, f"{engine}:\n{result.stdout}\n{result.stderr}"
        built[engine] = Built(engine, root, result.stdout + result.stderr)
    return built


# ---------------------------------------------------------------- links, checked by linkchecker


class _Handler(SimpleHTTPRequestHandler):
    """The served folder holds `postmortems` -> the site, so pages live at /postmortems/..."""

    def end_headers(self) -> None:
        # linkchecker spaces its requests to a host (10 a second) unless the host answers with this header.
        self.send_header("LinkChecker", "loopback test server")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - keep pytest's output clean
        pass


LINKCHECKER_RC = """\
[checking]
threads=4
maxrequestspersecond=1000
timeout=30
[filtering]
checkextern=0
[AnchorCheck]
"""


@dataclass(frozen=True)
class LinkCheck:
    returncode: int
    output: str
    checked: int  # URLs linkchecker checked


def anchors_unchecked() -> str | None:
    """Why linkchecker will not check anchors here, if it will not: run as root, it changes its
    user to `nobody` after reading its settings and before loading its plugins (AnchorCheck is one),
    so from a folder `nobody` cannot enter (a checkout or virtualenv under `mktemp -d`, mode 700)
    the plugin is silently missing and no anchor is checked."""
    if os.name != "posix" or os.geteuid() != 0:
        return None
    import linkcheck.plugins

    folder = Path(linkcheck.plugins.__file__).resolve().parent
    for part in (folder, *folder.parents):
        if not part.stat().st_mode & 0o001:  # others may not enter it
            return f"linkchecker runs as nobody, who cannot enter {part}: anchors are not checked"
    return None


def check_links(site: Path, tmp: Path) -> LinkCheck:
    """linkchecker over the whole of `site`, served at /postmortems/ on 127.0.0.1: every internal
    link of every page reached from the home page, with the anchors they point at."""
    web = tmp / "web"
    web.mkdir(parents=True)
    (web / SITE_PATH.strip("/")).symlink_to(site.resolve(), target_is_directory=True)
    rc = tmp / "linkcheckerrc"
    rc.write_text(LINKCHECKER_RC, encoding="utf-8")
    with serving(web, _Handler) as base:
        proc = subprocess.run(
            [sys.executable, "-m", "linkcheck", "-f", str(rc), "--no-status", "--no-robots", "-o", "text", base + SITE_PATH.lstrip("/")],
            cwd=tmp, env=_environment(tmp), capture_output=True, text=True, timeout=300,
        )
    output = proc.stdout + proc.stderr
    found = re.search(r"(\d+) links? in (\d+) URLs? checked", output)
    return LinkCheck(proc.returncode, output, int(found.group(2)) if found else 0)


@pytest.mark.parametrize("engine", ENGINES)
def test_every_internal_link_of_the_site_works(sites: dict[str, Built], engine: str, tmp_path: Path) -> None:
    result = check_links(sites[engine].site, tmp_path)
    assert result.returncode == 0 and "0 errors found" in result.output, result.output
    # Every page was reached: the crawl is not stuck on the home page.
    assert result.checked >= len(html_pages(sites[engine].site)), result.output


def test_a_broken_link_fails_the_check(tmp_path: Path) -> None:
    """The check above can fail: a link to a missing page and a `.md` target left as it is (what
    MkDocs does with one in raw HTML) are errors, a missing anchor a warning; each is named, and
    either makes the exit status 1, which the check above requires to be 0."""
    site = tmp_path / "site"
    (site / "a").mkdir(parents=True)
    (site / "index.html").write_text('<!doctype html><title>x</title><a href="a/">a</a> <a href="missing/">m</a> <a href="a/#nowhere">n</a>')
    (site / "a" / "index.html").write_text('<!doctype html><title>a</title><p id="here"><a href="../b.md">b</a> <a href="../#">up</a></p>')
    result = check_links(site, tmp_path / "check")
    assert result.returncode == 1, result.output
    for url in ("/postmortems/missing/", "/postmortems/b.md"):
        assert url in result.output, (url, result.output)
    assert "2 errors found" in result.output, result.output
    unchecked = anchors_unchecked()
    if unchecked:
        pytest.skip(unchecked)
    assert "#nowhere" in result.output and "1 warning found" in result.output, result.output


# ---------------------------------------------------------------- the same site on each engine


class _Page(html.parser.HTMLParser):
    """The hrefs of a page, and those inside its <article> (the page's own content)."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.hrefs: list[str] = []
        self.article: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag == "article"
        href = dict(attrs).get("href")
        if tag == "a" and href:
            self.hrefs.append(href)
            if self.depth:
                self.article.append(href)

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "article"


def html_pages(site: Path) -> dict[str, Path]:
    """Every page of a site by its URL path (the 404 page apart)."""
    found = {}
    for f in sorted(site.rglob("*.html")):
        rel = f.relative_to(site).as_posix()
        if rel != "404.html":
            found[SITE_PATH + rel.removesuffix("index.html")] = f
    return found


def _parsed(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def internal(url: str, hrefs: list[str]) -> set[str]:
    """The hrefs of the page at `url` that stay on the site, as absolute paths (#anchor kept
    when it points at another page)."""
    found = set()
    for href in hrefs:
        parts = urlsplit(urljoin("http://site" + url, href))
        if parts.netloc == "site" and parts.path.startswith(SITE_PATH):
            path = unquote(parts.path)
            found.add(path + (f"#{parts.fragment}" if parts.fragment and path != url else ""))
    return found


def test_the_engines_build_the_same_pages_with_the_same_links(sites: dict[str, Built]) -> None:
    reference = html_pages(sites["mkdocs"].site)
    assert len(reference) > 20, sorted(reference)
    for engine in ("properdocs", "zensical"):
        pages = html_pages(sites[engine].site)
        assert pages.keys() == reference.keys(), (engine, sorted(pages.keys() ^ reference.keys()))
        for url, path in pages.items():
            theirs, ours = internal(url, _parsed(path).article), internal(url, _parsed(reference[url]).article)
            assert theirs == ours, (engine, url, sorted(theirs - ours), sorted(ours - theirs))


def test_the_header_card_and_tables_link_their_targets(sites: dict[str, Built]) -> None:
    """What the comparison above rests on: a postmortem page links its service and team pages
    from the header card (raw HTML, which each engine treats in its own way)."""
    for engine, built in sites.items():
        pages = html_pages(built.site)
        url = next(u for u in pages if u.startswith(SITE_PATH + "2025/"))
        links = internal(url, _parsed(pages[url]).article)
        assert any(u.startswith(SITE_PATH + "by-service/") and u != SITE_PATH + "by-service/" for u in links), (engine, sorted(links))
        overdue = internal(SITE_PATH + "overdue/", _parsed(pages[SITE_PATH + "overdue/"]).article)
        assert any(re.match(re.escape(SITE_PATH) + r"20\d\d/", u) for u in overdue), (engine, sorted(overdue))


def _nav_pages(nav: Any) -> Iterator[str]:
    if isinstance(nav, str):
        yield nav
    elif isinstance(nav, list):
        for entry in nav:
            yield from _nav_pages(entry)
    elif isinstance(nav, dict):
        for value in nav.values():
            yield from _nav_pages(value)


@pytest.mark.parametrize("engine", ENGINES)
def test_the_nav_links_every_fixed_page(sites: dict[str, Built], engine: str) -> None:
    site = sites[engine].site
    home = internal(SITE_PATH, _parsed(site / "index.html").hrefs)
    for src in _nav_pages(SITE_NAV):
        assert SITE_PATH + page_url(src) in home, (engine, src)
    for title in ("Overdue action items", "Completion rates", "Severity rubric", "SEV-0/1 commitments"):
        assert title in (site / "index.html").read_text(encoding="utf-8"), (engine, title)


def search_locations(built: Built) -> set[str]:
    """The pages the site's search index (Pagefind's) holds, with their filters."""
    return {SITE_PATH.rstrip("/") + f["url"] + " " + json.dumps(f["filters"], sort_keys=True) for f in indexed_pages(built.site)}


def test_the_search_indexes_hold_the_same_pages(sites: dict[str, Built]) -> None:
    reference = search_locations(sites["mkdocs"])
    urls = {entry.split(" ")[0] for entry in reference}
    postmortems = {u for u in html_pages(sites["mkdocs"].site) if re.match(re.escape(SITE_PATH) + r"20\d\d/", u)}
    assert postmortems and postmortems <= urls, sorted(urls)
    assert SITE_PATH + "overdue/" not in urls and SITE_PATH + "all/" not in urls  # listings repeat titles
    for engine in ("properdocs", "zensical"):
        assert search_locations(sites[engine]) == reference, engine
    # Zensical's own index (written, never loaded) leaves out the same pages.
    entries = json.loads((sites["zensical"].site / "search.json").read_text(encoding="utf-8"))["items"]
    assert {SITE_PATH + e["location"].split("#")[0] for e in entries} == urls


def test_the_data_export_is_the_same_on_every_engine(sites: dict[str, Built]) -> None:
    for name in ("postmortems.json", "action-items.json"):
        exports = {engine: (built.site / name).read_bytes() for engine, built in sites.items()}
        assert len(set(exports.values())) == 1, name
        assert json.loads(exports["mkdocs"])["as_of"] == TODAY


def test_what_differs_between_the_engines(sites: dict[str, Built]) -> None:
    """Besides the pages: each engine's own search index and assets; only MkDocs-family builds
    gzip the sitemap and carry the Content-Security-Policy (the plugin adds it)."""
    # Pagefind names its index files by a hash of what they hold; the pages it holds are compared.
    files = {engine: {p.relative_to(b.site).as_posix() for p in b.site.rglob("*") if p.is_file() and not p.suffix.startswith(".pf_")} for engine, b in sites.items()}
    assert files["mkdocs"] == files["properdocs"]
    indexed = {engine: sorted((f["url"], f["content"], json.dumps(f["filters"], sort_keys=True)) for f in indexed_pages(sites[engine].site)) for engine in ("mkdocs", "properdocs")}
    assert indexed["mkdocs"] == indexed["properdocs"]
    assert "pagefind/pagefind.js" in files["mkdocs"] and "search.json" in files["zensical"]
    home = {engine: (b.site / "index.html").read_text(encoding="utf-8") for engine, b in sites.items()}
    assert "Content-Security-Policy" in home["mkdocs"] and "Content-Security-Policy" in home["properdocs"]
    assert "Content-Security-Policy" not in home["zensical"]
    assert "The configuration file 'mkdocs.yml' should be renamed" not in sites["properdocs"].log  # -f names it


# ---------------------------------------------------------------- what each engine does with a link (why Links has two spellings)

_CASE_PAGE = """# A

[markdown](../by-team/sre.md)

<p><a href="../by-team/sre.md">raw source</a> <a href="../../by-team/sre/">raw url</a></p>
"""


def _link_case(tmp: Path, engine: str) -> dict[str, str]:
    """A two-page site with the three spellings of one link from 2024/a.md to by-team/sre.md,
    built by `engine` (no plugin): the href each spelling ends up with."""
    docs = tmp / "docs"
    (docs / "2024").mkdir(parents=True)
    (docs / "by-team").mkdir()
    (docs / "index.md").write_text("# Home\n")
    (docs / "2024" / "a.md").write_text(_CASE_PAGE)
    (docs / "by-team" / "sre.md").write_text("# SRE\n")
    (tmp / "mkdocs.yml").write_text("site_name: Case\nsite_url: https://example.test/postmortems/\ndocs_dir: docs\ntheme:\n  name: material\n  font: false\nmarkdown_extensions: [md_in_html]\n")
    command = {"mkdocs": ["mkdocs", "build"], "properdocs": ["properdocs", "build", "-f", "mkdocs.yml"], "zensical": ["zensical", "build", "-f", "mkdocs.yml"]}[engine]
    result = run([sys.executable, "-m", *command], tmp)
    assert result.returncode == 0, result.stdout + result.stderr
    page = (tmp / "site" / "2024" / "a" / "index.html").read_text(encoding="utf-8")
    return {text: href for href, text in re.findall(r'<a href="([^"]+)">(markdown|raw source|raw url)</a>', page)}


@pytest.mark.parametrize("engine", ENGINES)
def test_how_each_engine_treats_a_link(tmp_path: Path, engine: str) -> None:
    """A Markdown link works everywhere. In raw HTML, MkDocs and ProperDocs keep the href as it is
    (so the plugin writes the page's address), while Zensical reads it as a path from the source
    file: a `.md` target becomes its page's address, a page address lands one folder too high (so
    `followthrough pages` writes the source path). Should an engine change this, this test says so."""
    hrefs = _link_case(tmp_path, engine)
    assert hrefs["markdown"] == "../../by-team/sre/"
    if engine == "zensical":
        assert hrefs == {"markdown": "../../by-team/sre/", "raw source": "../../by-team/sre/", "raw url": "../../../by-team/sre/"}
    else:
        assert hrefs == {"markdown": "../../by-team/sre/", "raw source": "../by-team/sre.md", "raw url": "../../by-team/sre/"}


# ---------------------------------------------------------------- the two spellings of a link, against their references

_segment = st.sampled_from(["2024", "by-year", "by-team", "a", "index", "x-y"])
_doc = st.builds(lambda folders, name: "/".join([*folders, name + ".md"]), st.lists(_segment, max_size=3), _segment)


@given(target=_doc, here=_doc, use_directory_urls=st.booleans())
def test_a_page_address_is_the_one_mkdocs_makes(target: str, here: str, use_directory_urls: bool) -> None:
    """relative_url is what MkDocs' own File.url_relative_to gives (the href of a Markdown link)."""
    to, base = (File(p, "/docs", "/site", use_directory_urls) for p in (target, here))
    assert relative_url(target, here, use_directory_urls) == to.url_relative_to(base)


@given(target=_doc, here=_doc)
def test_a_source_path_is_the_one_the_file_system_gives(target: str, here: str) -> None:
    assert relative_source(target, here) == posixpath.relpath(target, posixpath.dirname(here) or ".")


# ---------------------------------------------------------------- a build that skipped the plugin


def _switched_off(root: Path) -> None:
    config = root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("  - followthrough:\n", "  - followthrough:\n      enabled: false\n"), encoding="utf-8")


@pytest.mark.parametrize("engine", ["mkdocs", "properdocs"])
def test_the_plugin_switched_off_fails_a_strict_build(tmp_path: Path, engine: str) -> None:
    root = shipped_repo(tmp_path / "repo")
    _switched_off(root)
    result = engine_build(engine, root)
    printed = result.stdout + result.stderr
    assert result.returncode == 1, printed
    # The nav names the generated pages; without the plugin they are missing, and --strict stops.
    assert "A reference to 'overdue.md' is included in the 'nav' configuration" in printed, printed
    assert re.search(r"Aborted with \d+ warnings in strict mode", printed), printed


@pytest.mark.parametrize("engine", ["mkdocs", "properdocs"])
def test_the_plugin_not_installed_fails_the_build(tmp_path: Path, engine: str) -> None:
    root = shipped_repo(tmp_path / "repo")
    config = root / "mkdocs.yml"
    # An uninstalled plugin is a name no entry point answers to; a misspelt one is the same.
    config.write_text(config.read_text(encoding="utf-8").replace("  - followthrough:\n", "  - followthrough-absent:\n"), encoding="utf-8")
    result = engine_build(engine, root)
    assert result.returncode == 1
    assert 'The "followthrough-absent" plugin is not installed' in result.stderr, result.stderr


def test_zensical_on_mkdocs_yml_is_caught_by_the_guard(tmp_path: Path, sites: dict[str, Built]) -> None:
    """Zensical drops our plugin and builds the bare postmortems, exit 0 even under --strict (a nav
    entry without its page is no warning to it): the guard of guide/site.md fails that site and
    passes the real one."""
    root = shipped_repo(tmp_path / "repo")
    raw = run([sys.executable, "-m", "zensical", "build", "--strict"], root)  # no -f: mkdocs.yml
    assert raw.returncode == 0, raw.stderr
    assert (root / "site" / "2025").is_dir() and not (root / "site" / "overdue").exists()
    caught = subprocess.run(["bash", "-c", GUARD], cwd=root, capture_output=True, text=True, timeout=30)
    assert caught.returncode == 1 and "built without followthrough's pages" in caught.stderr
    shutil.rmtree(root / "site")
    shutil.copytree(sites["zensical"].site, root / "site")
    passed = subprocess.run(["bash", "-c", GUARD], cwd=root, capture_output=True, text=True, timeout=30)
    assert passed.returncode == 0, passed.stderr


@pytest.mark.parametrize("engine", ["mkdocs", "properdocs"])
def test_a_warning_under_strict_leaves_the_last_site(tmp_path: Path, engine: str) -> None:
    """The plugin keeps the previous site when strict mode fails the build; under ProperDocs too,
    whose warnings go to its own logger ("properdocs"), not MkDocs'."""
    root = shipped_repo(tmp_path / "repo")
    first = engine_build(engine, root)
    assert first.returncode == 0, first.stderr
    (root / "site" / "mine.txt").write_text("kept")
    (root / "postmortems" / "notes.md").write_text("# Notes\n\n[a page that is not there](nowhere.md)\n")
    second = engine_build(engine, root)
    assert second.returncode == 1 and "nowhere.md" in second.stdout + second.stderr
    assert (root / "site" / "mine.txt").read_text() == "kept" and not (root / "site" / "notes").exists()
