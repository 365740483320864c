"""A repo on disk: where its settings were found (`LoadedConfig`), and reading its postmortems,
pages and people directory, linted.

Everything that touches the file system for reading postmortems is here; `workspace.load_workspace`
is how the commands and the site build use it (`lint_repo` is lint's own, which keeps no
postmortems and can fork). The date the postmortems are judged by is always handed in.
"""

from __future__ import annotations

import gc
import os
import re
import signal
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Sequence

from followthrough.core.errors import ConfigError, FollowthroughError, UsageError
from followthrough.core.findings import Finding
from followthrough.core.model import Directory, Postmortem
from followthrough.files.safefiles import Refusal, Refused, first_link, link_refusal, read_text_bounded, refusal_of, scan
from followthrough.core.settings import DEFAULT_MAX_FILE_BYTES as DEFAULT_LIMIT
from followthrough.core.timeline import EVIDENCE_SUFFIX
from followthrough.core.settings import DEFAULT_PEOPLE_FILE, Settings

if TYPE_CHECKING:  # imported where used: reading files (`related`, a warm cache) needs no parser nor rules
    from followthrough.core.lint import IdRecord, LintResult, Others
    from followthrough.core.rules.context import Context

CONFIG_FILE = "mkdocs.yml"
_YEAR = re.compile(r"^\d{4}$")
_DATED = re.compile(r"^\d{4}-\d{2}-\d{2}-")


@dataclass(frozen=True)
class LoadedConfig:
    root: Path  # the folder holding mkdocs.yml (or the working folder when there is none)
    config_file: Path | None
    docs_dir: Path
    site_url: str
    plugin: Any  # config.options.PluginConfig; None when read back from the lint cache (lint needs only `settings`)
    settings: Settings
    use_directory_urls: bool = True  # MkDocs' setting: page URLs end in '/' or '.html'


