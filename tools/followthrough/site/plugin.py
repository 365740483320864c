"""`plugins: [followthrough]` in mkdocs.yml: lint the postmortems, add the generated pages.

Only MkDocs events live here. Loading and linting is `followthrough.repo` (the same code as
`followthrough lint`), the figures and pages are `followthrough.metrics` and
`followthrough.pages`; this module connects them to a build and to `mkdocs serve`.
"""

from __future__ import annotations

import dataclasses

import logging
import os
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, get_plugin_logger
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page

from ..blocks import SITE_EXTENSIONS, dialect_from
from ..config import LoadedConfig, PluginConfig, settings_from_plugin
from ..errors import FollowthroughError
from ..logline import safe_line, safe_lines
from ..pages import SITE_NAV, Site, SiteOptions, site_options
from ..pages.escape import safe_page_title
from ..pages.generate import CARD_MARK
from ..pages import paths
from ..repo import load_repo, relative_to_root
from ..state import read_state
from ..templating import template_dirs
from ..today import resolve_today

log = get_plugin_logger(__name__)

# The generated pages use these; a site that forgot one would show raw Markdown in the cards.
REQUIRED_EXTENSIONS = SITE_EXTENSIONS


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
    for handler in logging.getLogger("mkdocs").handlers:
        if not any(isinstance(f, OneLineRecords) for f in handler.filters):
            handler.addFilter(OneLineRecords())


class FollowthroughPlugin(BasePlugin[PluginConfig]):
    def __init__(self) -> None:
        super().__init__()
        self.loaded: LoadedConfig | None = None
        self.options = SiteOptions()
        self.site: Site | None = None
        self.generated: set[str] = set()  # src_uri of the pages this build generated
        self.stashed: dict[str, list[str]] = {}  # src_uri -> HTML blocks taken out before Markdown

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        guard_build_log()
        where = config.config_file_path or "mkdocs.yml"
        root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd().resolve()
        docs_dir = Path(config.docs_dir).resolve()
        docs_name = os.path.relpath(docs_dir, root).replace(os.sep, "/")
        site_url = config.site_url or ""
        try:
            settings = settings_from_plugin(self.config, docs_name, site_url, where)
            self.options = site_options(self.config.site, where)
        except FollowthroughError as exc:
            raise PluginError(str(exc)) from None
        self.loaded = LoadedConfig(root, Path(config.config_file_path) if config.config_file_path else None, docs_dir, site_url, self.config, settings)
        for name in REQUIRED_EXTENSIONS:
            if not any(isinstance(e, str) and e.split(".")[-1] == name for e in config.markdown_extensions):
                config.markdown_extensions.append(name)
        # Lint reads every body with the extensions this build renders it with.
        markdown = dialect_from(config.markdown_extensions, config.mdx_configs)
        self.loaded = dataclasses.replace(self.loaded, settings=dataclasses.replace(settings, markdown=markdown))
        if config.nav is None:
            config.nav = [dict(entry) for entry in SITE_NAV]
        # Leaving postmortems out of the nav is the design, not an oversight worth a line per file.
        config.validation.nav.omitted_files = min(config.validation.nav.omitted_files, logging.DEBUG)
        if paths.CSS not in [str(c) for c in config.extra_css]:
            config.extra_css.append(paths.CSS)
        # `mkdocs serve` already watches docs_dir and mkdocs.yml; templates and tracker state count too.
        for extra in (*template_dirs(root), root / settings.state_file):
            if extra.exists() and str(extra) not in config.watch:
                config.watch.append(str(extra))
        return config

    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled or self.loaded is None:
            return None
        loaded = self.loaded
        try:
            today = resolve_today()
            repo = load_repo(loaded, today=today)
            errors = repo.errors
            if errors:
                shown = "\n".join(f"  {f}" for f in errors)
                raise PluginError(f"{len(errors)} error(s) in postmortems; the site is not built from invalid files (run `followthrough lint`):\n{shown}")
            for warning in repo.findings:
                log.info(str(warning))  # warnings belong to `followthrough lint --strict`, not to `mkdocs build --strict`
            states = read_state(loaded.root / loaded.settings.state_file)
            valid = repo.valid_postmortems()
            doc_paths = {pm.id: repo.docs_path(pm) for pm in valid}
            self.site = Site.create(valid, repo.directory, loaded.settings, states, today, options=self.options, root=loaded.root, doc_paths=doc_paths, use_directory_urls=config.use_directory_urls)
            pages = self.site.pages()
        except FollowthroughError as exc:
            raise PluginError(str(exc)) from None
        people = files.get_file_from_path(loaded.settings.people_file)
        if people is not None:
            files.remove(people)  # e-mails and tracker account ids: never published
        for path, content in pages.items():
            existing = files.get_file_from_path(path)
            if existing is not None:
                if existing.generated_by is None and not _is_generated(existing):
                    where = relative_to_root(Path(existing.abs_src_path or path), loaded.root)
                    raise PluginError(f"{safe_line(str(where))}: the followthrough plugin generates this page; rename or move your file")
                files.remove(existing)  # a copy left by `followthrough pages --out` into docs_dir
            files.append(File.generated(config, path, content=content))
        self.generated = {path for path in pages if path.endswith(".md")}
        self.stashed = {}
        return files

    def on_page_markdown(self, markdown: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        if self.site is None:
            return None
        if page.file.src_uri in self.generated:
            return self._stash_tables(page.file.src_uri, markdown)
        pm = self.site.find(page.file.src_uri)
        if pm is None:
            return None
        page.meta["title"] = self.site.page_title(pm)
        # mkdocs-material prints tag names as raw HTML: give it text that cannot be markup.
        page.meta["tags"] = [safe_page_title(t) for t in pm.tags]
        return self.site.postmortem_markdown(pm, card_placeholder=True)

    def on_page_content(self, html: str, *, page: Page, config: MkDocsConfig, files: Files) -> str | None:
        # The card is HTML already; putting it in after Markdown has run spares Markdown from
        # parsing it on every postmortem page (a third of the plugin's per-page time).
        if self.site is None:
            return None
        blocks = self.stashed.pop(page.file.src_uri, None)
        if blocks is not None:
            return _STASH_MARK.sub(lambda m: blocks[int(m.group(1))], html)
        pm = self.site.find(page.file.src_uri)
        if pm is None or CARD_MARK not in html:
            return None
        return html.replace(CARD_MARK, self.site.card_html(pm), 1)

    def _stash_tables(self, src_uri: str, markdown: str) -> str:
        # The generated pages' tables are HTML already (thousands of rows on a large repo): hand
        # Markdown a placeholder for each and put the table back into the built HTML.
        blocks: list[str] = []

        def stash(match: re.Match[str]) -> str:
            blocks.append(match.group(0))
            return f"<!-- followthrough block {len(blocks) - 1} -->"

        self.stashed[src_uri] = blocks
        return _HTML_BLOCK.sub(stash, markdown)


_HTML_BLOCK = re.compile(r"^<(table|div class=\"ft-chart\")>.*?^</(?:table|svg></div)>$", re.M | re.S)
_STASH_MARK = re.compile(r"<!-- followthrough block (\d+) -->")


def _is_generated(file: File) -> bool:
    try:
        content = file.content_string
    except (OSError, UnicodeDecodeError):
        return False
    return paths.GENERATED_MARK in content[:500] or file.src_uri in (paths.EXPORT_ITEMS, paths.EXPORT_POSTMORTEMS, paths.CSS)


__all__ = ["FollowthroughPlugin"]
