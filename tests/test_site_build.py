"""Real `mkdocs build` runs on the fixture repo (tests/data/site/basic), asserting on the built HTML."""

from __future__ import annotations

import os
import posixpath
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml

from followthrough.core.pages import SITE_NAV
from followthrough.core.urls import relative_url

from .conftest import assert_no_traceback, run_cli
from .search_index import fragments as indexed_pages
from .site_builds import SITE_TODAY, build_site, copy_fixture, mkdocs

TODAY = SITE_TODAY

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = copy_fixture(tmp_path_factory.mktemp("site"))
    result = build_site(root, strict=True)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr
    return root / "site"


class _NavText(HTMLParser):
    """The text inside a page's <nav> elements: what the theme's navigation shows, whatever its classes."""

    def __init__(self) -> None:
        super().__init__()
        self.depth = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.depth += tag == "nav"
        if self.depth and tag == "a":
            self.parts.append(" ".join(v or "" for k, v in attrs if k == "href"))

    def handle_endtag(self, tag: str) -> None:
        self.depth -= tag == "nav" and self.depth > 0

    def handle_data(self, data: str) -> None:
        if self.depth:
            self.parts.append(data)


def nav_text(html: str) -> str:
    parser = _NavText()
    parser.feed(html)
    return " ".join(parser.parts)


def read(site: Path, rel: str) -> str:
    return (site / rel).read_text(encoding="utf-8")


def table_rows(html: str) -> list[str]:
    return re.findall(r"<tr\b[^>]*>(.*?)</tr>", html, re.S)


def test_every_page_is_built(built):
    for rel in [
        "index.html",
        "all/index.html",
        "overdue/index.html",
        "completion/index.html",
        "response/index.html",
        "process/severities/index.html",
        "process/roles/index.html",
        "process/factors/index.html",
        "recurrences/index.html",
        "factors/index.html",
        "tags/index.html",
        "by-year/index.html",
        "by-year/2024/index.html",
        "by-severity/sev-1/index.html",
        "by-service/checkout-api/index.html",
        "by-team/payments/index.html",
        "2024/2024-03-05-checkout-outage/index.html",
        "2024/2024-06-01-search-slow/index.html",
        "about/index.html",
        "postmortems.json",
        "action-items.json",
        "assets/followthrough.css",
    ]:
        assert (built / rel).is_file(), rel
    assert not (built / "people.yml").exists()


def test_all_postmortems_rows_link_to_each_page(built):
    html = read(built, "all/index.html")
    links = re.findall(r'<a href="(\.\./20\d\d/[^"]+)">', html)
    assert links == [
        "../2024/2024-03-05-checkout-outage/",
        "../2023/2023-11-03-login-errors/",
        "../2024/2024-05-20-game-day-db-failover/",
        "../2024/2024-06-01-search-slow/",
    ]
    for link in links:
        assert (built / "all" / link / "index.html").resolve().is_file()


def test_titles_are_text_everywhere(built):
    for path in built.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html, path
        assert "<img src=x" not in html, path
        assert "<b>canary" not in html, path
        assert "<i>db" not in html, path
    page = read(built, "2024/2024-03-05-checkout-outage/index.html")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Checkout | payments down" in page
    assert "<title>\u2039script\u203aalert(1)\u2039/script\u203a Checkout | payments down - Fixture postmortems</title>" in page
    assert "Add a &lt;b&gt;canary&lt;/b&gt; stage | to the deploy pipeline" in page
    # Raw HTML in a body goes through the sanitizer: the element stays, its handler does not.
    assert '<img src="x">' in page and "alert(2)" not in page
    group = read(built, "by-service/i-db-i/index.html")  # a service named <i>db</i>
    assert "<title>\u2039i\u203adb\u2039/i\u203a - Fixture postmortems</title>" in group
    assert re.search(r"<h1[^>]*>&lt;i&gt;db&lt;/i&gt;", group)
    # mkdocs-material prints tag names raw: the plugin hands it look-alike brackets instead.
    assert "onerror=alert(9)" in read(built, "tags/index.html") and "<img src=x onerror=alert(9)" not in page


