"""`plugins: [followthrough]` in mkdocs.yml: lint the postmortems, add the generated pages.

Only MkDocs events live here. Loading and linting is `workspace.load_workspace` (the same code
as every command), the figures and pages are `core.metrics` and `core.pages`; this module
connects them to a build and to `mkdocs serve`.
"""

from __future__ import annotations

import copy
import gc
import logging
import os
import re
import signal
import tempfile
import threading
from datetime import date
from pathlib import Path
from typing import Any, Sequence

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from followthrough.config.load import PLUGIN_NAME, REQUIRED_EXTENSIONS, listed_twice, loaded_config, site_of
from followthrough.config.options import PluginConfig
from followthrough.core.errors import FollowthroughError
from followthrough.core.findings import Finding
from followthrough.core.lint import lint_page
from followthrough.core.logline import safe_line, safe_lines
from followthrough.core.pages import SITE_NAV, Site, SiteOptions
from followthrough.core.pages.csp import add_policy
from followthrough.core.escape.html import safe_page_title
from followthrough.core.pages.sanitize import safe_title, sanitize_html, sanitize_meta, sanitize_toc
from followthrough.core.pages.generate import CARD_MARK
from followthrough.core.pages.searchcopy import search_copy
from followthrough.core.pages import paths
from followthrough.core.publish import is_published
from followthrough.files.repo import docs_refusals, relative_to_root
from followthrough.files.safefiles import refusal_of
from followthrough.files.templates import template_dirs
from followthrough.today import resolve_today
from followthrough.site.swap import SiteSwap, WarningCounter
from followthrough.site import search
from followthrough.files.repo import LoadedConfig
from followthrough.workspace import load_workspace
from followthrough.site import errorpage
from followthrough.site.incremental import Incremental
from followthrough.site.store import CacheLock
from followthrough.site.memo import LintMemo, PagesMemo, TemplateBytecode

log = get_plugin_logger(__name__)
# The logger the running engine logs to: "mkdocs", or "properdocs" under ProperDocs, which
# answers every `mkdocs` import with its own modules and logs under its own name.
ENGINE_LOG = MkDocsConfig.__module__.partition(".")[0]