def find_config(start: Path) -> Path | None:
    """mkdocs.yml in `start` or the nearest folder above it."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_FILE
        if candidate.is_file():
            return candidate
    return None


@dataclass(frozen=True)
class Repo:
    config: LoadedConfig
    directory: Directory
    postmortems: tuple[Postmortem, ...]
    findings: tuple[Finding, ...]
    today: date
    files: tuple[Path, ...] = field(default=())
    pages: tuple[str, ...] = field(default=())  # other Markdown pages checked (FT509), relative to docs_dir

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]

    def file_of(self, pm: Postmortem) -> Path:
        # The folders resolved, never the file itself: a link stays a link (and is refused).
        path = self.config.root / pm.path
        return path.parent.resolve() / path.name

    def valid_postmortems(self) -> tuple[Postmortem, ...]:
        """Postmortems without error findings: what the site, sync and reports work from."""
        bad = {f.path for f in self.errors}
        return tuple(pm for pm in self.postmortems if pm.path not in bad)

    def docs_path(self, pm: Postmortem) -> str:
        """The file's path inside docs_dir (MkDocs' src_uri), posix."""
        return self.file_of(pm).relative_to(self.config.docs_dir.resolve()).as_posix()


def is_postmortem_path(relative: Path) -> bool:
    """Postmortems live in year folders or are named after their date; other pages are just pages."""
    if relative.suffix != ".md" or relative.name.endswith(EVIDENCE_SUFFIX):
        return False  # a postmortem's Slack record, beside it, is a page of its own
    return any(_YEAR.match(part) for part in relative.parts[:-1]) or bool(_DATED.match(relative.name))


def discover(folder: Path, limit: int = DEFAULT_LIMIT) -> tuple[list[Path], list[Refusal]]:
    """The postmortems below `folder`, and the links, special files and oversized files refused there."""
    postmortems, _, refused = _discover_all(folder, limit)
    return postmortems, refused


def _discover_all(folder: Path, limit: int) -> tuple[list[Path], list[Path], list[Refusal]]:
    """The postmortems below `folder`, its other Markdown pages, and what was refused there."""
    found = scan(folder, limit)
    postmortems, pages = [], []
    for p in found.markdown:
        (postmortems if is_postmortem_path(p.relative_to(folder)) else pages).append(p)
    return postmortems, pages, found.refused


def is_generated_copy(src_uri: str, text: str) -> bool:
    """A page `followthrough pages --out` left in docs_dir: the build puts its own in its place,
    so the copy is never rendered (and its HTML tables would only be measured for nothing)."""
    from followthrough.core.pages import paths as page_paths  # here: the pages package brings jinja2, which lint of one file never needs

    generated = src_uri in page_paths.FIXED_PAGES
    generated = generated or any(src_uri.startswith(f"by-{group}/") for group in page_paths.GROUPS)
    return generated and page_paths.GENERATED_MARK in text[:500]  # as the plugin tells its own


def expand_paths(paths: Sequence[Path], root: Path, limit: int = DEFAULT_LIMIT) -> tuple[list[Path], list[Refusal]]:
    """The files named on the command line (folders searched), each once, and what was refused."""
    files: list[Path] = []
    refused: list[Refusal] = []
    for p in paths:
        link = first_link(p, root)
        if link is not None:
            refused.append(link_refusal(link))
            continue
        try:
            st = p.lstat()
        except OSError:
            raise UsageError(f"{p}: no such file or folder") from None
        if stat.S_ISDIR(st.st_mode):
            found, more = discover(p, limit)
            files.extend(found)
            refused.extend(more)
        elif (refusal := refusal_of(p, st)) is not None:
            refused.append(refusal)
        elif p.name.endswith(EVIDENCE_SUFFIX):
            continue  # a postmortem's Slack record, named as a pre-commit hook names every staged file
        else:
            files.append(p)
    seen: set[Path] = set()
    unique = []
    for f in files:
        key = f.absolute()
        if key not in seen:
            seen.add(key)
            unique.append(f)
    return unique, refused


def relative_to_root(path: Path, root: Path) -> str:
    """`path` relative to the repo, posix; its last step is never resolved, so a link is named
    as itself, not as the file it points to."""
    try:
        resolved = path.absolute().parent.resolve() / path.name
    except (OSError, RuntimeError):  # a loop of folder links (RuntimeError before Python 3.13)
        resolved = path.absolute()
    try:
        return resolved.relative_to(_resolved(root)).as_posix()
    except ValueError:
        return resolved.as_posix()


@lru_cache(maxsize=8)
def _resolved(root: Path) -> Path:
    return root.resolve()


def refusal_finding(refusal: Refusal, root: Path) -> Finding:
    return Finding(relative_to_root(refusal.path, root), 1, 1, refusal.code, refusal.message)


def read_texts(files: Iterable[Path], root: Path, limit: int = DEFAULT_LIMIT, *, discovered: bool = False) -> Iterable[tuple[str, str | Finding]]:
    """(path relative to root, text), or the finding that says why the file was not read.
    `discovered`: the files are what `docs_refusals` found, below a docs_dir with no link on the
    way and refusing links below it, so a path spelled below the resolved root needs no resolving
    of its own (one lstat per folder of each path: a fifth of a warm `related` run)."""
    base = _resolved(root).parts if discovered else ()
    for f in files:
        parts = f.parts
        if base and parts[: len(base)] == base and ".." not in parts and len(parts) > len(base):
            rel = "/".join(parts[len(base):])
        else:
            rel = relative_to_root(f, root)
        try:
            yield rel, read_text_bounded(f, limit)
        except Refused as exc:
            yield rel, refusal_finding(exc.refusal, root)
        except UnicodeDecodeError as exc:
            yield rel, Finding(rel, 1, 1, "FT009", f"the file is not UTF-8 text ({exc.reason} at byte {exc.start})")
        except OSError as exc:
            yield rel, Finding(rel, 1, 1, "FT009", f"the file cannot be read: {exc.strerror or exc}")


def load_directory(config: LoadedConfig) -> tuple[Directory, list[Finding]]:
    path = config.docs_dir / config.settings.people_file
    rel = relative_to_root(path, config.root)
    if not path.is_symlink() and path.is_dir():
        return Directory(present=True, path=rel), [Finding(rel, 1, 1, "FT009", "a folder, not the people directory (people)")]
    if not path.is_symlink() and not path.is_file():
        if config.settings.people_file != DEFAULT_PEOPLE_FILE and not path.exists():
            # Without the default file any handle is accepted; a file named in mkdocs.yml that
            # is not there is a typo that would switch every owner check off without a word.
            where = config.config_file.name if config.config_file else "mkdocs.yml"
            raise ConfigError(
                f"{where}: plugins.followthrough.people: {rel} does not exist; create it, fix the name, "
                f"or remove the setting (without {DEFAULT_PEOPLE_FILE} any handle is accepted)"
            )
        return Directory(path=rel), []
    try:
        text = read_text_bounded(path, config.settings.max_file_bytes)
    except Refused as exc:
        return Directory(present=True, path=rel), [refusal_finding(exc.refusal, config.root)]
    except (OSError, UnicodeDecodeError) as exc:
        return Directory(present=True, path=rel), [Finding(rel, 1, 1, "FT009", f"the people directory cannot be read: {exc}")]
    from followthrough.core.people import parse_directory
    from followthrough.core.policy import unknown_contacts

    directory, findings = parse_directory(text, rel)
    unknown = unknown_contacts(config.settings, directory)
    if unknown:
        # Checked here, where every command reads the directory: lint in the pull request stops on
        # it too, not only the reports and the site build after the merge.
        where = config.config_file.name if config.config_file else "mkdocs.yml"
        raise ConfigError("\n".join(f"{where}: {line}" for line in unknown))
    return directory, findings


def without_gc(fn, *args):  # type: ignore[no-untyped-def]
    """Run `fn` with the cycle collector paused: parsing makes many objects and no cycles, and
    collections triggered by the allocations alone cost about a fifth of a large lint."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return fn(*args)
    finally:
        if was_enabled:
            gc.enable()


