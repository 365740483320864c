"""The pages of the last build, kept so the next build can skip the pages whose inputs did not
change: each page's built HTML file (a hard link to the site's own file where the file system
allows it, else a copy), the key it was built from, its search entries and the metadata the tags
page lists it by.

A build keeps its store in `.followthrough/cache/site/` beside mkdocs.yml (the publish workflow
restores it with actions/cache); `mkdocs serve` keeps one in a temporary folder for the life of
the server. Deleting the folder is always safe: the next build is a full one.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MANIFEST = "manifest.json"
FORMAT = 1  # bumped when the manifest's shape changes: an older store is then ignored


@dataclass
class Stored:
    key: str  # what the page was built from (site/keys.py)
    dest_uri: str  # its file in the site, relative to site_dir
    search: str  # its search entries as JSON list items, comma-joined ("" when none)
    meta: dict[str, Any]  # title and tags, for the tags page's listing


class PageStore:
    def __init__(self, folder: Path, *, persist: bool) -> None:
        self.folder = folder
        self.persist = persist  # write the manifest to disk (a build); serve keeps it in memory
        self.site_key = ""
        self.pages: dict[str, Stored] = {}
        self._loaded = False

    def load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            data = json.loads((self.folder / MANIFEST).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                return
            self.site_key = str(data["site_key"])
            self.pages = {src: Stored(str(e[0]), str(e[1]), str(e[2]), dict(e[3])) for src, e in data["pages"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            self.site_key, self.pages = "", {}  # none yet, or unreadable: a full build

    def reread(self) -> None:
        """The manifest is read again before the next use (a build's store; serve's lives in memory)."""
        if self.persist:
            self._loaded, self.site_key, self.pages = False, "", {}

    def reset(self, site_key: str) -> None:
        """A different site (settings, nav, theme, today's card inputs...): nothing stored is reusable."""
        self.site_key, self.pages = site_key, {}
        shutil.rmtree(self.folder / "pages", ignore_errors=True)

    def usable(self, src_uri: str, key: str, dest_uri: str) -> Stored | None:
        stored = self.pages.get(src_uri)
        if stored is None or stored.key != key or stored.dest_uri != dest_uri or not self._file(dest_uri).is_file():
            return None
        return stored

    def _file(self, dest_uri: str) -> Path:
        return self.folder / "pages" / dest_uri

    def restore(self, stored: Stored, site_dir: str) -> None:
        _place(self._file(stored.dest_uri), Path(site_dir) / stored.dest_uri)

    def put(self, src_uri: str, stored: Stored, built: str) -> None:
        if not os.path.isfile(built):
            self.pages.pop(src_uri, None)  # MkDocs wrote nothing (an empty page)
            return
        _place(Path(built), self._file(stored.dest_uri))
        self.pages[src_uri] = stored

    def drop(self, src_uri: str) -> Stored | None:
        stored = self.pages.pop(src_uri, None)
        if stored is not None:
            try:
                self._file(stored.dest_uri).unlink()
            except OSError:
                pass
        return stored

    def save(self) -> None:
        if not self.persist:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# the site build's cache (guide/site.md, Previews): never committed\n*\n", encoding="utf-8")
        data = {
            "format": FORMAT,
            "site_key": self.site_key,
            "pages": {src: [s.key, s.dest_uri, s.search, s.meta] for src, s in self.pages.items()},
        }
        tmp = self.folder / f".{MANIFEST}.tmp"
        tmp.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, self.folder / MANIFEST)

    def forget(self) -> None:
        """Nothing stored is trusted any more (a write failed half-way): the next build is a full one."""
        self.site_key, self.pages = "", {}
        try:
            (self.folder / MANIFEST).unlink()
        except OSError:
            pass

    def remove(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


def _place(source: Path, target: Path) -> None:
    """`target` becomes `source`'s content: a new hard link (never writing through an old one,
    which the site or the store may share), else a copy. Already the same file (a `--dirty`
    build keeps the site of the last one): nothing to do."""
    try:
        if os.path.samestat(os.stat(source), os.stat(target)):
            return
        target.unlink()
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)
