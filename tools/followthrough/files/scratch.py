"""The repo's scratch folder, `.followthrough/tmp/` beside mkdocs.yml: sync's lock and the temp
files of its writes, where a crash leaves nothing that `git add -A` would pick up.

The folder holds a `.gitignore` of `*` (itself included), so nothing in it is ever committed, and
`followthrough sync` removes the temp files a crashed run left there when it starts (under its
lock, so never a file another run is still writing). Never reached through a link: a pull
request that made `.followthrough` a link out of the repo must not have sync write there.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from followthrough.core.errors import ConfigError
from followthrough.files.safefiles import first_link, link_target

SCRATCH = Path(".followthrough") / "tmp"
IGNORE_ALL = b"# followthrough's lock and temp files: never committed\n*\n"
# The names `files.atomic` gives its temp files; `remove_leftovers` removes nothing else.
TEMP_PREFIX, TEMP_SUFFIX = ".", ".tmp"


def scratch_folder(root: Path) -> Path:
    """`<root>/.followthrough/tmp`, made (with its `.gitignore`) when missing.

    A ConfigError naming the folder when it, or `.followthrough`, is a link, not a folder, or
    cannot be made or written: sync needs it before it reads or writes anything."""
    root = Path(os.path.abspath(root))
    folder = root / SCRATCH
    link = first_link(folder / ".gitignore", root)
    if link is not None:
        raise ConfigError(
            f"{_rel(link, root)}: a symbolic link (to {link_target(link)}): followthrough keeps its lock and temp files "
            f"in {SCRATCH.as_posix()}/ and never follows a link out of the repo; make it a folder of the repo"
        )
    try:
        for part in (folder.parent, folder):
            try:
                part.mkdir()
            except FileExistsError:
                if not stat.S_ISDIR(os.lstat(part).st_mode):
                    raise ConfigError(
                        f"{_rel(part, root)}: not a folder; followthrough keeps its lock and temp files in {SCRATCH.as_posix()}/: move the file away"
                    ) from None
        ignore = folder / ".gitignore"
        if not ignore.exists():
            try:
                fd = os.open(ignore, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o644)
            except FileExistsError:
                pass  # another sync starting at the same moment made it (this runs before the lock is taken)
            else:
                with os.fdopen(fd, "wb") as f:
                    f.write(IGNORE_ALL)
    except OSError as exc:
        where = exc.filename if isinstance(exc.filename, str) else str(folder)
        raise ConfigError(
            f"{_rel(Path(where), root)}: cannot be made or written ({exc.strerror or exc}); followthrough keeps its lock and "
            f"temp files in {SCRATCH.as_posix()}/: make the folder writable for this user"
        ) from None
    return folder


def is_temp_name(name: str) -> bool:
    return name.startswith(TEMP_PREFIX) and name.endswith(TEMP_SUFFIX) and name != TEMP_SUFFIX


def remove_leftovers(folder: Path) -> list[str]:
    """Remove the temp files a crashed write left in the scratch folder; their names, sorted.
    A link there is removed as a link (never followed); folders and other files stay."""
    removed: list[str] = []
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except FileNotFoundError:
        return removed
    for entry in entries:
        if not is_temp_name(entry.name) or entry.is_dir(follow_symlinks=False):
            continue
        try:
            os.unlink(entry.path)
        except OSError:
            continue  # git ignores it either way; the next start tries again
        removed.append(entry.name)
    return removed


def _rel(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
