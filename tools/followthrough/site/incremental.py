"""Building only the pages whose inputs changed, in a full `mkdocs build` and in `mkdocs serve`.

MkDocs builds every page of a normal build. A page whose key (site/keys.py) equals the key its
stored copy was built from (site/store.py) is marked EXCLUDED before MkDocs reads any page, so
MkDocs neither renders nor writes it (its links from other pages still resolve: MkDocs logs those
at info level); its stored HTML is linked into the new site instead. What MkDocs and its plugins
would have collected from a skipped page is put back from the store:

- the search index: the search plugin's entries of every built page are recorded as it makes
  them, and search_index.json is rewritten with each page's entries, fresh or stored, in page order;
- the tags page: the tags plugin is shown each skipped page with its stored title and tags
  (the page_markdown event run again with empty Markdown), and the tags page is built every time;
- the sitemap: it lists the skipped pages too.

The nav pages and the tags page are always built (every page shows the nav with their titles).
A page that is gone is not linked into the new site; a `--dirty` build, which keeps the old site,
has its file removed. A search plugin other than mkdocs-material's, whose entries cannot be
recorded, switches skipping off: every page is built.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from importlib import metadata
from pathlib import Path
from typing import Any, Mapping

import mkdocs
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.nav import Navigation
from mkdocs.structure.pages import Page

from followthrough import __version__
from followthrough.core.model import Postmortem, TicketState, state_key
from followthrough.core.pages import paths
from followthrough.core.pages.generate import Site
from followthrough.core.templates import TEMPLATES_FOLDER
from followthrough.files.repo import LoadedConfig
from followthrough.files.templates import template_dirs
from followthrough.site.keys import config_bytes, digest, file_bytes, folder_digest, links_signature
from followthrough.site.store import PageStore, Stored
from followthrough.site.swap import WarningCounter

log = get_plugin_logger(__name__)

ALWAYS_BUILT = (paths.TAGS,)
DIRTY_NOTICE = "A 'dirty' build is being performed"  # MkDocs' warning at every --dirty build  # besides the nav's pages: its listing is made from every page


@functools.lru_cache(maxsize=1)
def _code_digest() -> str:
    """Followthrough's own code, by content, once per process: a development checkout changes it
    without a new version number."""
    package = Path(__file__).resolve().parents[1]
    return digest(*(p.read_bytes() for p in sorted(package.rglob("*.py"))))


def _version(dist: str) -> str:
    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return ""


class Incremental:
    def __init__(self, store: PageStore) -> None:
        self.store = store
        self.preview = False
        self.dirty = False
        self._reset()

    @classmethod
    def create(cls, folder: Path, *, persist: bool) -> Incremental:
        return cls(PageStore(folder, persist=persist))

    def _reset(self) -> None:
        self.card_key = ""
        self.states: Mapping[str, TicketState] = {}
        self.active = False
        self.planned: dict[str, tuple[str, File]] = {}  # src_uri -> (key, file) of the pages this build builds
        self.skipped: dict[str, Stored] = {}
        self.inclusion: dict[str, InclusionLevel] = {}  # a skipped page's own inclusion level
        self.gone: list[str] = []  # src_uri of stored pages this build no longer has
        self.site_key = ""
        self.warnings: WarningCounter | None = None
        self.files: Files | None = None
        self.entries: list[Any] | None = None  # the search plugin's list of entries, as it fills it
        self.seen = 0
        self.search: dict[str, str] = {}  # src_uri -> its fresh entries (JSON list items)
        self.meta: dict[str, dict[str, Any]] = {}

    def begin(self, *, preview: bool, dirty: bool) -> None:
        self._stop_counting()
        self.preview, self.dirty = preview, dirty
        self._reset()
        self.store.reread()  # a build trusts the folder as it is now (deleted, restored by CI...)
        if not preview:
            # A page skipped next time would not log its warnings again: a build that warned
            # stores nothing, so its pages are built (and warn) again until the cause is fixed.
            self.warnings = WarningCounter()
            # MkDocs' own notice of a `--dirty` build says nothing about any page.
            self.warnings.addFilter(lambda record: not record.getMessage().startswith(DIRTY_NOTICE))
            logging.getLogger("mkdocs").addHandler(self.warnings)

    def abandon(self) -> None:
        """The build failed: nothing of it is stored."""
        self._stop_counting()
        self._reset()

    def _stop_counting(self) -> int:
        counter, self.warnings = self.warnings, None
        if counter is None:
            return 0
        logging.getLogger("mkdocs").removeHandler(counter)
        return counter.count

    def close(self) -> None:
        self._stop_counting()
        if not self.store.persist:
            self.store.remove()

    @staticmethod
    def templates_digest(root: Path) -> str:
        """The template folders by content, and what the repo's `templates` is (a link there is
        refused when a template is read: a change to or from a link must not go unread)."""
        own = root / TEMPLATES_FOLDER
        kind = "link" if own.is_symlink() else "folder" if own.is_dir() else "none"
        return digest(kind, folder_digest([own]) if kind != "none" else "", folder_digest(template_dirs(root)))

    def card_inputs(self, loaded: LoadedConfig, templates: str, states: Mapping[str, TicketState]) -> None:
        """What a postmortem's page shows besides its own file: the header card's names (people
        directory), the templates, and its own items' ticket state (and, added in `_key`, what it
        shows of the postmortems linked with it and of earlier incidents recurring past their fixes: `Site.others_key`). Not "today": the card holds no
        value that changes with the day alone (the browser counts days overdue), so a publish build
        the next day keeps every postmortem page; and not the whole state file, so a sync that moved
        one ticket rebuilds only that ticket's postmortem."""
        people = loaded.docs_dir / loaded.settings.people_file
        self.card_key = digest(file_bytes(people), templates)
        self.states = states

    def _card_key(self, pm: Postmortem) -> str:
        mine = [self.states.get(state_key(pm.id, item.id)) for item in pm.action_items]
        return digest(self.card_key, json.dumps([s.to_json() if s is not None else None for s in mine], sort_keys=True, default=str))

    # -- before MkDocs reads the pages ---------------------------------------------------------

    def plan(self, nav: Navigation, config: MkDocsConfig, files: Files, site: Site) -> None:
        search = _search_entries(config)
        if search is False:
            return  # a search index we cannot complete: build every page
        self.active, self.seen, self.files = True, 0, files
        self.entries = search if isinstance(search, list) else None
        always = set(ALWAYS_BUILT)
        titles = []
        for page in nav.pages:
            if page.markdown is None:
                page.read_source(config)  # so the nav's titles are known (MkDocs reads it again below)
            always.add(page.file.src_uri)
            titles.append(f"{page.file.src_uri}\t{page.title}\t{page.url}")
        site_key = digest(
            __version__, _code_digest(), mkdocs.__version__, _version("mkdocs-material"),
            *config_bytes(config.config_file_path), config.site_url or "", str(config.use_directory_urls),
            "preview" if self.preview else "build", "\n".join(titles), ",".join(config.theme.dirs),
            folder_digest([Path(config.theme.custom_dir)]) if config.theme.custom_dir else "",
            _settings_text(config),
        )  # fmt: skip
        store = self.store
        store.load()
        self.site_key = site_key
        stale = store.site_key != site_key  # then nothing stored is reused (and it is cleared once the build succeeds)
        for file in files:
            if not file.is_documentation_page() or file.inclusion.is_excluded():
                continue  # not a page, or one MkDocs leaves out (exclude_docs, drafts)
            src = file.src_uri
            key = self._key(file, files, site)
            stored = None if src in always or stale else store.usable(src, key, file.dest_uri)
            if stored is not None:
                self.inclusion[src] = file.inclusion
                file.inclusion = InclusionLevel.EXCLUDED
                self.skipped[src] = stored
            else:
                self.planned[src] = (key, file)
                if self.dirty:
                    _unlink(file.abs_dest_path)  # MkDocs' --dirty skips a page whose output is newer than its source
        self.gone = [] if stale else [src for src in store.pages if src not in self.planned and src not in self.skipped]
        if self.dirty:  # the old site is kept: a page that is gone must be taken out of it
            for src in self.gone:
                _unlink(os.path.join(config.site_dir, store.pages[src].dest_uri))

    def _key(self, file: File, files: Files, site: Site) -> str:
        content = file.content_bytes
        if file.generated_by is not None:
            return digest("generated", content)
        text = content.decode("utf-8", "replace")
        pm = site.find(file.src_uri)
        kind, card = ("postmortem", digest(self._card_key(pm), site.others_key(pm))) if pm is not None else ("page", "")
        return digest(kind, content, card, links_signature(text, file.src_uri, files))

    # -- after MkDocs read the pages, before it writes them ---------------------------------------

    def restore(self, config: MkDocsConfig) -> None:
        for src, stored in self.skipped.items():
            try:
                self.store.restore(stored, config.site_dir)
            except OSError as exc:  # the page would be missing from the site: stop
                raise PluginError(f"{src}: its page could not be taken from the build cache {self.store.folder} ({exc}); delete that folder and build again") from None

    def replay(self, config: MkDocsConfig, files: Files) -> None:
        """Show the tags plugin each skipped page that has tags, as if it had been read."""
        if not self.skipped or not any(name == "tags" or name.endswith("/tags") for name in config.plugins):
            return
        for src, stored in self.skipped.items():
            if not stored.meta.get("tags"):
                continue
            file = files.get_file_from_path(src)
            if file is None:
                continue
            page = file.page if file.page is not None else Page(None, file, config)
            page.markdown, page.meta = "", dict(stored.meta)
            # Plugins pass over excluded files (mkdocs-material's file filter): for this event
            # the page is what it would have been, one MkDocs builds.
            file.inclusion = self.inclusion[src]
            try:
                config.plugins.on_page_markdown("", page=page, config=config, files=files)
            finally:
                file.inclusion = InclusionLevel.EXCLUDED

    def built(self, page: Page) -> None:
        """A page MkDocs is building: what the search and tags plugins took from it."""
        if not self.active:
            return
        src = page.file.src_uri
        if self.entries is not None:
            fresh = self.entries[self.seen :]
            self.seen = len(self.entries)
            self.search[src] = ",".join(json.dumps(e, separators=(",", ":"), default=str) for e in fresh)
        tags = page.meta.get("tags")
        self.meta[src] = {"title": str(page.title or ""), "tags": [str(t) for t in tags]} if tags else {}

    def sitemap_context(self, context: Any, config: MkDocsConfig) -> Any:
        if not self.skipped or self.files is None:
            return None
        listed = []
        for file in self.files:
            if file.is_documentation_page() and (file.inclusion.is_included() or file.src_uri in self.skipped):
                if file.page is None:
                    Page(None, file, config)
                listed.append(file)
        context["pages"] = listed
        return context

    # -- after the build ----------------------------------------------------------------------

    def finish(self, config: MkDocsConfig) -> None:
        warned = self._stop_counting()
        if not self.active or self.files is None:
            return
        if self.entries is not None:
            self._write_search_index(config)
        if warned:
            return
        try:
            if self.store.site_key != self.site_key:
                self.store.reset(self.site_key)
            for src in self.gone:
                self.store.drop(src)
            for src, (key, file) in self.planned.items():
                self.store.put(src, Stored(key, file.dest_uri, self.search.get(src, ""), self.meta.get(src, {})), file.abs_dest_path or "")
            self.store.save()
        except OSError as exc:  # a read-only checkout, a full disk: the site is fine, the next build is a full one
            self.store.forget()
            log.info(f"the build cache {self.store.folder} was not written ({exc}); the next build builds every page")

    def _write_search_index(self, config: MkDocsConfig) -> None:
        path = Path(config.site_dir, "search", "search_index.json")
        head = '{"config":'
        try:
            text = path.read_text(encoding="utf-8")
            # Only the search settings at its start are read: the entries are all rewritten.
            settings = json.JSONDecoder().raw_decode(text, len(head))[0] if text.startswith(head) else json.loads(text)["config"]
        except (OSError, ValueError, KeyError):
            return  # the search plugin wrote none
        assert self.files is not None
        parts = []
        for file in self.files:
            if not file.is_documentation_page():
                continue
            stored = self.skipped.get(file.src_uri)
            part = stored.search if stored is not None else self.search.get(file.src_uri, "")
            if part:
                parts.append(part)
        start = json.dumps({"config": settings}, separators=(",", ":"), default=str)[:-1]
        tmp = path.with_name(".search_index.json.tmp")
        tmp.write_text(f'{start},"docs":[{",".join(parts)}]}}', encoding="utf-8")
        os.replace(tmp, path)


