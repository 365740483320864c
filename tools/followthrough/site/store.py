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
import stat
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
            self.pages = {str(src): _stored(e) for src, e in data["pages"].items()}
        except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError):
            self.site_key, self.pages = "", {}  # none yet, or unreadable or tampered with: a full build

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
        if stored is None or stored.key != key or stored.dest_uri != dest_uri or not self._regular(dest_uri):
            return None
        return stored

    def _file(self, dest_uri: str) -> Path:
        return self.folder / "pages" / dest_uri

    def _regular(self, dest_uri: str) -> bool:
        """The stored page is a regular file of the store itself: not a link, and not below a
        folder that is a link (a cache restored from elsewhere may hold either)."""
        path = self.folder / "pages"
        try:
            for part in dest_uri.split("/"):
                if stat.S_ISLNK(os.lstat(path).st_mode):
                    return False
                path = path / part
            return stat.S_ISREG(os.lstat(path).st_mode)
        except OSError:
            return False

    def _target(self, dest_uri: str) -> Path:
        """Where a page is stored, its folders made real ones: a link or a file where a folder
        of the store should be is removed, so nothing is written through it."""
        *folders, name = dest_uri.split("/")
        path = self.folder / "pages"
        for part in [None, *folders]:
            path = path / part if part is not None else path
            try:
                if stat.S_ISDIR(os.lstat(path).st_mode):
                    continue
                path.unlink()
            except FileNotFoundError:
                pass
            path.mkdir()
        return path / name

    def restore(self, stored: Stored, site_dir: str) -> None:
        _place(self._file(stored.dest_uri), Path(site_dir) / stored.dest_uri)

    def put(self, src_uri: str, stored: Stored, built: str) -> None:
        if not os.path.isfile(built):
            self.pages.pop(src_uri, None)  # MkDocs wrote nothing (an empty page)
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        _place(Path(built), self._target(stored.dest_uri))
        self.pages[src_uri] = stored

    def drop(self, src_uri: str) -> Stored | None:
        stored = self.pages.pop(src_uri, None)
        if stored is not None and self._regular(stored.dest_uri):
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


def _safe_uri(uri: str) -> bool:
    """A page's file as MkDocs names it: a relative path inside site_dir (never absolute, never
    climbing out with "..", no empty or "." part)."""
    parts = uri.split("/")
    return bool(uri) and "\0" not in uri and all(p not in ("", ".", "..") for p in parts)


def _stored(entry: Any) -> Stored:
    key, dest_uri, search, meta = entry[0], entry[1], entry[2], entry[3]
    if not all(isinstance(v, str) for v in (key, dest_uri, search)) or not isinstance(meta, dict) or not _safe_uri(dest_uri):
        raise ValueError(f"a tampered entry: {entry!r:.200}")
    title, tags = meta.get("title", ""), meta.get("tags", [])
    if not isinstance(title, str) or not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ValueError(f"a tampered entry: {entry!r:.200}")
    return Stored(key, dest_uri, search, dict(meta))


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


class CacheLock:
    """One build at a time uses a build cache: two `mkdocs build`s on one checkout would otherwise
    store pages into the same folder and one manifest, and pair one build's keys with the other's
    pages. The kernel's lock (`flock`) on `<folder>.lock`, dropped when the process ends however
    it ends; a build that cannot take it at once builds every page and leaves the cache alone."""

    def __init__(self, fd: int) -> None:
        self.fd: int | None = fd

    @classmethod
    def take(cls, folder: Path) -> CacheLock | None:
        try:
            import fcntl
        except ImportError:  # no flock (Windows): no shared cache either
            return None
        try:
            folder.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(folder.parent / f"{folder.name}.lock", os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return None
        return cls(fd)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing the descriptor drops the lock
            self.fd = None
