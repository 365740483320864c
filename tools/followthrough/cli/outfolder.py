"""The folder `followthrough pages --out` writes: only one it made (its marker file says so),
never through a link, never outside it.

A folder already holding files the command did not write is refused rather than mixed with
(`--out .` would otherwise replace the repo's README.md); a link met inside it (a file or a
folder) is refused rather than followed, so a page is never written somewhere else.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path, PurePosixPath

from followthrough.core.errors import FollowthroughError, UsageError
from followthrough.files.atomic import write_atomic
from followthrough.files.safefiles import Refused, read_bounded

MARKER = ".followthrough-pages"
_WRITTEN_BY = "followthrough pages"
_MARKER_LIMIT = 64 * 1024 * 1024  # a list of file names, even for a very large repo


def read_marker(target: Path, given: Path) -> list[str]:
    """The files an earlier run wrote into `target`; [] for a new or empty folder. A folder that
    holds anything else, or whose marker is not ours, is refused."""
    try:
        st = target.lstat()
    except FileNotFoundError:
        return []
    if not stat.S_ISDIR(st.st_mode):
        raise UsageError(f"--out {given}: not a folder")
    if not any(target.iterdir()):
        return []
    marker = target / MARKER
    problem = f"--out {given}: the folder holds files `followthrough pages` did not write (it has no {MARKER} of its own); choose a new or empty folder"
    try:
        data = json.loads(read_bounded(marker, _MARKER_LIMIT))
    except FileNotFoundError:
        raise UsageError(problem) from None
    except (Refused, OSError, ValueError):
        raise UsageError(f"{problem} ({MARKER} is not the marker this command writes)") from None
    files = data.get("files") if isinstance(data, dict) and data.get("written_by") == _WRITTEN_BY else None
    if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
        raise UsageError(f"{problem} ({MARKER} is not the marker this command writes)")
    return files


class OutFolder:
    def __init__(self, target: Path, given: Path) -> None:
        self.target = target
        self.given = given

    def claim(self, files: list[str]) -> None:
        """Write the marker: this folder is ours, and these are the files in it that are ours."""
        self.target.mkdir(parents=True, exist_ok=True)
        body = json.dumps({"written_by": _WRITTEN_BY, "files": sorted(set(files))}, indent=0)
        self._replace(self.target, MARKER, body.encode("utf-8"))

    def write(self, rel: str, data: bytes) -> None:
        folder, name = self._folder_of(rel)
        self._replace(folder, name, data)

    def copy(self, rel: str, source: Path) -> None:
        flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
        with os.fdopen(os.open(source, flags), "rb") as src:
            if not stat.S_ISREG(os.fstat(src.fileno()).st_mode):
                raise FollowthroughError(f"{source}: not a regular file; not copied")
            folder, name = self._folder_of(rel)
            self._replace(folder, name, src)

    def remove_stale(self, stale: set[str]) -> int:
        """Remove files an earlier run wrote that this run did not: a deleted postmortem's page."""
        removed = 0
        for rel in sorted(stale):
            try:
                folder, name = self._folder_of(rel, create=False)
            except FollowthroughError:
                continue  # its folder is gone or was replaced: nothing of ours to remove there
            path = folder / name
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed += 1
        return removed

    def _folder_of(self, rel: str, create: bool = True) -> tuple[Path, str]:
        """The folder inside target that holds `rel` (made as needed, no step a link), and the name."""
        parts = PurePosixPath(rel).parts
        if not parts or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
            raise FollowthroughError(f"--out {self.given}: {rel!r} is not a path inside the folder; nothing written")
        folder = self.target
        for part in parts[:-1]:
            folder = folder / part
            try:
                st = folder.lstat()
            except FileNotFoundError:
                if not create:
                    raise FollowthroughError(f"{folder}: gone") from None
                folder.mkdir()
                continue
            if stat.S_ISLNK(st.st_mode) or not stat.S_ISDIR(st.st_mode):
                raise FollowthroughError(f"--out {self.given}: {folder} is {'a symbolic link' if stat.S_ISLNK(st.st_mode) else 'not a folder'}; nothing is written through it (remove it and run again)")
        return folder, parts[-1]

    def _replace(self, folder: Path, name: str, data: bytes | object) -> None:
        path = folder / name
        try:
            write_atomic(path, data, mode=0o644)  # type: ignore[arg-type]
        except Refused as exc:
            raise FollowthroughError(f"--out {self.given}: {path} is {exc.refusal.message} (remove it and run again)") from None
