"""`lint --base REF`: the postmortems at another git revision (a pull request's base), compared
with the working tree's by `core.history`.

Three git processes whatever the number of files: `rev-parse` names the commit, one `ls-tree`
lists the files with their blob ids and sizes, one `cat-file --batch` reads the blobs of the
files that differ (an unchanged file has nothing to compare). A change that edits mkdocs.yml
costs one `cat-file` more (and one `ls-tree` more when it moves docs_dir): the base's
postmortems are where the base's mkdocs.yml put them. Every failure is a UsageError whose
message says what to do.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Iterable, Sequence

from followthrough.core.errors import UsageError
from followthrough.core.findings import Finding
from followthrough.core.history import compare, read_base
from followthrough.core.levels import apply_levels
from followthrough.core.model import Postmortem
from followthrough.core.parse import parse_postmortem

if TYPE_CHECKING:
    from followthrough.files.repo import LoadedConfig

GIT_TIMEOUT = 300  # seconds; a local read of a large repo takes a few
_BLOB_MODES = ("100644", "100755")  # a link (120000) or a submodule (160000) is never read
_SUBMODULE = "160000"


@dataclass(frozen=True, slots=True)
class TreeFile:
    path: str  # relative to the folder git ran in (the repo's root: where mkdocs.yml is), posix
    blob: str
    size: int
    mode: str = "100644"

    @property
    def is_submodule(self) -> bool:
        return self.mode == _SUBMODULE


def _git(root: Path, args: Sequence[str], stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        return subprocess.run(["git", "-C", str(root), *args], input=stdin, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except FileNotFoundError:
        raise UsageError("--base needs git, and git is not installed (or not on PATH)") from None
    except subprocess.TimeoutExpired:
        raise UsageError(f"--base: git {args[0]} took more than {GIT_TIMEOUT} s in {root}; nothing was compared") from None


def _message(proc: subprocess.CompletedProcess[bytes]) -> str:
    text = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return text[-1].removeprefix("fatal: ") if text else f"git exited with {proc.returncode}"


def resolve(root: Path, ref: str) -> str:
    """The commit `ref` names, as its full object id."""
    if not ref or ref.startswith("-"):
        raise UsageError(f"--base {ref!r}: name a commit, a branch or a tag")
    proc = _git(root, ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}"])
    if proc.returncode == 0:
        return proc.stdout.decode().strip()
    inside = _git(root, ["rev-parse", "--is-inside-work-tree", "--is-shallow-repository"])
    if inside.returncode != 0:
        raise UsageError(f"--base {ref}: {root} is not in a git repository ({_message(inside)}); --base compares with a git revision")
    shallow = inside.stdout.decode().split()[-1:] == ["true"]
    hint = (
        f"this is a shallow clone, so fetch it first: git fetch --depth=1 origin {ref}"
        if shallow
        else f"check the name, or fetch it first (in a shallow clone: git fetch --depth=1 origin {ref})"
    )
    raise UsageError(f"--base {ref}: no such commit in the repository at {root}; {hint}")


def list_files(root: Path, commit: str, pathspecs: Sequence[str]) -> list[TreeFile]:
    """The regular files at `commit` under `pathspecs` (relative to `root`), and its submodules
    there (`is_submodule`: their files are another repository's)."""
    proc = _git(root, ["ls-tree", "-r", "-z", "-l", commit, "--", *pathspecs])
    if proc.returncode != 0:
        raise UsageError(f"--base: git ls-tree failed in {root}: {_message(proc)}")
    found = []
    for record in proc.stdout.split(b"\0"):
        if not record:
            continue
        head, _, name = record.partition(b"\t")
        mode, kind, blob, size = head.decode().split()
        if (kind == "blob" and mode in _BLOB_MODES) or mode == _SUBMODULE:
            found.append(TreeFile(name.decode("utf-8", "surrogateescape"), blob, int(size) if size.isdigit() else 0, mode))
    return found


def read_blobs(root: Path, blobs: Iterable[str]) -> dict[str, bytes]:
    """The contents of the blobs, by id, read by one `git cat-file --batch`."""
    wanted = list(dict.fromkeys(blobs))
    if not wanted:
        return {}
    # communicate() writes the requests while it reads the answers: no pipe can fill up.
    proc = _git(root, ["cat-file", "--batch"], stdin="".join(f"{b}\n" for b in wanted).encode())
    if proc.returncode != 0:
        raise UsageError(f"--base: git cat-file failed in {root}: {_message(proc)}")
    out, pos, found = proc.stdout, 0, {}
    for blob in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split()
        pos = end + 1
        if len(header) != 3:  # "<id> missing": not in this clone
            continue
        size = int(header[2])
        found[blob] = out[pos : pos + size]
        pos += size + 1  # the content, then a newline
    return found


def blob_id(data: bytes, like: str) -> str:
    """The id git gives a blob of `data`, in the object format of the id `like` (SHA-1 or SHA-256)."""
    digest = hashlib.sha256 if len(like) == 64 else hashlib.sha1
    return digest(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass(frozen=True)
class Compared:
    ref: str  # as messages show it: a commit id shortened
    findings: tuple[Finding, ...]
    notes: tuple[str, ...]  # base files that could not be compared, and why
    changed: int  # postmortem files that differ from the base (added, edited, removed)


def shown_ref(ref: str) -> str:
    return ref[:12] if re.fullmatch(r"[0-9a-f]{40}|[0-9a-f]{64}", ref) else ref


def compare_with_base(config: LoadedConfig, paths: Sequence[Path] | None, ref: str, *, today: date) -> Compared:
    """FT315-FT318 of the postmortems (of docs_dir, or of `paths`) against those at `ref`, with
    the repo's rule levels applied."""
    from followthrough.files.repo import docs_refusals, expand_paths, is_postmortem_path, read_texts, relative_to_root

    root, settings, limit = config.root, config.settings, config.settings.max_file_bytes
    commit = resolve(root, ref)
    name = shown_ref(ref)
    notes: list[str] = []
    if paths:
        files, refusals = expand_paths(paths, root.resolve(), limit)
        refused = {relative_to_root(r.path, root) for r in refusals}
        specs = [relative_to_root(p, root) for p in paths]
        listed = list_files(root, commit, specs)
    else:
        files, refusal_findings = docs_refusals(config)
        refused = {f.path for f in refusal_findings}
        specs = [relative_to_root(config.docs_dir, root)]
        listed = _docs_at_base(config, commit, specs, name, notes)
    named = set(specs)
    if not paths and not listed:
        notes.append(f"{specs[0]} at {name}: no such folder there (or it is inside a submodule); nothing was compared with it")
    for f in listed:
        if f.is_submodule:
            notes.append(f"{f.path} at {name}: not compared, it is a git submodule there; run lint --base inside it, with its own base commit")
    tree = {f.path: f for f in listed if not f.is_submodule and (f.path in named or is_postmortem_path(PurePosixPath(f.path)))}
    read = list(read_texts(files, root, limit))
    current = [(rel, text) for rel, text in read if isinstance(text, str)]
    # Still there but not read now (not UTF-8, too large, a link): their own findings say why,
    # and they are not reported gone.
    unreadable = refused | {rel for rel, text in read if not isinstance(text, str)}
    ids = {rel: blob_id(text.encode("utf-8"), commit) for rel, text in current}
    wanted = []
    for f in tree.values():
        if ids.get(f.path) == f.blob:
            continue  # the same file at the same place: nothing changed in it
        if f.size > limit:
            notes.append(f"{f.path} at {name}: not compared, it is larger than max_file_mb ({f.size:,} bytes)")
        else:
            wanted.append(f)
    blobs = read_blobs(root, (f.blob for f in wanted))
    texts = []
    for f in wanted:
        data = blobs.get(f.blob)
        if data is None:
            notes.append(f"{f.path} at {name}: not compared, its content is not in this clone")
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            notes.append(f"{f.path} at {name}: not compared, it is not UTF-8 text there")
            continue
        texts.append((f.path, _lf(text)))
    base = read_base(texts, settings, name)
    changed = [(rel, text) for rel, text in current if rel not in tree or tree[rel].blob != ids[rel]]
    parsed = [_parsed(rel, text, config) for rel, text in changed]
    parsed += [Postmortem(path=rel, id=PurePosixPath(rel).stem) for rel in sorted(unreadable) if rel in tree]
    findings = compare(base.postmortems, parsed, settings, name, today)
    removed = sum(1 for path in tree if path not in ids and path not in unreadable)
    changed_unreadable = sum(1 for path in unreadable if path in tree)
    return Compared(name, tuple(apply_levels(findings, settings.rule_levels)), (*notes, *base.notes), len(changed) + removed + changed_unreadable)


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text


def _docs_at_base(config: LoadedConfig, commit: str, specs: list[str], name: str, notes: list[str]) -> list[TreeFile]:
    """The files of docs_dir at the base, and, when the change moved docs_dir in mkdocs.yml, those
    of the base's docs_dir too: a postmortem moved with the folder is matched by its id, and one
    left behind is seen gone."""
    from followthrough.files.repo import relative_to_root

    root = config.root
    config_spec = relative_to_root(config.config_file, root) if config.config_file is not None else None
    listed = list_files(root, commit, [*specs, config_spec] if config_spec else specs)
    at_base = next((f for f in listed if f.path == config_spec), None)
    files = [f for f in listed if f.path != config_spec]
    if at_base is None or config.config_file is None:
        return files
    try:
        now = blob_id(config.config_file.read_bytes(), commit)
    except OSError:
        now = ""
    if now == at_base.blob:
        return files  # the same mkdocs.yml: the same docs_dir
    data = read_blobs(root, [at_base.blob]).get(at_base.blob)
    old = _docs_dir_of(data)
    if old is None:
        notes.append(f"{config_spec} at {name}: its docs_dir cannot be read there; only {specs[0]} was compared")
        return files
    old_spec = posixpath.normpath(old.replace("\\", "/"))
    if old_spec == specs[0] or old_spec.startswith("../") or old_spec == ".." or posixpath.isabs(old_spec):
        return files
    return files + list_files(root, commit, [old_spec])


def _docs_dir_of(data: bytes | None) -> str | None:
    """The docs_dir a mkdocs.yml's text sets (MkDocs' default when it sets none); None when it
    cannot be read."""
    if data is None:
        return None
    try:
        from mkdocs.utils import yaml_load

        raw = yaml_load(data.decode("utf-8"))
    except Exception:  # noqa: BLE001 - an old config MkDocs cannot read: the caller notes it
        return None
    if not isinstance(raw, dict):
        return None
    value = raw.get("docs_dir", "docs")
    return value if isinstance(value, str) and value else None


def _parsed(path: str, text: str, config: LoadedConfig) -> Postmortem:
    try:
        return parse_postmortem(text, path, config.settings)[0]
    except Exception:  # noqa: BLE001 - lint reports the bug on this file (FT000); here it is one not compared
        return Postmortem(path=path, id=PurePosixPath(path).stem)


def changed_since(config: LoadedConfig, ref: str, paths: Iterable[str]) -> list[str]:
    """Of `paths` (postmortem files as read now, relative to the repo's root), those added or
    edited since `ref`: one `ls-tree`, and each file's blob id computed here, as `compare_with_base`."""
    from followthrough.files.repo import relative_to_root

    root = config.root
    commit = resolve(root, ref)
    at_base = {f.path: f.blob for f in list_files(root, commit, [relative_to_root(config.docs_dir, root)])}
    changed = []
    for rel in paths:
        try:
            data = (root / rel).read_bytes()
        except OSError:
            continue  # gone since it was read: nothing of it to suggest for
        if at_base.get(rel) != blob_id(data, commit):
            changed.append(rel)
    return changed
