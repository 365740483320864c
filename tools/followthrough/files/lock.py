"""One `followthrough sync` at a time in a checkout: an exclusive lock on
`.followthrough/tmp/sync.lock`, held from before the postmortems are read until the state file
is written.

The lock is the kernel's (`flock`), taken on a file that is opened, never truncated on open,
never deleted: the kernel drops it when the holding process ends however it ends, so the lock
of a run that crashed or was killed is free by construction; there is no stale lock to break.
The file only says who holds it (pid, host, start time), for the message of the run that waits.
A second run polls (through the clock it is handed, so tests record the waits) for a bounded
time, then gives up with `LockHeld` (exit 2) and has done nothing.

`flock` locks the file on this machine; two machines that share a checkout over NFS may not see
each other's lock, and two checkouts never do: that is what the tracker markers are for.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from followthrough.core.errors import ConfigError, LockHeld
from followthrough.files.scratch import SCRATCH, scratch_folder

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "sync.lock"
POLL_SECONDS = 0.25  # how often a waiting run tries again
_HOLDER_BYTES = 4096  # more than any holder line written here


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as the holder wrote it."""

    pid: int
    host: str
    since: datetime  # UTC

    def to_bytes(self) -> bytes:
        since = self.since.strftime("%Y-%m-%dT%H:%M:%SZ")
        return json.dumps({"pid": self.pid, "host": self.host, "since": since}).encode("utf-8") + b"\n"

    @staticmethod
    def from_bytes(data: bytes) -> Holder | None:
        """None for anything but what `to_bytes` writes (the holder may not have written it yet)."""
        try:
            raw = json.loads(data.decode("utf-8"))
            since = datetime.strptime(raw["since"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
            pid, host = raw["pid"], raw["host"]
        except (UnicodeDecodeError, ValueError, TypeError, KeyError):
            return None
        if not isinstance(pid, int) or isinstance(pid, bool) or not isinstance(host, str):
            return None
        return Holder(pid, host, since)

    def describe(self) -> str:
        return f"since {self.since.strftime('%Y-%m-%d %H:%M:%S')} UTC (pid {self.pid} on {self.host})"


def busy_message(holder: Holder | None, waited: float) -> str:
    who = holder.describe() if holder is not None else "(it has not written who it is yet)"
    after = f"; waited {waited:g} s for it" if waited else ""
    return f"another `followthrough sync` is running in this checkout {who}{after}; wait for it to finish or pass --wait SECONDS"


@contextmanager
def sync_lock(
    root: Path,
    *,
    wait: float,
    now: Callable[[], float],
    sleep: Callable[[float], None],
    waiting: Callable[[Holder | None], None] = lambda holder: None,
) -> Iterator[Path]:
    """Hold the lock of the checkout at `root` for the `with` block; yields the scratch folder.

    When another process holds it, `waiting` is called once and the lock is tried again every
    POLL_SECONDS, for `wait` seconds of `sleep` in all (0: not at all); then `LockHeld` says who
    holds it. A ConfigError when the folder is a link, not a folder or not writable, or the
    platform or file system has no locks."""
    if fcntl is None:
        raise ConfigError(
            "followthrough sync needs fcntl.flock to make sure only one sync runs in a checkout, and this platform has "
            "none; run sync on Linux or macOS (as the shipped workflow does)"
        )
    folder = scratch_folder(root)
    path = folder / LOCK_NAME
    shown = (SCRATCH / LOCK_NAME).as_posix()
    fd = _open(path, shown)
    try:
        waited = 0.0
        told = False
        while not _try_lock(fd, shown):
            if waited >= wait:
                raise LockHeld(busy_message(_holder(fd), waited))
            if not told:
                waiting(_holder(fd))
                told = True
            step = min(POLL_SECONDS, wait - waited)
            sleep(step)
            waited += step
        holder = Holder(os.getpid(), socket.gethostname(), datetime.fromtimestamp(now(), timezone.utc).replace(microsecond=0))
        _rewrite(fd, holder.to_bytes())
        try:
            yield folder
        finally:
            with suppress(OSError):  # the lock is released below either way
                _rewrite(fd, b"")  # a reader between this run and the next never sees this run as the holder
    finally:
        os.close(fd)  # releases the lock


def _open(path: Path, shown: str) -> int:
    # O_CLOEXEC: a program this run starts must not keep the lock alive after the run ends.
    flags = os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise ConfigError(f"{shown}: a symbolic link; followthrough never follows a link out of the repo: remove it") from None
        raise ConfigError(f"{shown}: the lock file cannot be opened ({exc.strerror or exc}); make {SCRATCH.as_posix()}/ writable for this user") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise ConfigError(f"{shown}: not a regular file; remove it, sync makes its lock file itself")
    return fd


def _try_lock(fd: int, shown: str) -> bool:
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError as exc:  # ENOLCK: a file system without locks (some network mounts)
        raise ConfigError(f"{shown}: cannot be locked ({exc.strerror or exc}); run sync in a checkout on a local disk") from None
    return True


def _holder(fd: int) -> Holder | None:
    try:
        return Holder.from_bytes(os.pread(fd, _HOLDER_BYTES, 0))
    except OSError:
        return None


def _rewrite(fd: int, data: bytes) -> None:
    os.ftruncate(fd, 0)
    if data:
        os.pwrite(fd, data, 0)