def docs_refusals(config: LoadedConfig) -> tuple[list[Path], list[Finding]]:
    """The postmortems of docs_dir, and a finding for every file there that is not read (a link,
    a special file, a Markdown file over the size limit): the same list for lint and the build."""
    postmortems, _, refused = _docs_files(config)
    return postmortems, refused


def _docs_files(config: LoadedConfig) -> tuple[list[Path], list[Path], list[Finding]]:
    root, docs = config.root.resolve(), config.docs_dir
    link = first_link(docs, root)
    if link is not None:
        return [], [], [refusal_finding(link_refusal(link), root)]
    if not docs.is_dir():
        return [], [], []
    postmortems, pages, refused = _discover_all(docs, config.settings.max_file_bytes)
    return postmortems, pages, [refusal_finding(r, root) for r in refused]


def _start(config: LoadedConfig, paths: Sequence[Path] | None, today: date) -> tuple[Directory, list[Finding], list[Path], list[Path], Context]:
    """What every lint of a repo starts from: the people directory and its findings, the files
    (and a finding for each one not read), the other Markdown pages of docs_dir (none when
    `paths` names files), the context."""
    directory, dir_findings = load_directory(config)
    pages: list[Path] = []
    if paths:
        files, refused = expand_paths(paths, config.root.resolve(), config.settings.max_file_bytes)
        found = [refusal_finding(r, config.root) for r in refused]
    else:
        files, pages, found = _docs_files(config)
    # The people directory is refused by its own reading too: one finding for it, not two.
    seen = {(f.path, f.code) for f in dir_findings}
    dir_findings += [f for f in found if (f.path, f.code) not in seen]
    from followthrough.core.rules.context import Context

    return directory, dir_findings, files, pages, Context(config.settings, directory, today)


def _page_findings(config: LoadedConfig, pages: Sequence[Path], reraise: bool) -> tuple[list[Finding], list[str]]:
    """FT509 for the other Markdown pages of docs_dir (the site renders them too), and the
    pages checked, by their path inside docs_dir."""
    findings: list[Finding] = []
    checked: list[str] = []
    docs = config.docs_dir.resolve()
    for page, (rel, text) in zip(pages, read_texts(pages, config.root, config.settings.max_file_bytes)):
        src_uri = (page.parent.resolve() / page.name).relative_to(docs).as_posix()
        if isinstance(text, Finding):
            findings.append(text)
        elif not is_generated_copy(src_uri, text):
            from followthrough.core.lint import lint_page

            findings.extend(lint_page(rel, text, reraise=reraise))
        checked.append(src_uri)
    return findings, checked


LintTexts = Callable[..., "LintResult"]  # `lint_texts`, or a stand-in with its signature that remembers (site/memo.py)


