"""The lint command's settings, kept between runs so a pre-commit hook does not import MkDocs.

Imported without the rest of `config` (whose modules import MkDocs): only `files.repo`.


Reading mkdocs.yml is MkDocs' job (its loader and config classes validate the plugin section),
and importing MkDocs costs more than linting one file. The validated settings are pickled in the
user's cache folder (`files.usercache`: `$XDG_CACHE_HOME/followthrough`, else `~/.cache/followthrough`), never in
the checkout, where a pull request could plant a pickle. The key is everything the settings are
computed from: the file's bytes and path, Followthrough's own source files, Python and the
installed MkDocs. A file whose meaning can depend on anything else (any YAML tag but
`!!python/name:`, or an `INHERIT`, however spelled) is never kept.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import os
import pickle
import sys
import time
from dataclasses import replace
from pathlib import Path

from followthrough import __version__
from followthrough.files.atomic import write_atomic
from followthrough.files.repo import LoadedConfig
from followthrough.files.usercache import cache_dir, code_stamp as _code_stamp, own_file as _own_file, own_folder as _own_folder

_FORMAT = "2"
_UNUSED_FOR = 30 * 24 * 3600  # seconds


def _key(config_file: Path, raw: bytes) -> str:
    spec = importlib.machinery.PathFinder.find_spec("mkdocs")  # finds, does not import
    try:
        installed = os.stat(spec.origin).st_mtime_ns if spec and spec.origin else 0
    except OSError:
        installed = 0
    parts = [_FORMAT, __version__, sys.version, str(config_file.resolve()), str(installed), _code_stamp()]
    digest = hashlib.sha256("\0".join(parts).encode() + b"\0" + raw)
    return digest.hexdigest()[:40]


def _entry(config_file: Path, raw: bytes) -> Path:
    where = hashlib.sha256(str(config_file.resolve()).encode()).hexdigest()[:12]
    return cache_dir() / f"lint-config-{where}-{_key(config_file, raw)}.pickle"


def cacheable(raw: bytes) -> bool:
    """True when the file's YAML means the same whatever the environment and other files:
    a safe load (tags resolved as YAML spells them, %-escapes too) with `!!python/name:`
    as the only tag, and no INHERIT key (keys compared after YAML's own unescaping)."""
    import yaml

    class _Strict(yaml.SafeLoader):
        pass

    _Strict.add_multi_constructor("tag:yaml.org,2002:python/name:", lambda loader, suffix, node: suffix)
    try:
        value = yaml.load(raw, Loader=_Strict)  # noqa: S506 - a SafeLoader with one inert tag
    except Exception:  # noqa: BLE001 - any other tag, or text MkDocs reads its own way
        return False
    return isinstance(value, dict) and "INHERIT" not in value


def load(config_file: Path) -> LoadedConfig | None:
    """The settings stored for this exact mkdocs.yml, or None."""
    try:
        raw = config_file.read_bytes()
    except OSError:
        return None
    path = _entry(config_file, raw)
    try:
        if not _own_file(path):
            return None
        with path.open("rb") as f:
            value = pickle.load(f)  # noqa: S301 - our own file, keyed by content; never from the repo
    except Exception:  # noqa: BLE001 - a missing, stale or damaged cache is only a miss
        return None
    if not isinstance(value, LoadedConfig):
        return None
    try:
        os.utime(path)  # in use: not pruned
    except OSError:
        pass
    return value


def store(config: LoadedConfig) -> None:
    """Keep `config` for the next run; a folder we cannot write to only means no cache."""
    if config.config_file is None:
        return
    try:
        raw = config.config_file.read_bytes()
        if not cacheable(raw):
            return
        folder = cache_dir()
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        if not _own_folder(folder):
            return
        path = _entry(config.config_file, raw)
        data = pickle.dumps(replace(config, plugin=None))
        write_atomic(path, data, mode=0o600)
        # One entry per mkdocs.yml (the ones its earlier contents left go), and none unused for
        # a month (checkouts deleted since, temporary repos).
        prefix = path.name.rsplit("-", 1)[0] + "-"
        stale = time.time() - _UNUSED_FOR
        for old in folder.glob("lint-config-*.pickle"):
            if old != path and (old.name.startswith(prefix) or old.stat().st_mtime < stale):
                old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - values that do not pickle, an unwritable home: no cache
        return
