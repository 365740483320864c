"""Previews and incremental builds: real MkDocs rebuilds in this process, as `mkdocs serve` runs
them (one plugin instance, a new config loaded for every rebuild, `build(config, serve_url=...)`),
and as `mkdocs build` runs them with the store of the last build in `.followthrough/cache/`.

A page MkDocs writes again gets a new file (a new inode and modification time); a page the plugin
skipped is the stored file linked back in, so comparing both before and after a rebuild tells
which pages were rewritten. Every kind of edit must show in the output, and an
incremental build must give the same site as a full one.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from pathlib import Path
from typing import Iterator

import pytest
from mkdocs import config as mkdocs_config
from mkdocs.commands.build import build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort

from .conftest import shipped_repo
from .search_index import fragments as indexed_pages

TODAY = "2026-11-23"
SERVE_URL = "http://127.0.0.1:8000/postmortems/"
EDITED = "2026/2026-08-12-ci-runner-disk-exhaustion"  # one of tests/data/repo's postmortems
OTHER = "2025/2025-04-10-tillpoint-latency-duplicate-authorisations"
# Built on every build: the nav's pages (every page shows their titles), the tags page (made from
# every page's tags), and the theme's 404 page.
ALWAYS = {
    "404.html", "index.html", "all/index.html", "by-year/index.html", "by-severity/index.html",
    "by-service/index.html", "by-team/index.html", "tags/index.html", "overdue/index.html",
    "redated/index.html", "commitments/index.html", "completion/index.html", "response/index.html",
    "process/severities/index.html", "process/roles/index.html", "recurrences/index.html",
    "factors/index.html", "process/factors/index.html", "learning/people/index.html",
}  # fmt: skip

pytestmark = pytest.mark.slow


class Builds:
    """One repo and its site, rebuilt like `mkdocs serve` (command "serve") or `mkdocs build`."""

    def __init__(self, root: Path, site: Path, command: str, *, dirty: bool = False) -> None:
        self.root, self.site, self.command, self.dirty = root, site, command, dirty
        self.config: MkDocsConfig | None = None
        self.started = False

    def load(self) -> MkDocsConfig:
        config = mkdocs_config.load_config(config_file=str(self.root / "mkdocs.yml"), site_dir=str(self.site))
        if self.command == "serve":
            config.site_url = SERVE_URL  # as `mkdocs serve` sets it
        return config

    def inodes(self) -> dict[str, tuple[int, int]]:
        # With the modification time: a file written after its old one was deleted may get the
        # freed inode number again; the builds are seconds apart, so its time differs.
        return {p.relative_to(self.site).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns) for p in self.site.rglob("*.html")}

    def build(self) -> set[str]:
        """Rebuild; the HTML files written anew (added ones included)."""
        before = self.inodes() if self.site.exists() else {}
        config = self.load()
        if not self.started or self.command != "serve":
            config.plugins.on_startup(command=self.command, dirty=self.dirty)
            self.started = True
        build(config, serve_url=SERVE_URL if self.command == "serve" else None, dirty=self.dirty)
        if self.command != "serve":
            config.plugins.on_shutdown()
        self.config = config
        after = self.inodes()
        return {page for page, inode in after.items() if before.get(page) != inode}

    def page(self, path: str) -> str:
        return (self.site / path).read_text(encoding="utf-8")

    def shutdown(self) -> None:
        if self.config is not None and self.command == "serve":
            self.config.plugins.on_shutdown()


@pytest.fixture
def serve(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Builds]:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "serve")
    builds.build()
    yield builds
    builds.shutdown()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def postmortem(root: Path, page: str) -> Path:
    return root / "postmortems" / f"{page}.md"


def postmortem_pages(builds: Builds) -> set[str]:
    return {p for p in builds.inodes() if p[:4].isdigit()}


def full_build(root: Path, site: Path) -> None:
    """The same repo built from nothing, by a fresh store (as after `rm -rf .followthrough/cache`)."""
    builds = Builds(root, site, "build")
    shutil.rmtree(root / ".followthrough" / "cache", ignore_errors=True)
    builds.build()


def test_a_body_edit_rewrites_its_page_and_the_always_built_ones_only(serve: Builds) -> None:
    edit(postmortem(serve.root, EDITED), "\n## ", "\nEDITED-BODY-LINE\n\n## ")
    rewritten = serve.build()
    assert rewritten == {f"{EDITED}/index.html"} | ALWAYS
    assert "EDITED-BODY-LINE" in serve.page(f"{EDITED}/index.html")
    assert not (serve.site / "pagefind").exists()  # previews go without the search index (guide/site.md, Search)
    assert serve.build() == ALWAYS  # nothing changed: only what is always built


def test_an_unchanged_page_keeps_its_tags_and_sitemap_entry(serve: Builds, tmp_path: Path) -> None:
    edit(postmortem(serve.root, EDITED), "\n## ", "\nEDITED-BODY-LINE\n\n## ")
    serve.build()
    tags = serve.page("tags/index.html")
    assert "idempotency" in tags and OTHER in tags  # the skipped page's tags are listed
    assert f"{OTHER}/" in serve.page("sitemap.xml")


def test_an_incremental_build_gives_the_site_a_full_build_gives(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "build")
    builds.build()
    edit(postmortem(root, EDITED), "\ntitle: ", "\ntitle: RETITLED ")
    edit(postmortem(root, OTHER), "\n## ", "\nEDITED-BODY-LINE\n\n## ")
    rewritten = builds.build()
    assert {f"{EDITED}/index.html", f"{OTHER}/index.html"} <= rewritten
    assert "2024/2024-09-24-game-day-payment-provider-outage/index.html" not in rewritten
    full_build(root, tmp_path / "full")
    # Pagefind names its index files by a hash of what they hold (and numbers pages in the order it
    # reads them): the index is compared page by page instead.
    index = {f["url"]: (f["content"], f["filters"]) for f in indexed_pages(tmp_path / "site")}
    assert index and index == {f["url"]: (f["content"], f["filters"]) for f in indexed_pages(tmp_path / "full")}
    for page in sorted({p.relative_to(tmp_path / "full").as_posix() for p in (tmp_path / "full").rglob("*") if p.is_file() and not p.relative_to(tmp_path / "full").as_posix().startswith("pagefind/")}):
        incremental, full = (tmp_path / "site" / page).read_bytes(), (tmp_path / "full" / page).read_bytes()
        if page == "tags.json":  # the tags plugin's export: the same mappings, skipped pages listed last
            key = lambda m: m["item"]["url"]  # noqa: E731
            assert sorted(json.loads(incremental)["mappings"], key=key) == sorted(json.loads(full)["mappings"], key=key)
        elif page == "sitemap.xml.gz":
            continue  # gzip stamps its own time; sitemap.xml itself is compared
        else:
            assert incremental == full, page
    assert {p.relative_to(tmp_path / "site") for p in (tmp_path / "site").rglob("*") if not p.suffix.startswith(".pf_")} == {p.relative_to(tmp_path / "full") for p in (tmp_path / "full").rglob("*") if not p.suffix.startswith(".pf_")}


def test_a_changed_people_directory_rebuilds_every_postmortem(serve: Builds) -> None:
    edit(serve.root / "postmortems" / "people.yml", "name: An Nguyen", "name: An Nguyen-Renamed")
    rewritten = serve.build()
    assert postmortem_pages(serve) <= rewritten
    assert "An Nguyen-Renamed" in serve.page(f"{EDITED}/index.html")


def test_a_changed_state_file_shows_on_the_postmortem_page(serve: Builds) -> None:
    state = serve.root / ".followthrough" / "state.json"
    state.parent.mkdir(exist_ok=True)
    item = "2026-08-12-ci-runner-disk-exhaustion/ephemeral-runners"
    ticket = {"ticket": "OPS-4242", "url": "https://tracker.example.com/browse/OPS-4242", "status": "done", "done_on": "2026-09-01"}
    state.write_text(json.dumps({"version": 1, "items": {item: ticket}}), encoding="utf-8")
    rewritten = serve.build()
    assert f"{EDITED}/index.html" in rewritten
    assert f"{OTHER}/index.html" not in rewritten  # only the postmortem whose ticket moved
    assert "https://tracker.example.com/browse/OPS-4242" in serve.page(f"{EDITED}/index.html")


def test_a_build_the_next_day_rewrites_no_postmortem_page(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "build")
    builds.build()
    monkeypatch.setenv("FOLLOWTHROUGH_TODAY", "2026-11-24")
    rewritten = builds.build()
    assert postmortem_pages(builds) and not postmortem_pages(builds) & rewritten
    assert "overdue/index.html" in rewritten  # its figures are as of today


def test_a_changed_template_shows_on_every_postmortem_page(serve: Builds) -> None:
    card = serve.root / "templates" / "site" / "card.html.j2"
    card.write_text("<p>TEMPLATE-EDITED</p>\n" + card.read_text(encoding="utf-8"), encoding="utf-8")
    rewritten = serve.build()
    assert postmortem_pages(serve) <= rewritten
    assert "TEMPLATE-EDITED" in serve.page(f"{OTHER}/index.html")


def test_a_changed_mkdocs_yml_rebuilds_every_page(serve: Builds) -> None:
    config = serve.root / "mkdocs.yml"  # whatever the repo names its site (an adopter renames it)
    config.write_text(re.sub(r"(?m)^site_name: .*$", "site_name: Renamed learnings", config.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    rewritten = serve.build()
    assert set(serve.inodes()) == rewritten
    assert "Renamed learnings" in serve.page(f"{OTHER}/index.html")


def test_a_renamed_added_or_deleted_postmortem(serve: Builds) -> None:
    source = postmortem(serve.root, EDITED)
    renamed = source.with_name("2026-08-12-ci-runners-out-of-disk.md")
    source.rename(renamed)
    copy = postmortem(serve.root, "2026/2026-08-12-ci-runner-disk-exhaustion-again")
    text = renamed.read_text(encoding="utf-8")
    copy.write_text(text.replace("\ntitle: ", "\ntitle: AGAIN ", 1), encoding="utf-8")
    postmortem(serve.root, OTHER).unlink()
    rewritten = serve.build()
    pages = set(serve.inodes())
    assert f"{EDITED}/index.html" not in pages and f"{OTHER}/index.html" not in pages  # gone from the site
    assert {"2026/2026-08-12-ci-runners-out-of-disk/index.html", "2026/2026-08-12-ci-runner-disk-exhaustion-again/index.html"} <= rewritten
    assert "AGAIN" in serve.page("all/index.html")


def test_a_removed_postmortem_leaves_a_publish_build(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "build")
    builds.build()
    assert (root / ".followthrough" / "cache" / "site" / "manifest.json").is_file()
    postmortem(root, OTHER).unlink()
    rewritten = builds.build()
    assert f"{OTHER}/index.html" not in builds.inodes()
    assert "2024/2024-09-24-game-day-payment-provider-outage/index.html" not in rewritten  # linked from the store


def test_a_lint_error_while_serving_is_a_page_and_the_rest_stays(serve: Builds, caplog: pytest.LogCaptureFixture) -> None:
    bad = postmortem(serve.root, EDITED)
    edit(bad, "\nseverity: ", "\nseverity: SEV-9-NOT-A-LEVEL ")
    edit(bad, "\nstatus: ", "\nstatus: not-a-status-")
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        serve.build()
    errors = serve.page("followthrough-errors/index.html")
    assert f"postmortems/{EDITED}.md:" in errors  # file:line:column
    assert "severity" in errors
    own = serve.page(f"{EDITED}/index.html")
    assert f"postmortems/{EDITED}.md:" in own and "lint error" in own
    for page in (errors, own):  # one finding a line, in a code block: not run together into a paragraph
        blocks = re.findall(r"<pre[^>]*><code[^>]*>(.*?)</code></pre>", page, re.S)
        lines = [line for block in blocks for line in block.splitlines() if f"postmortems/{EDITED}.md:" in line]
        assert len(lines) == 2, blocks
    assert "followthrough-errors/" in serve.page("index.html")  # the notice on the home page
    assert "Tillpoint" in serve.page(f"{OTHER}/index.html")  # the rest is browsable
    assert f"postmortems/{EDITED}.md:" in caplog.text
    edit(bad, "\nseverity: SEV-9-NOT-A-LEVEL ", "\nseverity: ")
    edit(bad, "\nstatus: not-a-status-", "\nstatus: ")
    serve.build()
    assert not (serve.site / "followthrough-errors" / "index.html").exists()
    assert "lint error" not in serve.page(f"{EDITED}/index.html")


def test_an_edit_to_another_postmortem_rechecks_the_links_to_it(serve: Builds) -> None:
    """`related:` is checked across files: renaming OTHER's id, with EDITED's file untouched (its
    lint remembered), makes EDITED's link an error in the next rebuild."""
    linking = postmortem(serve.root, EDITED)
    edit(linking, "\nstatus: ", f"\nrelated: [{OTHER.split('/')[1]}]\nstatus: ")
    serve.build()
    assert not (serve.site / "followthrough-errors" / "index.html").exists()
    edit(postmortem(serve.root, OTHER), "\nstatus: ", "\nid: tillpoint-renamed\nstatus: ")
    serve.build()
    errors = serve.page("followthrough-errors/index.html")
    assert f"postmortems/{EDITED}.md:" in errors and "FT111" in errors
    assert "lint error" in serve.page(f"{EDITED}/index.html")