def load_repo(config: LoadedConfig, paths: Sequence[Path] | None = None, *, today: date, lint: LintTexts | None = None) -> Repo:
    """Load and lint the postmortems: every one under docs_dir, or those in `paths`."""
    if lint is None:
        from followthrough.core.lint import lint_texts as lint
    directory, dir_findings, files, pages, ctx = _start(config, paths, today)
    reraise = bool(os.environ.get("FOLLOWTHROUGH_DEBUG"))
    page_findings, checked = _page_findings(config, pages, reraise)
    texts = []
    unreadable = []
    for rel, text in read_texts(files, config.root, config.settings.max_file_bytes):
        if isinstance(text, Finding):
            unreadable.append(text)
        else:
            texts.append((rel, text))
    others = _other_records(config, files, ctx) if paths else None
    result = without_gc(lambda: lint(texts, ctx, reraise=reraise, others=others))
    findings = tuple(sorted([*dir_findings, *page_findings, *unreadable, *result.findings]))
    return Repo(config, directory, result.postmortems, findings, ctx.today, tuple(files), tuple(checked))


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


def lint_repo(config: LoadedConfig, paths: Sequence[Path] | None = None, *, today: date, jobs: int | None = None) -> LintReport:
    """The findings of every postmortem (or of `paths`), as `load_repo` finds them, without keeping
    the postmortems: what `followthrough lint` needs. Large repos are checked by `jobs` forked
    processes (each file on its own is independent; only the duplicate-id check spans files)."""
    from followthrough.core.lint import across_files

    _, dir_findings, files, pages, ctx = _start(config, paths, today)
    # More workers than cores, or than there are files to share, only cost forks.
    jobs = min(default_jobs() if jobs is None else max(1, jobs), 2 * default_jobs(), max(1, len(files) // 100))
    work = _Work(ctx, config.root, files, bool(os.environ.get("FOLLOWTHROUGH_DEBUG")), config.settings.max_file_bytes)
    if jobs == 1 or len(files) < PARALLEL_FROM or not hasattr(os, "fork"):
        parts = [_lint_part(work, 0, len(files))]
    else:
        parts = _in_processes(work, jobs)
    findings = [*dir_findings, *_page_findings(config, pages, work.reraise)[0]]
    records: list[IdRecord | None] = []
    for part_findings, part_records in parts:
        findings.extend(part_findings)
        records.extend(part_records)
    findings.extend(across_files(records, ctx.settings.rule_levels, _other_records(config, files, ctx) if paths else None))
    return LintReport(tuple(sorted(findings)), len(files))


def _other_records(config: LoadedConfig, checked: Sequence[Path], ctx: Context) -> Others:
    """The records of docs_dir's postmortems other than `checked`, read when called: what
    `related:` and `recurrence_of:` of the checked files may name. Their findings are not reported."""

    def read() -> list[IdRecord]:
        from followthrough.core.lint import IdRecord
        from followthrough.core.parse import parse_postmortem

        skip = {p.resolve() for p in checked}
        rest = [p for p in _docs_files(config)[0] if p.resolve() not in skip]
        records = []
        for rel, text in read_texts(rest, config.root, config.settings.max_file_bytes):
            if isinstance(text, Finding):
                continue
            try:
                record = IdRecord.of(parse_postmortem(text, rel, ctx.settings)[0])
            except Exception:  # noqa: BLE001 - a bug met on a file not checked must not stop this lint; its own lint reports it
                continue
            if record is not None:
                records.append(record)
        return records

    return read


@dataclass(frozen=True)
class _Work:
    ctx: Context
    root: Path
    files: list[Path]
    reraise: bool
    limit: int


def _lint_part(work: _Work, start: int, end: int) -> tuple[list[Finding], list[IdRecord | None]]:
    return without_gc(_lint_files, work, start, end)


def _lint_files(work: _Work, start: int, end: int) -> tuple[list[Finding], list[IdRecord | None]]:
    from followthrough.core.lint import IdRecord, lint_file

    findings: list[Finding] = []
    records: list[IdRecord | None] = []
    for rel, text in read_texts(work.files[start:end], work.root, work.limit):
        if isinstance(text, Finding):
            findings.append(text)
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
