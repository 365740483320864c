"""The lint command's settings, kept between runs so a pre-commit hook does not import MkDocs.

Reading mkdocs.yml is MkDocs' job (its loader and config classes validate the plugin section),
and importing MkDocs costs more than linting one file. The validated settings are pickled under
`.followthrough/cache/` with a key made of everything they are computed from: the file's bytes
and path, Followthrough's and Python's versions, and the installed MkDocs. A file whose meaning
depends on something else (`!ENV`, `INHERIT`, `!relative`) is never cached.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import os
import pickle
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from . import __version__
from .workspace import LoadedConfig

CACHE_DIR = ".followthrough/cache"
_FORMAT = "1"
_UNCACHEABLE = (b"!ENV", b"INHERIT", b"!relative")


def _key(config_file: Path, raw: bytes) -> str | None:
    if any(marker in raw for marker in _UNCACHEABLE):
        return None
    spec = importlib.machinery.PathFinder.find_spec("mkdocs")  # finds, does not import
    try:
        installed = os.stat(spec.origin).st_mtime_ns if spec and spec.origin else 0
    except OSError:
        installed = 0
    parts = [_FORMAT, __version__, sys.version, str(config_file.resolve()), str(installed)]
    digest = hashlib.sha256("\0".join(parts).encode() + b"\0" + raw)
    return digest.hexdigest()[:32]


def _path(config_file: Path, key: str) -> Path:
    return config_file.resolve().parent / CACHE_DIR / f"lint-config-{key}.pickle"


def load(config_file: Path) -> LoadedConfig | None:
    """The settings stored for this exact mkdocs.yml, or None."""
    try:
        raw = config_file.read_bytes()
    except OSError:
        return None
    key = _key(config_file, raw)
    if key is None:
        return None
    try:
        with _path(config_file, key).open("rb") as f:
            value = pickle.load(f)  # noqa: S301 - our own file, keyed by content; never from the repo
    except Exception:  # noqa: BLE001 - a missing, stale or damaged cache is only a miss
        return None
    return value if isinstance(value, LoadedConfig) else None


def store(config: LoadedConfig) -> None:
    """Keep `config` for the next run; a folder we cannot write to only means no cache."""
    if config.config_file is None:
        return
    try:
        raw = config.config_file.read_bytes()
        key = _key(config.config_file, raw)
        if key is None:
            return
        path = _path(config.config_file, key)
        path.parent.mkdir(parents=True, exist_ok=True)
        ignore = path.parent / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Written by followthrough lint; safe to delete.\n*\n")
        for old in path.parent.glob("lint-config-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
        data = pickle.dumps(replace(config, plugin=None))
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".tmp-", delete=False) as f:
            f.write(data)
        os.replace(f.name, path)
    except Exception:  # noqa: BLE001 - values that do not pickle, a read-only checkout: no cache
        return