def test_a_lint_error_still_fails_mkdocs_build(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    edit(postmortem(root, EDITED), "\nseverity: ", "\nseverity: SEV-9-NOT-A-LEVEL ")
    with caplog.at_level(logging.ERROR, logger="mkdocs"), pytest.raises(Abort):  # MkDocs' answer to the plugin's error
        Builds(root, tmp_path / "site", "build").build()
    assert f"postmortems/{EDITED}.md:4:" in caplog.text and "the site is not built" in caplog.text
    assert not (tmp_path / "site" / "followthrough-errors").exists()


def test_serve_dirty_still_catches_an_edit_of_people_yml_and_a_deleted_page(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "serve", dirty=True)  # `mkdocs serve --dirty`
    builds.build()
    try:
        edit(root / "postmortems" / "people.yml", "name: An Nguyen", "name: An Nguyen-Renamed")
        postmortem(root, OTHER).unlink()
        rewritten = builds.build()
        assert f"{EDITED}/index.html" in rewritten  # MkDocs' own dirty mode would skip it: its file is older than its page
        assert "An Nguyen-Renamed" in builds.page(f"{EDITED}/index.html")
        assert not (builds.site / OTHER / "index.html").exists()
    finally:
        builds.shutdown()


def test_a_page_that_warned_is_built_again_next_time(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    edit(postmortem(root, OTHER), "\n## ", "\nSee [the runbook](no-such-page.md).\n\n## ")
    builds = Builds(root, tmp_path / "site", "build")
    builds.build()  # MkDocs warns of the link
    assert f"{OTHER}/index.html" in builds.build()  # so its page was not kept: it warns again


def test_a_cache_that_cannot_be_read_or_written_means_a_full_build(tmp_path: Path, build_env: None, monkeypatch: pytest.MonkeyPatch) -> None:
    root = shipped_repo(tmp_path / "repo")
    monkeypatch.chdir(root)
    builds = Builds(root, tmp_path / "site", "build")
    builds.build()
    manifest = root / ".followthrough" / "cache" / "site" / "manifest.json"
    manifest.write_text("{not json", encoding="utf-8")
    assert set(builds.inodes()) == builds.build()  # every page built again, no traceback
    shutil.rmtree(root / ".followthrough" / "cache")
    (root / ".followthrough" / "cache").write_text("a file where the cache folder would be", encoding="utf-8")
    assert set(builds.inodes()) == builds.build()  # the site is built; the cache is not written
    assert (tmp_path / "site" / f"{EDITED}" / "index.html").is_file()


def test_an_edit_of_another_postmortems_links_rewrites_the_page_they_show_on(serve: Builds) -> None:
    # The link is written in OTHER's file only; EDITED's page lists it, so it must be rebuilt.
    other = postmortem(serve.root, OTHER)
    edit(other, "\nstarted:", "\nrelated: [2026-08-12-ci-runner-disk-exhaustion]\nstarted:")
    rewritten = serve.build()
    assert {f"{EDITED}/index.html", f"{OTHER}/index.html"} <= rewritten
    assert postmortem_pages(serve) - rewritten  # the game day, linked with neither, is kept
    page = serve.page(f"{EDITED}/index.html")
    assert "names this one as related" in page and "/2025-04-10-tillpoint-latency-duplicate-authorisations/" in page
    edit(other, "\ntitle: ", "\ntitle: Renamed ")
    rewritten = serve.build()
    assert f"{EDITED}/index.html" in rewritten  # the title it shows of OTHER changed
    assert re.search(r'<div class="ft-related">.*Renamed ', serve.page(f"{EDITED}/index.html"), re.S)
    edit(other, "\nrelated: [2026-08-12-ci-runner-disk-exhaustion]", "")
    serve.build()
    assert "ft-related" not in serve.page(f"{EDITED}/index.html")