def test_postmortem_page_has_card_items_and_tags(built):
    page = read(built, "2024/2024-03-05-checkout-outage/index.html")
    assert '<div class="ft-card">' in page
    assert '<span class="ft-badge ft-rank-1">SEV-1</span>' in page
    assert "<td>Ana Commander</td>" in page
    assert '<a href="https://jira.example.test/browse/PAY-101">PAY-101</a>' in page
    # mkdocs-material's tags plugin links the tag to its index; the anchor's form is the theme's.
    assert re.search(r'href="\.\./\.\./tags/#[^"]*database"', page)
    assert "corp.example" not in page
    assert 'href="../../by-service/pay-ments/"' in page
    draft = read(built, "2024/2024-06-01-search-slow/index.html")
    assert 'class="admonition warning"' in draft and "Draft" in draft


def test_overdue_page_html(built):
    html = read(built, "overdue/index.html")
    main = html.split('id="due-within')[0]
    rows = [r for r in table_rows(main) if "<td" in r]
    assert len(rows) == 1
    assert ">105 d<" in rows[0] and "Nia Expert" in rows[0] and 'href="../2024/2024-03-05-checkout-outage/"' in rows[0]


def test_completion_page_has_chart_and_table(built):
    html = read(built, "completion/index.html")
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in html and "<desc" in html
    assert re.search(r"<td>All incidents</td>\s*<td[^>]*>4</td>\s*<td[^>]*>2</td>", html)


def test_navigation_holds_index_pages_not_postmortems(built):
    html = read(built, "index.html")
    nav = nav_text(html)
    assert "Overdue action items" in nav and "By severity" in nav
    assert "checkout-outage" not in nav and "Login errors" not in nav


def test_search_index_finds_a_postmortem_by_a_word_of_its_body(built):
    pages = indexed_pages(built)  # Pagefind's, one fragment a page
    hits = [p["url"] for p in pages if "zanzibarium" in p["content"]]
    assert hits == ["/2024/2024-03-05-checkout-outage/"]
    # Listing pages only repeat titles: left out, so a search hits the postmortem itself.
    locations = {p["url"] for p in pages}
    assert not {"/all/", "/overdue/", "/by-year/2024/", "/completion/"} & locations
    assert {"/", "/process/roles/", "/2023/2023-11-03-login-errors/"} <= locations
    assert any("Ana Commander" in p["content"] for p in pages if p["url"].startswith("/2024/2024-03-05"))


def test_invalid_postmortem_fails_the_build_with_file_and_line(tmp_path):
    root = copy_fixture(tmp_path)
    bad = root / "docs" / "2024" / "2024-04-01-bad.md"
    bad.write_text("---\ntitle: Bad\nstatus: published\nseverity: SEV-9\nservices: [x]\nstarted: 2024-04-01T10:00:00Z\nroles: {commander: ana.ic}\n---\n\n## Summary\n")
    result = mkdocs("build", "-d", "site", cwd=root)  # the command itself: exit 1, no traceback
    assert result.returncode == 1
    assert "docs/2024/2024-04-01-bad.md:4:11: FT104 severity: 'SEV-9' is not one of" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "site" / "index.html").exists()


def test_a_page_of_the_same_name_as_a_generated_one_is_refused(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "docs" / "overdue.md").write_text("# Mine\n")
    result = build_site(root)
    assert result.returncode == 1
    assert "docs/overdue.md: the followthrough plugin generates this page" in result.stderr


def test_bad_site_setting_names_the_setting(tmp_path):
    root = copy_fixture(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("latest: 3", "latest: many\n        lastest: 2"))
    result = build_site(root)
    assert result.returncode == 1
    # Both settings named, each with MkDocs' reason (its wording is MkDocs', not asserted).
    assert re.search(r"mkdocs\.yml: plugins\.followthrough\.site\.latest: \S", result.stderr), result.stderr
    assert re.search(r"mkdocs\.yml: plugins\.followthrough\.site\.lastest: \S", result.stderr), result.stderr
    assert not (root / "site" / "index.html").exists()