class OneLineRecords(logging.Filter):
    """MkDocs logs file names as they are ("Doc file 'notes\n::notice::x.md' contains a link"):
    on a GitHub Actions runner the part after the newline would be a workflow command. This
    filter on MkDocs' own log handlers makes every line of every record safe (`safe_lines`)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        safe = safe_lines(message)
        if safe != message:
            record.msg, record.args = safe, None
        return True


def guard_build_log() -> None:
    for handler in logging.getLogger(ENGINE_LOG).handlers:
        if not any(isinstance(f, OneLineRecords) for f in handler.filters):
            handler.addFilter(OneLineRecords())



def _stop_on_sigterm() -> bool:
    """A server stopped with SIGTERM (`kill`, a terminal closed, a supervisor) ends as after Ctrl-C:
    MkDocs' serve then removes its temporary site and calls on_shutdown, which removes the
    preview's store. By default SIGTERM ends the process at once and both folders stay in /tmp.
    Only when nobody else handles the signal, and only from the main thread (where Python allows it)."""
    if threading.current_thread() is not threading.main_thread() or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return False

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    return True


class FollowthroughPlugin(BasePlugin[PluginConfig]):
    def __init__(self) -> None:
        super().__init__()
        self.loaded: LoadedConfig | None = None
        self.today: date | None = None  # from `today.py`, once per build
        self.options = SiteOptions()
        self.site: Site | None = None
        self.generated: set[str] = set()  # src_uri of the pages this build generated
        self.stashed: dict[str, list[str]] = {}  # src_uri -> HTML blocks taken out before Markdown
        self.cards: dict[str, tuple[str, str]] = {}  # src_uri -> (what search reads, the header card)
        self.checked: set[str] = set()  # src_uri of the other pages lint checked in on_files (FT509)
        self.sigterm_set = False  # on_startup made SIGTERM stop a server as Ctrl-C does
        self.cache_lock: CacheLock | None = None  # held by a build (not a preview) while it uses the build cache
        self.command: str | None = None  # from on_startup; None when a program calls build() itself
        self.dirty = False
        self.swap: SiteSwap | None = None
        self.warnings: WarningCounter | None = None
        self.built: MkDocsConfig | None = None
        self.searching = False  # the theme is ours to extend with Pagefind's search
        self.material_search = False  # mkdocs-material's search plugin is listed: it reads the card's text (searchcopy)
        # Kept for the life of the process: `mkdocs serve` rebuilds with this same instance.
        self.lint_memo = LintMemo()
        self.pages_memo = PagesMemo()
        self.bytecode = TemplateBytecode()
        self.incremental: Incremental | None = None
        self.replaying = False  # re-running page_markdown for skipped pages (site/incremental.py)

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command, self.dirty = command, dirty
        if command == "serve":
            self.sigterm_set = _stop_on_sigterm()

    def _previewing(self) -> bool:
        # `mkdocs serve` adds an inline live-reload script after every hook has run, which the
        # policy's hashes cannot know: previews go without the policy (the sanitizer still runs).
        return self.command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        # MkDocs keeps one instance of a plugin for the whole process and loads each new config
        # into it (`mkdocs serve` after an edit of mkdocs.yml): nothing of the last build carries over.
        self.loaded, self.site, self.searching = None, None, False
        self.generated, self.stashed, self.checked, self.cards = set(), {}, set(), {}
        if not self.config.enabled:
            return None
        guard_build_log()
        # MkDocs names further instances "followthrough #2", ...
        instances = [name for name in config.plugins if name == PLUGIN_NAME or name.startswith(f"{PLUGIN_NAME} #")]
        if len(instances) > 1:
            raise PluginError(listed_twice(config.config_file_path or "mkdocs.yml", len(instances)))
        # The plugin's own settings were validated by MkDocs with the same classes as the CLI's.
        for name in REQUIRED_EXTENSIONS:
            if not any(isinstance(e, str) and e.split(".")[-1] == name for e in config.markdown_extensions):
                config.markdown_extensions.append(name)
        try:
            self.today = resolve_today()  # once per build: every page is as of the same day
            self.loaded = loaded_config(
                config.config_file_path or None,
                config.docs_dir,
                config.site_url or "",
                self.config,
                markdown_extensions=config.markdown_extensions,
                mdx_configs=config.mdx_configs,
                use_directory_urls=config.use_directory_urls,
            )
            self.options = site_of(self.loaded)
        except FollowthroughError as exc:
            raise PluginError(str(exc)) from None
        root, settings = self.loaded.root, self.loaded.settings
        if config.nav is None:
            config.nav = copy.deepcopy(SITE_NAV)
        # Leaving postmortems out of the nav is the design, not an oversight worth a line per file.
        config.validation.nav.omitted_files = min(config.validation.nav.omitted_files, logging.DEBUG)
        if paths.CSS not in [str(c) for c in config.extra_css]:
            config.extra_css.append(paths.CSS)
        if paths.JS not in [str(c) for c in config.extra_javascript]:
            config.extra_javascript.append(paths.JS)
        # `mkdocs serve` already watches docs_dir and mkdocs.yml; templates and tracker state count too.
        for extra in (*template_dirs(root), root / settings.state_file):
            if extra.exists() and str(extra) not in config.watch:
                config.watch.append(str(extra))
        self._use_search(config)
        self._build_beside(config)
        self._start_incremental(config)
        return config

    def _use_search(self, config: MkDocsConfig) -> None:
        """The theme overrides that put Pagefind's search in the header (site/search.py), after
        a custom_dir of the site's own, so a team's override still wins."""
        self.material_search = any(name in config.plugins for name in ("material/search", "search"))
        self.searching = config.theme.name == "material"
        if not self.searching:
            log.info(f"theme {config.theme.name!r}: the site's search (Pagefind, with filters) needs mkdocs-material; the theme's own search is used")
            return
        try:
            theme = str(search.theme_dir())
        except FollowthroughError as exc:
            raise PluginError(str(exc)) from None
        if theme not in config.theme.dirs:
            config.theme.dirs.insert(1 if config.theme.custom_dir else 0, theme)
        for name in ("material/search", "search"):
            if name in config.plugins:
                log.warning(
                    f"plugins: {name.split('/')[-1]} (mkdocs-material's search) builds an index the site does not use: its search is "
                    "Pagefind's, written by the followthrough plugin; remove `search` from plugins in mkdocs.yml"
                )
                break
    def _start_incremental(self, config: MkDocsConfig) -> None:
        """The store of the last build's pages: a temporary one for the life of `mkdocs serve`,
        `.followthrough/cache/site/` for a build (restored by the publish workflow)."""
        assert self.loaded is not None
        previous = self.incremental
        if self._previewing():
            if previous is None or previous.store.persist:
                if previous is not None:
                    previous.close()
                folder = Path(tempfile.mkdtemp(prefix="followthrough-preview-"))
                previous = Incremental.create(folder, persist=False)
        else:
            folder = self.loaded.root / ".followthrough" / "cache" / "site"
            self._release_cache()
            self.cache_lock = CacheLock.take(folder)
            if self.cache_lock is None:
                log.info(f"another build is using the build cache {relative_to_root(folder, self.loaded.root)} (or it cannot be locked): this build builds every page and leaves the cache as it is")
                if previous is not None:
                    previous.close()
                self.incremental = None
                return
            if previous is None or previous.store.folder != folder:
                if previous is not None:
                    previous.close()
                previous = Incremental.create(folder, persist=True)
        self.incremental = previous
        previous.begin(preview=self._previewing(), dirty=self.dirty)

    def _build_beside(self, config: MkDocsConfig) -> None:
        """Send this build to a fresh folder beside site_dir (see site/swap.py). `mkdocs serve`
        builds into a temporary folder of its own, and `--dirty` adds to the old site on purpose."""
        self._end_swap(commit=False)
        if self.command == "serve" or self.dirty:
            return
        self.swap = SiteSwap.begin(config.site_dir)
        self.built = config
        config.site_dir = str(self.swap.fresh)
        if config.strict:
            self.warnings = WarningCounter()
            logging.getLogger(ENGINE_LOG).addHandler(self.warnings)

    def _end_swap(self, *, commit: bool) -> None:
        swap, self.swap = self.swap, None
        if self.warnings is not None:
            logging.getLogger(ENGINE_LOG).removeHandler(self.warnings)
        warned = self.warnings is not None and self.warnings.count > 0
        self.warnings = None
        if swap is None:
            return
        if self.built is not None:
            self.built.site_dir = str(swap.final)  # `gh-deploy` pushes site_dir once the build returns
            self.built = None
        if commit and not warned:
            try:
                swap.commit()
            except OSError as exc:
                raise PluginError(f"the new site could not be put in place of {swap.final}: {exc}") from None
            log.info(f"site written to {swap.final}")
        else:
            swap.abandon()

    def on_pre_build(self, *, config: MkDocsConfig) -> None:
        # Before MkDocs lists docs_dir: it follows links to folders there, so a link to / or a
        # loop of links would be walked without end before any later event could refuse it.
        if not self.config.enabled or self.loaded is None:
            return
        refused = docs_refusals(self.loaded)[1]
        if refused:
            shown = "\n".join(f"  {f}" for f in refused)
            raise PluginError(f"{len(refused)} file(s) in docs_dir are not read; the site is not built (run `followthrough lint`):\n{shown}")

    def _release_cache(self) -> None:
        if self.cache_lock is not None:
            self.cache_lock.release()
            self.cache_lock = None

    @event_priority(-100)  # after every other plugin has written its files into the new site
    def on_post_build(self, *, config: MkDocsConfig) -> None:
        gc.unfreeze()  # frozen in on_files; `mkdocs serve` builds again in this process
        try:
            if self.incremental is not None and self.site is not None:
                self.incremental.finish(config)
        finally:
            self._release_cache()
        # Indexed before the swap: a failed index fails the build and leaves the old site. A
        # preview goes without (the box says so): it would add the indexer's time to every save.
        if self.site is not None and self.searching and not self._previewing():
            try:
                done = search.index_site(Path(config.site_dir))
            except FollowthroughError as exc:
                raise PluginError(str(exc)) from None
            log.info(f"search index: {done.summary}")
        self._end_swap(commit=True)

    def on_shutdown(self) -> None:
        if self.sigterm_set and threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            self.sigterm_set = False
        if self.incremental is not None and not self.incremental.store.persist:
            self.incremental.close()  # the preview's temporary store
            self.incremental = None

    def on_build_error(self, *, error: Exception) -> None:
        gc.unfreeze()
        if self.incremental is not None:
            self.incremental.abandon()
        self._release_cache()
        self._end_swap(commit=False)

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.loaded is None:
            return None
        loaded = self.loaded
        # While serving, lint errors become pages (site/errorpage.py); a build stops on them.
        refuse = None if self._previewing() else "the site is not built from invalid files"
        try:
            workspace = load_workspace(loaded, today=self.today, refuse_errors=refuse, lint=self.lint_memo)
            errors = workspace.repo.errors
            for finding in workspace.repo.findings:
                if not finding.is_error:
                    log.info(str(finding))  # warnings belong to `followthrough lint --strict`, not to `mkdocs build --strict`
            for finding in errors:
                log.warning(str(finding))  # only while serving: a build has stopped above
            self.checked = set(workspace.repo.pages)
            self.site = workspace.site()
            templates = self.incremental.templates_digest(loaded.root) if self.incremental else ""
            inputs = workspace.site_inputs(templates)
            pages = self.pages_memo.get(inputs)
            if pages is None:
                pages = self.site.pages()
                self.pages_memo.put(inputs, pages)
            if self.incremental is not None:
                self.incremental.card_inputs(loaded, templates, workspace.states)
        except FollowthroughError as exc:
            raise PluginError(str(exc)) from None
        bad_pages: dict[str, str] = {}
        if errors:
            pages, bad_pages = self._error_pages(dict(pages), errors)
        people = files.get_file_from_path(loaded.settings.people_file)
        if people is not None:
            files.remove(people)  # e-mails and tracker account ids: never published
        self._keep_publishable(files, config)
        for path, content in pages.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                if existing.generated_by is None and not _is_generated(existing):
                    where = relative_to_root(Path(existing.abs_src_path or path), loaded.root)
                    raise PluginError(f"{safe_line(str(where))}: the followthrough plugin generates this page; rename or move your file")
                files.remove(existing)  # a copy left by `followthrough pages --out` into docs_dir
            files.append(File.generated(config, path, content=content))
        for path, content in bad_pages.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, path, content=content))
        self.generated = {path for path in pages if path.endswith(".md")}
        self.stashed = {}
        # The postmortems and pages stay alive for the whole build and hold no cycle: leave them
        # out of every later full collection (each would walk them all; about 0.2 s at 1,000).
        gc.freeze()
        return files

    def _error_pages(self, pages: dict[str, str], errors: Sequence[Finding]) -> tuple[dict[str, str], dict[str, str]]:
        """The pages of a preview with lint errors: the list of errors, a notice on the home page,
        and in place of each bad page of docs_dir its own errors."""
        assert self.loaded is not None
        docs = self.loaded.docs_dir.resolve()
        by_page: dict[str, tuple[str, list[Finding]]] = {}
        for finding in errors:
            path = self.loaded.root / finding.path
            try:
                src = (path.parent.resolve() / path.name).relative_to(docs).as_posix()
            except (ValueError, OSError):
                continue  # not a page (mkdocs.yml, the state file)
            if src.endswith(".md"):
                by_page.setdefault(src, (finding.path, []))[1].append(finding)
        pages[errorpage.ERRORS_PAGE] = errorpage.errors_page(errors, {src: path for src, (path, _) in by_page.items()})
        if paths.HOME in pages:
            pages[paths.HOME] = errorpage.notice(pages[paths.HOME], len(errors))
        bad = {src: errorpage.bad_page(src, path, found) for src, (path, found) in by_page.items() if src not in pages}
        return pages, bad

    def on_nav(self, nav: Navigation, *, config: MkDocsConfig, files: Files) -> Navigation | None:
        # After the nav is known and before MkDocs reads a page: which pages this build skips.
        if self.site is not None and self.incremental is not None:
            self.incremental.plan(nav, config, files, self.site)
        return None

    @event_priority(110)  # before the tags plugin (100) lists the pages of the tags page
    def on_env(self, env, *, config: MkDocsConfig, files: Files):  # type: ignore[no-untyped-def]
        if self.site is None:
            return None
        if env.bytecode_cache is None:
            env.bytecode_cache = self.bytecode
        if self.incremental is None:
            return None
        self.incremental.restore(config)
        self.replaying = True  # our own page_markdown stays out of it
        try:
            self.incremental.replay(config, files)
        finally:
            self.replaying = False
        return None

    def on_template_context(self, context, *, template_name: str, config: MkDocsConfig):  # type: ignore[no-untyped-def]
        if self.incremental is not None and template_name == "sitemap.xml":
            return self.incremental.sitemap_context(context, config)
        return None

    def _keep_publishable(self, files: Files, config: MkDocsConfig) -> None:
        """Take out of the build every file of docs_dir that is not a Markdown page, not matched by
        `publish_files` and not named by mkdocs.yml itself (extra_css, extra_javascript,
        extra_templates); and, should one have appeared since on_pre_build, every link."""
        assert self.loaded is not None
        docs = os.path.abspath(config.docs_dir)
        named = {str(x) for x in (*config.extra_css, *config.extra_javascript, *config.extra_templates)}
        left_out: list[str] = []
        for file in list(files):
            if file.generated_by is not None or file.src_dir is None or os.path.abspath(file.src_dir) != docs:
                continue  # the theme's files, and pages other plugins generate
            try:
                refusal = refusal_of(Path(file.abs_src_path or ""), os.lstat(file.abs_src_path or ""))
            except OSError:
                refusal = None
            if refusal is not None:
                where = relative_to_root(refusal.path, self.loaded.root)
                raise PluginError(f"{where}:1:1: {refusal.code} {refusal.message}")
            if file.is_documentation_page() or file.src_uri in named or is_published(file.src_uri, self.loaded.settings.publish_files):
                continue
            files.remove(file)
            left_out.append(file.src_uri)
        if left_out:
            where = self.loaded.config_file.name if self.loaded and self.loaded.config_file else "mkdocs.yml"
            log.info(
                f"not published (not Markdown, and not matched by publish_files): {safe_line(', '.join(left_out))}; "
                f"to publish a file you maintain, list it or a glob in {where}: plugins.followthrough.publish_files "
                "(the list replaces the default pictures; see guide/security.md before adding .html, .svg or .js)"
            )

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.site is None or self.replaying:
            return None
        if page.file.src_uri in self.generated:
            return self._stash_tables(page.file.src_uri, markdown)
        pm = self.site.find(page.file.src_uri)
        if pm is None:
            if page.file.src_uri not in self.checked:
                # A page another plugin generated, or one that appeared after on_files: the same
                # bounds as lint's, before the renderer reads it.
                problems = lint_page(page.file.src_uri, markdown)  # str(finding) makes the name safe
                if problems:
                    raise PluginError("\n".join(str(f) for f in problems))
            # Any other page of docs_dir is repo content too: themes print its front-matter raw.
            page.meta = sanitize_meta(page.meta)
            return None
        page.meta["title"] = self.site.page_title(pm)
        # mkdocs-material prints tag names as raw HTML: give it text that cannot be markup.
        page.meta["tags"] = [safe_page_title(t) for t in pm.tags]
        return self.site.postmortem_markdown(pm, card_placeholder=True, sanitized_after=True)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        """Every page's HTML goes through the sanitizer; then the blocks this plugin built itself
        (the header card, the generated pages' tables and charts, all escaped by their
        templates) are put in. The card goes in after Markdown so Markdown need not parse it,
        and after search has indexed the page (on_page_context): search reads its text only."""
        if self.site is None:
            return None
        sanitize_toc(page.toc.items)
        if "title" not in page.meta and page.title:
            page.meta["title"] = safe_title(page.title, is_html=True)  # taken from the rendered first heading
        blocks = self.stashed.pop(page.file.src_uri, None)
        if blocks is not None:
            parts = _STASH_MARK.split(html)  # text, index, text, index, ..., text
            return "".join(sanitize_html(part) if i % 2 == 0 else blocks[int(part)] for i, part in enumerate(parts))
        pm = self.site.find(page.file.src_uri)
        if pm is None or CARD_MARK not in html:
            return sanitize_html(html)
        before, after = html.split(CARD_MARK, 1)
        card = self.site.card_html(pm)
        if not self.material_search:  # Pagefind reads the written page: the card goes in as it is
            return sanitize_html(before) + card + sanitize_html(after)
        # Comments cannot come from the page (the sanitizer drops them): the marks are ours.
        for_search = f"{_CARD_OPEN}{search_copy(card)}{_CARD_CLOSE}"
        self.cards[page.file.src_uri] = (for_search, card)
        return sanitize_html(before) + for_search + sanitize_html(after)

    @event_priority(-100)  # after the search plugin (priority 0) has read page.content
    def on_page_context(self, context: Any, *, page: Page, config: MkDocsConfig, nav: Any) -> Any:
        if self.incremental is not None and self.site is not None:
            self.incremental.built(page)  # what search and tags took from the page, kept for skipped builds
        held = self.cards.pop(page.file.src_uri, None)
        if held is None:
            return None
        content = page.content or ""
        # Between the marks rather than the exact text: a plugin after ours may have reformatted it.
        start, end = content.find(_CARD_OPEN), content.find(_CARD_CLOSE)
        if start < 0 or end < start:
            raise PluginError(f"{safe_line(page.file.src_uri)}: the header card could not be put in: a plugin after followthrough took the comments out of the page's HTML")
        page.content = content[:start] + held[1] + content[end + len(_CARD_CLOSE) :]
        return None

    def on_post_page(self, output: str, *, page: Page, config: MkDocsConfig) -> str | None:
        if self.site is None or self._previewing() or not self.options.content_security_policy:
            return None
        return add_policy(output, self.options.content_security_policy, page.content)

    def on_post_template(self, output_content: str, *, template_name: str, config: MkDocsConfig) -> str | None:
        if self.site is None or self._previewing() or not self.options.content_security_policy or not template_name.endswith(".html"):
            return None
        return add_policy(output_content, self.options.content_security_policy)

    def _stash_tables(self, src_uri: str, markdown: str) -> str:
        # The generated pages' tables are HTML already (thousands of rows on a large repo): hand
        # Markdown a placeholder for each and put the table back into the built HTML.
        blocks: list[str] = []

        def stash(match: re.Match[str]) -> str:
            blocks.append(match.group(0))
            return f"<!-- followthrough block {len(blocks) - 1} -->"

        self.stashed[src_uri] = blocks
        return _HTML_BLOCK.sub(stash, markdown)


# A table, a chart, or a table in the <div> that styles it (ft-items, ft-figures): the block must
# be stashed whole, since the sanitizer would close a <div> left open at the end of a part.
_HTML_BLOCK = re.compile(r'^(?:<table>.*?^</table>|<div class="ft-chart">.*?^</svg></div>|<div class="ft-(?:items|figures)">.*?^</div>)$', re.M | re.S)
_STASH_MARK = re.compile(r"<!-- followthrough block (\d+) -->")
_CARD_OPEN, _CARD_CLOSE = "<!-- followthrough: card for search -->", "<!-- followthrough: end of card -->"


def _is_generated(file: File) -> bool:
    try:
        content = file.content_string
    except (OSError, UnicodeDecodeError):
        return False
    return paths.is_generated_copy(file.src_uri, content[:500])


__all__ = ["FollowthroughPlugin"]
