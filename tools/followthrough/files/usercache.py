"""The user's cache folder and what every cache kept there shares: where it is, what version of
Followthrough wrote an entry, and whether a file there is this user's own (no one else may have
planted it). Used by lint's settings cache (`config.cache`) and related's features cache."""

from __future__ import annotations

import os
import stat
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # the whole followthrough package


def cache_dir() -> Path:
    """`$XDG_CACHE_HOME/followthrough`, else `~/.cache/followthrough`: never the checkout."""
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "followthrough"


def code_stamp() -> str:
    """Followthrough's own files as installed: an edited checkout is another version."""
    parts = []
    for folder, dirs, files in os.walk(_PACKAGE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".py", ".j2")):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{name}:{st.st_size}:{st.st_mtime_ns}")
    return ";".join(parts)


def own_folder(folder: Path) -> bool:
    """A real folder (not a link) of this user that no one else may write to."""
    st = os.lstat(folder)
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022


def own_file(path: Path) -> bool:
    try:
        st = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISREG(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o022 and own_folder(path.parent)
