"""The shell around the core: finding postmortem files on disk and loading them with the config.

Everything that touches the file system for reading postmortems is here, so `lint`,
the site plugin, sync and reports see the same postmortems the same way.
"""

from __future__ import annotations

import gc
import os
import re
import signal
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Sequence

from .workspace import LoadedConfig
from .errors import FollowthroughError, UsageError
from .findings import Finding
from .lint import IdRecord, duplicate_ids, lint_file, lint_texts
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
        try:
            key = f.resolve()
        except (OSError, RuntimeError):  # a symlink loop: read_texts reports it on the file
            key = f.absolute()
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
        try:
            rel = relative_to_root(f, root)
        except (OSError, RuntimeError) as exc:  # a symlink loop (RuntimeError before Python 3.13)
            yield f.as_posix(), _UNREADABLE + f"cannot be read: {getattr(exc, 'strerror', None) or exc}"
            continue
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


def _unreadable(rel: str, text: str) -> Finding | None:
    """The FT009 finding for a file read_texts could not read, else None."""
    return Finding(rel, 1, 1, "FT009", "the file " + text[len(_UNREADABLE) :]) if text.startswith(_UNREADABLE) else None


def _start(config: LoadedConfig, paths: Sequence[Path] | None, today: date | None) -> tuple[Directory, list[Finding], list[Path], Context]:
    """What every lint of a repo starts from: the people directory, the files, the context."""
    directory, dir_findings = load_directory(config)
    files = expand_paths(paths) if paths else (discover(config.docs_dir) if config.docs_dir.is_dir() else [])
    return directory, dir_findings, files, Context(config.settings, directory, today or resolve_today())


def load_repo(config: LoadedConfig, paths: Sequence[Path] | None = None, today: date | None = None) -> Repo:
    """Load and lint the postmortems: every one under docs_dir, or those in `paths`."""
    directory, dir_findings, files, ctx = _start(config, paths, today)
    texts = []
    unreadable = []
    for rel, text in read_texts(files, config.root):
        if (finding := _unreadable(rel, text)) is not None:
            unreadable.append(finding)
        else:
            texts.append((rel, text))
    result = _without_gc(lambda: lint_texts(texts, ctx, reraise=bool(os.environ.get("FOLLOWTHROUGH_DEBUG"))))
    findings = tuple(sorted([*dir_findings, *unreadable, *result.findings]))
    return Repo(config, directory, result.postmortems, findings, ctx.today, tuple(files))


@dataclass(frozen=True)
class LintReport:
    findings: tuple[Finding, ...]
    checked: int  # postmortem files read


# Below this many files a second process costs more than it saves.
PARALLEL_FROM = 200


def default_jobs() -> int:
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, 8))


def lint_repo(config: LoadedConfig, paths: Sequence[Path] | None = None, today: date | None = None, jobs: int | None = None) -> LintReport:
    """The findings of every postmortem (or of `paths`), as `load_repo` finds them, without keeping
    the postmortems: what `followthrough lint` needs. Large repos are checked by `jobs` forked
    processes (each file on its own is independent; only the duplicate-id check spans files)."""
    _, dir_findings, files, ctx = _start(config, paths, today)
    # More workers than cores, or than there are files to share, only cost forks.
    jobs = min(default_jobs() if jobs is None else max(1, jobs), 2 * default_jobs(), max(1, len(files) // 100))
    work = _Work(ctx, config.root, files, bool(os.environ.get("FOLLOWTHROUGH_DEBUG")))
    if jobs == 1 or len(files) < PARALLEL_FROM or not hasattr(os, "fork"):
        parts = [_lint_part(work, 0, len(files))]
    else:
        parts = _in_processes(work, jobs)
    findings = [*dir_findings]
    records: list[IdRecord | None] = []
    for part_findings, part_records in parts:
        findings.extend(part_findings)
        records.extend(part_records)
    findings.extend(duplicate_ids(records))
    return LintReport(tuple(sorted(findings)), len(files))


@dataclass(frozen=True)
class _Work:
    ctx: Context
    root: Path
    files: list[Path]
    reraise: bool


def _lint_part(work: _Work, start: int, end: int) -> tuple[list[Finding], list[IdRecord | None]]:
    return _without_gc(_lint_files, work, start, end)


def _lint_files(work: _Work, start: int, end: int) -> tuple[list[Finding], list[IdRecord | None]]:
    findings: list[Finding] = []
    records: list[IdRecord | None] = []
    for rel, text in read_texts(work.files[start:end], work.root):
        if (finding := _unreadable(rel, text)) is not None:
            findings.append(finding)
            continue
        pm, found = lint_file(rel, text, work.ctx, reraise=work.reraise)
        findings.extend(found)
        records.append(IdRecord.of(pm) if pm is not None else None)
    return findings, records


_forked_work: _Work | None = None  # what forked workers inherit; never pickled
_parent_pid = 0


def _worker_start() -> None:
    # Ctrl-C reaches the whole process group: the parent alone answers it (and ends us).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the parent's handler, which a fork copies
    _die_with_parent()


def _die_with_parent() -> None:
    """On Linux, ask the kernel to end this worker when the parent dies, even by SIGKILL:
    an orphan would hold the parent's stdout open and keep whoever reads it waiting."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the per-chunk parent check still applies
        pass
    if os.getppid() != _parent_pid:
        os._exit(1)  # the parent died before the request took effect


def _forked_part(bounds: tuple[int, int]) -> tuple[list[Finding], list[IdRecord | None]]:
    assert _forked_work is not None
    if os.getppid() != _parent_pid:
        os._exit(1)  # the parent is gone (killed): no one wants this chunk
    return _lint_part(_forked_work, *bounds)


def _in_processes(work: _Work, jobs: int) -> list[tuple[list[Finding], list[IdRecord | None]]]:
    """Chunks in file order to forked workers: they inherit the config, the people directory and
    the imported code, so only file ranges go out and findings come back. A worker that dies
    (out of memory, killed) fails the run with a message, never a hang."""
    import multiprocessing  # here: one file's lint never needs it
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    global _forked_work, _parent_pid
    n = len(work.files)
    size = max(1, -(-n // (jobs * 4)))  # a few chunks per worker evens out uneven files
    bounds = [(i, min(i + size, n)) for i in range(0, n, size)]
    _forked_work, _parent_pid = work, os.getpid()

    def on_term(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)  # so the workers are ended below, not left running

    previous = signal.signal(signal.SIGTERM, on_term)
    pool = ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork"), initializer=_worker_start)
    try:
        return list(pool.map(_forked_part, bounds))
    except BrokenProcessPool:
        raise FollowthroughError(
            "a lint worker process died (out of memory, or killed); run again, or with --jobs 1 to check in one process"
        ) from None
    except BaseException:
        for child in multiprocessing.active_children():
            child.terminate()  # Ctrl-C or an error here: the others' chunks are of no use now
        raise
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        signal.signal(signal.SIGTERM, previous)
        _forked_work = None