def _plain_build(root: Path, tmp_path: Path) -> Path:
    """`followthrough pages --out`, then a build of its output with the plugin switched off."""
    out = tmp_path / "plain-docs"
    result = run_cli("pages", "--out", str(out), "--today", TODAY, cwd=root)
    assert_no_traceback(result)
    assert result.code == 0, result.err
    assert not (out / "people.yml").exists()
    assert (out / "about.md").is_file() and (out / "index.md").is_file()
    # The search as guide/site.md gives it for a build without the plugin: its theme, then its index.
    theme = run_cli("search-index", "--theme-out", str(tmp_path / "theme"), cwd=root)
    assert theme.code == 0, theme.err
    plain = root / "plain.yml"
    text = (root / "mkdocs.yml").read_text()
    text = text.replace("docs_dir: docs", f"docs_dir: {out}").replace("  - followthrough:\n", "  - followthrough:\n      enabled: false\n")
    text = text.replace("  font: false\n", f"  font: false\n  custom_dir: {tmp_path / 'theme'}\n")
    plain.write_text(text + yaml.safe_dump({"nav": SITE_NAV}, sort_keys=False))
    build = build_site(root, config_file=plain, site_dir=tmp_path / "plain-site", strict=True)
    assert build.returncode == 0, build.stderr
    index = run_cli("search-index", str(tmp_path / "plain-site"), cwd=root)
    assert index.code == 0, index.err
    return tmp_path / "plain-site"


def test_pages_command_then_plain_mkdocs_build_gives_the_same_site(tmp_path, built):
    """The same files and the same pages, but for two things. Raw HTML in a body: the plugin's
    build sanitizes it, the plain build (no sanitizer after it) shows it as text. And the links of
    the header card and the tables: `followthrough pages` writes the source file each names, for
    Zensical to resolve (tests/test_engines.py), which MkDocs leaves as it is in raw HTML; read as
    the page it names, each is the link of the plugin's build."""
    root = copy_fixture(tmp_path)
    plain_site = _plain_build(root, tmp_path)
    # Pagefind names its index files by a hash of what they hold; the pages it holds are compared.
    with_plugin = {p.relative_to(built).as_posix() for p in built.rglob("*") if p.is_file() and not p.suffix.startswith(".pf_")}
    without = {p.relative_to(plain_site).as_posix() for p in plain_site.rglob("*") if p.is_file() and not p.suffix.startswith(".pf_")}
    assert with_plugin == without
    assert {p["url"] for p in indexed_pages(built)} == {p["url"] for p in indexed_pages(plain_site)}
    for rel, src in (("overdue/index.html", "overdue.md"), ("2024/2024-06-01-search-slow/index.html", "2024/2024-06-01-search-slow.md"), ("completion/index.html", "completion.md")):
        plain = _main(read(plain_site, rel))
        assert _main(read(built, rel)) == _source_links_as_urls(plain, src), rel
    assert 'href="2024/2024-03-05-checkout-outage.md"' in read(plain_site, "overdue/index.html")
    raw = "2024/2024-03-05-checkout-outage/index.html"
    assert '<img src="x">' in _main(read(built, raw)) and "&lt;img src=x onerror=alert(2)&gt;" in _main(read(plain_site, raw))


def _source_links_as_urls(html: str, src: str) -> str:
    """Each href naming a source file (`../by-team/sre.md`) as the address of its page, relative
    to the page of `src`: what the plugin's build writes."""

    def url(match: re.Match[str]) -> str:
        target = posixpath.normpath(posixpath.join(posixpath.dirname(src), unquote(match.group(1))))
        return f'href="{relative_url(target, src)}{match.group(2) or ""}"'

    return re.sub(r'href="([^":#]+\.md)(#[^"]*)?"', url, html)


