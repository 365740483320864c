"""Writing a file whole or not at all, never through a link.

The bytes go to a new file in the same folder, which is then renamed over the name: a reader
(or a crash of this process) sees the old file or the new one, never half of each, and a link
put at the name is replaced by the rename, never followed. A `durable` write also waits for the
disk (the file, then its folder) before it returns, so a power loss keeps one or the other too:
the state file and the ticket write-back, which say what the trackers already hold, are durable;
`pages --out` and the lint cache, which a re-run makes again, are not (one wait a file). The state file, the write-back of tickets into
postmortems, `pages --out` and the config cache all write through here.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

from followthrough.files.safefiles import LINK, Refusal, Refused, first_link, refusal_of


def current_umask() -> int:
    """The process's umask (there is no call that reads it without setting it)."""
    umask = os.umask(0)
    os.umask(umask)
    return umask


_THROUGH_LINK = "a symbolic link; nothing is written through it"


def _not_regular(path: Path, st: os.stat_result) -> Refusal:
    if stat.S_ISLNK(st.st_mode):
        return Refusal(path, LINK, _THROUGH_LINK)
    found = refusal_of(path, st)
    kind = found.message.split(",", 1)[0] if found is not None else "a folder"
    return Refusal(path, LINK, f"{kind}, not a regular file; nothing is written in its place")


def write_atomic(path: Path, data: bytes | BinaryIO, *, mode: int | None = None, root: Path | None = None, durable: bool = False) -> None:
    """`path` holds `data` (bytes, or a binary file to copy) in one step.

    Refused, before anything is written, when `path` or a folder between `root` and it is a
    symbolic link, or `path` is anything but a regular file. `mode` gives the file's permission
    bits; without it a file keeps the bits it had, and a new one gets what `open()` would give it."""
    link = first_link(path, Path(os.path.abspath(root))) if root is not None else None
    if link is not None:
        raise Refused(Refusal(link, LINK, _THROUGH_LINK))
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise Refused(_not_regular(path, st))
    if mode is None:
        mode = stat.S_IMODE(st.st_mode) if st is not None else 0o666 & ~current_umask()
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            if isinstance(data, bytes):
                f.write(data)
            else:
                shutil.copyfileobj(data, f)
            if durable:
                f.flush()
                os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _sync_folder(path.parent)


def _sync_folder(folder: Path) -> None:
    """Wait for the folder's entry of the renamed file to reach the disk (POSIX; a no-op elsewhere)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        if exc.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF):
            raise  # a disk error is not to be hidden; only "cannot sync a folder here" is
        # some file systems cannot sync a folder; the file itself is on disk
    finally:
        os.close(fd)