# The settings a page's HTML shows or is rendered with, as MkDocs loaded them: mkdocs.yml's bytes
# do not say what an `!ENV` tag (or a theme's defaults) made of them.
_PAGE_SETTINGS = (
    "site_name", "site_description", "site_author", "copyright", "repo_url", "repo_name", "edit_uri",
    "edit_uri_template", "extra", "markdown_extensions", "mdx_configs", "extra_css", "extra_javascript",
    "extra_templates",
)  # fmt: skip


def _settings_text(config: MkDocsConfig) -> str:
    values = {name: config.get(name) for name in _PAGE_SETTINGS}
    values["theme"] = {name: config.theme[name] for name in config.theme}
    return json.dumps(values, sort_keys=True, default=str)


def _search_entries(config: MkDocsConfig) -> list[Any] | None | bool:
    """The list mkdocs-material's search plugin adds each page's entries to; None without a
    search plugin; False for one whose entries cannot be read (every page is then built).

    In a `--dirty` build mkdocs-material merges the last index into the new one itself, keeping
    the old entries of all but one rebuilt page; the index is rewritten whole here instead, so
    its merge is switched off (and the last index not encoded for nothing)."""
    for name, plugin in config.plugins.items():
        if name == "search" or name.endswith("/search"):
            entries = getattr(getattr(plugin, "search_index", None), "entries", None)
            if not getattr(plugin.config, "enabled", True):
                return None
            if not isinstance(entries, list):
                return False
            if getattr(plugin, "search_index_prev", None) is not None:
                plugin.search_index_prev = None
            return entries
    return None


def _unlink(path: str | None) -> None:
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass
