"""The features `followthrough related` compares (`core.learning.features`) of every postmortem
of a repo, kept between runs so a run parses only the files that changed since the last one.

One JSON file per repo in the user's cache folder (`files.usercache`), never in the checkout:
data, not pickle, as a damaged or planted file must be harmless. An entry is keyed by the
digest of the file's path and text; the whole file by a stamp of everything else the features
are computed from (this format, Followthrough's own source files, Python, the repo's mkdocs.yml
and the settings read from it, which the parser reads). A file of another stamp, one that is not this user's own, or
an entry that is not exactly what is written here is only a miss. It holds the entries of the
files the last run read (so it is as large as the repo's features, and at most MAX_BYTES), and
a folder that cannot be written means only no cache.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Iterable

from followthrough import __version__
from followthrough.core.findings import Finding
from followthrough.core.learning.features import Features, from_data, to_data
from followthrough.core.learning.similar import features_of
from followthrough.files.atomic import write_atomic
from followthrough.files.repo import LoadedConfig, docs_refusals, read_texts, without_gc
from followthrough.files.usercache import cache_dir, code_stamp, own_file, own_folder

FORMAT = "1"
MAX_BYTES = 128 * 1024 * 1024  # a larger cache is not written: parsing is then the smaller cost
_UNUSED_FOR = 30 * 24 * 3600  # seconds: the caches of repos not used for a month go


def stamp(config: LoadedConfig) -> str:
    try:
        raw = config.config_file.read_bytes() if config.config_file is not None else b""
    except OSError:
        raw = b""
    # The settings the parser reads, as well as the file they came from: an INHERIT'ed file
    # changes them without changing mkdocs.yml. Their repr is made of tuples, dicts and plain
    # values (stable from run to run); were it not, the cost would be misses, never stale features.
    parts = [FORMAT, __version__, sys.version, code_stamp(), repr(config.settings)]
    return hashlib.sha256("\0".join(parts).encode() + b"\0" + raw).hexdigest()


def entry_key(path: str, text: str) -> str:
    return hashlib.sha256(f"{path}\0{text}".encode("utf-8", "surrogatepass")).hexdigest()


def cache_file(root: Path) -> Path:
    return cache_dir() / f"related-{hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]}.json"


def load(root: Path, stamp: str) -> dict[str, object]:
    """The entries kept for this repo by a run of the same stamp, by key; {} when there are none."""
    path = cache_file(root)
    try:
        if not own_file(path) or os.stat(path).st_size > MAX_BYTES:
            return {}
        data = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return {}
    if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("stamp") != stamp or data.get("root") != str(root.resolve()):
        return {}
    entries = data.get("entries")
    return entries if isinstance(entries, dict) else {}


def store(root: Path, stamp: str, entries: dict[str, object]) -> None:
    try:
        folder = cache_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not own_folder(folder):
            return
        data = json.dumps({"format": FORMAT, "stamp": stamp, "root": str(root.resolve()), "entries": entries}, ensure_ascii=False, separators=(",", ":")).encode()
        if len(data) > MAX_BYTES:
            return
        path = cache_file(root)
        write_atomic(path, data, mode=0o600)
        stale = time.time() - _UNUSED_FOR
        for old in folder.glob("related-*.json"):
            if old != path and old.stat().st_mtime < stale:
                old.unlink(missing_ok=True)
    except (OSError, ValueError):  # an unwritable or odd cache folder: no cache, the run goes on
        return


def repo_features(config: LoadedConfig, *, use_cache: bool = True) -> tuple[list[Features], dict[str, Features]]:
    """The features of every postmortem of docs_dir that can be read (what `load_repo` reads:
    a file that cannot be read, or that our parser fails on, is left out as there), from the
    cache where a file is unchanged, parsed where not; and the same by `entry_key`, so a file
    named on the command line that is one of them needs no parsing either."""
    files, _ = docs_refusals(config)
    stamped = stamp(config) if use_cache else ""
    kept = load(config.root, stamped) if use_cache else {}
    texts = read_texts(files, config.root, config.settings.max_file_bytes, discovered=True)
    found, entries, parsed, by_key = without_gc(_features, texts, config, kept)
    if use_cache and (parsed or entries.keys() != kept.keys()):
        store(config.root, stamped, entries)
    return found, by_key


def _features(texts: Iterable[tuple[str, str | Finding]], config: LoadedConfig, kept: dict[str, object]) -> tuple[list[Features], dict[str, object], int, dict[str, Features]]:
    """The features, the entries to keep, and how many files were parsed (not found in `kept`)."""
    reraise = bool(os.environ.get("FOLLOWTHROUGH_DEBUG"))
    found: list[Features] = []
    by_key: dict[str, Features] = {}
    entries: dict[str, object] = {}
    parsed = 0
    for rel, text in texts:
        if isinstance(text, Finding):
            continue
        key = entry_key(rel, text)
        features = _kept(kept.get(key), rel)
        if features is not None:
            entries[key] = kept[key]
        else:
            from followthrough.core.parse import parse_postmortem  # not imported by a run that parses nothing

            try:
                features = features_of(parse_postmortem(text, rel, config.settings)[0])
            except Exception:  # noqa: BLE001 - as lint_file: a bug of ours on one file leaves it out
                if reraise:
                    raise
                continue
            entries[key] = to_data(features)
            parsed += 1
        found.append(features)
        by_key[key] = features
    return found, entries, parsed, by_key


def _kept(data: object, rel: str) -> Features | None:
    if data is None:
        return None
    try:
        features = from_data(data)
    except (ValueError, TypeError):
        return None
    return features if features.path == rel else None