def _main(html: str) -> str:
    """The article of a page, blank space between tags ignored (the plugin inserts the card after
    Markdown), and what the sanitizer re-serializes (comments dropped, `style` compacted) evened out."""
    article = re.search(r"<article\b[^>]*>(.*?)</article>", html, re.S).group(1)  # type: ignore[union-attr]
    article = re.sub(r"<!--.*?-->", "", article, flags=re.S)
    article = re.sub(r'style="text-align: ?(\w+);?"', r'style="text-align:\1"', article)
    return re.sub(r">\s+<", "><", article)


def test_pages_command_refuses_postmortems_with_errors(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "docs" / "2024" / "2024-04-01-bad.md").write_text("no front matter\n")
    result = run_cli("pages", "--out", str(tmp_path / "out"), "--today", TODAY, cwd=root)
    assert_no_traceback(result)
    assert result.code == 1
    assert "docs/2024/2024-04-01-bad.md:1:1: FT001" in result.err
    assert not (tmp_path / "out").exists()


def test_pages_command_refuses_to_write_into_docs_dir(tmp_path):
    root = copy_fixture(tmp_path)
    result = run_cli("pages", "--out", "docs/site", cwd=root)
    assert result.code == 2 and "write outside docs_dir" in result.err


def test_rebuild_with_the_same_plugin_sees_an_edit(tmp_path, monkeypatch):
    """What `mkdocs serve` does on a change: a new build with fresh config; the pages follow the edit."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config

    root = copy_fixture(tmp_path)
    first = build_site(root, command="serve")
    assert first.returncode == 0, first.stderr
    config = first.config
    assert config is not None
    assert str(root / "templates") not in config.watch  # the fixture has no templates folder of its own
    assert any(w.endswith(os.path.join(".followthrough", "state.json")) for w in config.watch)
    assert ">105 d<" in read(root / "site", "overdue/index.html")
    pm = root / "docs" / "2024" / "2024-03-05-checkout-outage.md"
    pm.write_text(pm.read_text().replace("due: 2024-03-18", "due: 2024-06-21"))
    # serve's rebuild: the config loaded again into the same plugin instances, no new startup
    monkeypatch.setenv("FOLLOWTHROUGH_TODAY", TODAY)
    config = load_config(str(root / "mkdocs.yml"), site_dir=str(root / "site"))
    build(config)
    overdue = read(root / "site", "overdue/index.html")
    assert ">105 d<" not in overdue and ">10 d<" in overdue
    assert "2024-06-21" in read(root / "site", "2024/2024-03-05-checkout-outage/index.html")


def test_every_internal_link_resolves(built):
    # The tables are raw HTML, so MkDocs does not check their links: this does, for every page.
    broken = []
    for page in built.rglob("*.html"):
        if page.name == "404.html":
            continue  # absolute links under site_url's path, by design
        for href in re.findall(r'href="([^"]+)"', page.read_text(encoding="utf-8")):
            if href.startswith(("http://", "https://", "#", "mailto:", "javascript:", "data:")):
                assert not href.startswith("javascript:"), (page, href)
                continue
            path = href.split("#")[0].split("?")[0]
            if not path:
                continue
            target = (page.parent / path).resolve()
            if path.endswith("/") or target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                broken.append((page.relative_to(built).as_posix(), href))
    assert not broken, broken[:20]


def test_what_authors_paste_renders_as_written(tmp_path):
    # Logs in code inside an admonition, a list and a quote keep their '<'; `<details>` and
    # `<kbd>` work as on GitHub: the sanitizer, not an escaper guessing at code, is the wall.
    root = copy_fixture(tmp_path)
    page = root / "docs" / "2024" / "2024-06-01-search-slow.md"
    page.write_text(
        page.read_text(encoding="utf-8")
        + "\n!!! note\n\n    ```\n    <html>admonition log</html>\n    ```\n\n- item\n\n    ```\n    <li>list log</li>\n    ```\n\n"
        + "> ```\n> <q>quoted log</q>\n> ```\n\n<details><summary>Full log</summary>\n\nPress <kbd>Ctrl</kbd>.\n\n</details>\n",
        encoding="utf-8",
    )
    result = build_site(root, strict=True)
    assert result.returncode == 0, result.stderr
    html = read(root / "site", "2024/2024-06-01-search-slow/index.html")
    for text in ("&lt;html&gt;admonition log&lt;/html&gt;", "&lt;li&gt;list log&lt;/li&gt;", "&lt;q&gt;quoted log&lt;/q&gt;"):
        assert text in html, text
    assert "&amp;lt;" not in html
    assert "<details><summary>Full log</summary>" in html and "<kbd>Ctrl</kbd>" in html


def test_a_build_that_switches_the_plugin_off_keeps_nothing_of_the_last_build(tmp_path, built):
    # MkDocs keeps one plugin instance per process and loads every config into it, as `mkdocs
    # serve` does after an edit of mkdocs.yml; `built` was built by this process with the plugin on.
    root = copy_fixture(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - followthrough:\n", "  - followthrough:\n      enabled: false\n"))
    (root / "docs" / "raw.md").write_text('# Raw\n\n<span onclick="mine()">as written</span>\n', encoding="utf-8")
    result = build_site(root)
    assert result.returncode == 0, result.stderr
    assert '<span onclick="mine()">as written</span>' in read(root / "site", "raw/index.html")  # no sanitizer: the plugin is off
    assert not (root / "site" / "overdue" / "index.html").exists()  # nor the last build's pages


def test_the_site_folder_is_readable_as_mkdocs_makes_it(built):
    # The build goes to a temporary folder swapped in on success; it must not stay private (0700),
    # or a web server running as another user could not read the site.
    umask = os.umask(0)
    os.umask(umask)
    assert built.stat().st_mode & 0o777 == 0o777 & ~umask


def test_a_plain_build_of_pages_output_runs_no_script_from_other_pages(tmp_path):
    # No sanitizer runs after a plain build: `pages --out` writes the other pages' raw HTML as
    # text and their front-matter escaped, since the theme prints `description` raw.
    root = copy_fixture(tmp_path)
    (root / "docs" / "about.md").write_text(
        '---\ntitle: "</title><script>alert(1)</script>"\ndescription: \'"><script>alert(2)</script>\'\n---\n'
        "# About\n\n<img src=x onerror=alert(3)>\n\n!!! note\n\n    <script>alert(4)</script>\n\n`<code>` stays code.\n",
        encoding="utf-8",
    )
    html = read(_plain_build(root, tmp_path), "about/index.html")
    assert "alert(" in html  # the text is there, as text
    assert "<script>alert" not in html and "<img src=x" not in html and '"><script' not in html
    assert "<code>&lt;code&gt;</code>" in html


def test_pages_refuses_another_page_whose_front_matter_is_not_yaml(tmp_path):
    root = copy_fixture(tmp_path)
    (root / "docs" / "about.md").write_text("---\ntitle: [unclosed\n---\n# About\n", encoding="utf-8")
    result = run_cli("pages", "--out", str(tmp_path / "out"), "--today", TODAY, cwd=root)
    assert_no_traceback(result)
    assert result.code == 1 and re.search(r"docs/about\.md:\d+:\d+: front-matter not copied: not valid YAML", result.err), result.err


def test_the_plugin_listed_twice_is_refused_by_the_build_and_every_command(tmp_path):
    # Two entries ran two plugins that each swapped a site into place: the build "succeeded"
    # with an empty site folder, while the commands read the first entry only.
    root = copy_fixture(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - tags\n", "  - tags\n  - followthrough\n", 1))  # added by mistake
    said = "mkdocs.yml: plugins: followthrough is listed 2 times; keep one entry"
    result = mkdocs("build", "-d", "site", cwd=root)
    assert result.returncode == 1 and said in result.stderr, result.stderr
    for args in (("lint",), ("report", "overdue"), ("pages", "--out", str(tmp_path / "out")), ("sync", "--dry-run")):
        run = run_cli(*args, cwd=root, env={"FOLLOWTHROUGH_TODAY": TODAY})
        assert_no_traceback(run)
        assert run.code == 2 and said in run.err, (args, run.err)
