"""The shell around the core: finding postmortem files on disk and loading them with the config.

Everything that touches the file system for reading postmortems is here, so `lint`,
the site plugin, sync and reports see the same postmortems the same way.
"""

from __future__ import annotations

import gc
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

from .config import LoadedConfig
from .errors import UsageError
from .findings import Finding
from .lint import lint_texts
from .model import Directory, Postmortem
from .people import parse_directory
from .rules.context import Context
from .today import resolve_today

_YEAR = re.compile(r"^\d{4}$")
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}-")


@dataclass(frozen=True)
class Repo:
    config: LoadedConfig
    directory: Directory
    postmortems: tuple[Postmortem, ...]
    findings: tuple[Finding, ...]
    today: date
    files: tuple[Path, ...] = field(default=())

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    def file_of(self, pm: Postmortem) -> Path:
        return (self.config.root / pm.path).resolve()

    def valid_postmortems(self) -> tuple[Postmortem, ...]:
        """Postmortems without error findings: what the site, sync and reports work from."""
        bad = {f.path for f in self.errors}
        return tuple(pm for pm in self.postmortems if pm.path not in bad)

    def docs_path(self, pm: Postmortem) -> str:
        """The file's path inside docs_dir (MkDocs' src_uri), posix."""
        return self.file_of(pm).relative_to(self.config.docs_dir.resolve()).as_posix()


def is_postmortem_path(relative: Path) -> bool:
    """Postmortems live in year folders or are named after their date; other pages are just pages."""
    if relative.suffix != ".md":
        return False
    return any(_YEAR.match(part) for part in relative.parts[:-1]) or bool(_DATED.match(relative.name))


def discover(folder: Path) -> list[Path]:
    found = []
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        base = Path(dirpath)
        for name in sorted(filenames):
            path = base / name
            if is_postmortem_path(path.relative_to(folder)):
                found.append(path)
    return found


def expand_paths(paths: Sequence[Path]) -> list[Path]:
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(discover(p))
        elif p.is_file():
            files.append(p)
        else:
            raise UsageError(f"{p}: no such file or folder")
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.resolve()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique


def relative_to_root(path: Path, root: Path) -> str:
    resolved = path.resolve()
    try:
        return resolved.relative_to(root).as_posix()
    except ValueError:
        return resolved.as_posix()


def read_texts(files: Iterable[Path], root: Path) -> Iterable[tuple[str, str]]:
    """(path relative to root, text); an unreadable file yields a text that parses to FT009."""
    for f in files:
        rel = relative_to_root(f, root)
        try:
            yield rel, f.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            yield rel, _UNREADABLE + f"not UTF-8 text ({exc.reason} at byte {exc.start})"
        except OSError as exc:
            yield rel, _UNREADABLE + f"cannot be read: {exc.strerror}"


_UNREADABLE = "\x00unreadable:"


def load_directory(config: LoadedConfig) -> tuple[Directory, list[Finding]]:
    path = config.docs_dir / config.settings.people_file
    rel = relative_to_root(path, config.root)
    if not path.is_file():
        return Directory(path=rel), []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return Directory(present=True, path=rel), [Finding(rel, 1, 1, "FT009", f"the people directory cannot be read: {exc}")]
    return parse_directory(text, rel)


def _without_gc(fn, *args):  # type: ignore[no-untyped-def]
    """Run `fn` with the cycle collector paused: parsing makes many objects and no cycles, and
    collections triggered by the allocations alone cost about a fifth of a large lint."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return fn(*args)
    finally:
        if was_enabled:
            gc.enable()


def load_repo(config: LoadedConfig, paths: Sequence[Path] | None = None, today: date | None = None) -> Repo:
    """Load and lint the postmortems: every one under docs_dir, or those in `paths`."""
    today = today or resolve_today()
    directory, dir_findings = load_directory(config)
    files = expand_paths(paths) if paths else (discover(config.docs_dir) if config.docs_dir.is_dir() else [])
    ctx = Context(config.settings, directory, today)
    texts = []
    unreadable = []
    for rel, text in read_texts(files, config.root):
        if text.startswith(_UNREADABLE):
            unreadable.append(Finding(rel, 1, 1, "FT009", "the file " + text[len(_UNREADABLE):]))
        else:
            texts.append((rel, text))
    result = _without_gc(lambda: lint_texts(texts, ctx, reraise=bool(os.environ.get("FOLLOWTHROUGH_DEBUG"))))
    findings = tuple(sorted([*dir_findings, *unreadable, *result.findings]))
    return Repo(config, directory, result.postmortems, findings, today, tuple(files))
