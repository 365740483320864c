"""Writing a file whole or not at all, never through a link.

The bytes go to a new file, which is then renamed over the name: a reader
(or a crash of this process) sees the old file or the new one, never half of each, and a link
put at the name is replaced by the rename, never followed. A `durable` write also waits for the
disk (the file, then its folder) before it returns, so a power loss keeps one or the other too:
the state file and the ticket write-back, which say what the trackers already hold, are durable;
`pages --out` and the lint cache, which a re-run makes again, are not (one wait a file). The state file, the write-back of tickets into
postmortems, `pages --out` and the config cache all write through here.

The new file is made in `temp_dir` when one is given (sync's writes use the repo's ignored
scratch folder, `files.scratch`, so a crash leaves nothing beside a postmortem for `git add -A`),
else beside the target; only when the rename from `temp_dir` crosses file systems (EXDEV) is the
write made again beside the target.
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
from followthrough.files.scratch import TEMP_PREFIX, TEMP_SUFFIX


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


def write_atomic(path: Path, data: bytes | BinaryIO, *, mode: int | None = None, root: Path | None = None, durable: bool = False, temp_dir: Path | None = None) -> None:
    """`path` holds `data` (bytes, or a binary file to copy) in one step.

    `temp_dir`: the folder of the temp file (see the module's docstring).

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
    tmp = _new_temp(temp_dir or path.parent, path, data, mode, durable)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        if temp_dir is None or exc.errno != errno.EXDEV:
            Path(tmp).unlink(missing_ok=True)
            raise
        # The scratch folder is on another file system (a mount inside the repo): a rename
        # cannot cross it, so the written bytes go to a temp file beside the target after all.
        try:
            with open(tmp, "rb") as written:
                beside = _new_temp(path.parent, path, written, mode, durable)
        finally:
            Path(tmp).unlink(missing_ok=True)
        try:
            os.replace(beside, path)
        except BaseException:
            Path(beside).unlink(missing_ok=True)
            raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if durable:
        _sync_folder(path.parent)


def _new_temp(folder: Path, path: Path, data: bytes | BinaryIO, mode: int, durable: bool) -> str:
    """A new file in `folder` holding `data` with `mode`, named after `path`; removed again
    when anything stops the write (only a crash of the process leaves it)."""
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=f"{TEMP_PREFIX}{path.name}.", suffix=TEMP_SUFFIX)
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
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


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
