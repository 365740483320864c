"""Reading a folder anyone can send a pull request to: no link followed, no special file read,
no file read past its size limit.

lint, the site build, `followthrough pages` and sync's write-back all find and read docs_dir
through here, so a link to /etc/passwd or /dev/zero is refused the same way everywhere.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

MB = 1024 * 1024
LINK, TOO_LARGE = "FT012", "FT013"
SIZE_SETTING = "max_file_mb"

_KINDS = (
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


@dataclass(frozen=True, slots=True)
class Refusal:
    """A file (or folder) that is not read: `code` is FT012 (a link, a special file) or FT013 (too large)."""

    path: Path  # as found, never resolved: the link itself, not what it points to
    code: str
    message: str


class Refused(Exception):
    """A file that `read_bounded` would not read; `refusal` says why."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(refusal.message)
        self.refusal = refusal


@dataclass
class Scan:
    """What `scan` found below a folder: regular files by kind, and what it refused."""

    markdown: list[Path] = field(default_factory=list)
    others: list[Path] = field(default_factory=list)
    refused: list[Refusal] = field(default_factory=list)


def size_text(size: int) -> str:
    if size >= 1024 * MB:
        return f"{size / (1024 * MB):.1f} GB"
    return f"{size / MB:.1f} MB" if size >= MB // 10 else f"{size} bytes"


def _printable(text: str) -> str:
    # A link target is whatever bytes the author chose: never let one forge a log line.
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def link_target(path: Path) -> str:
    """Where the link at `path` points, as written in the link, safe to print."""
    try:
        return _printable(os.readlink(path))
    except OSError:
        return "an unreadable target"


def link_refusal(path: Path) -> Refusal:
    target = link_target(path)
    return Refusal(
        path,
        LINK,
        f"a symbolic link (to {target}): links in docs_dir are never followed, read or published; "
        "put the file itself there",
    )


def _special(path: Path, mode: int) -> Refusal | None:
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    kind = next((name for test, name in _KINDS if test(mode)), "a special file")
    return Refusal(path, LINK, f"{kind}, not a regular file: it is never read or published; remove it")


def too_large(path: Path, size: int, limit: int) -> Refusal:
    return Refusal(
        path,
        TOO_LARGE,
        f"{size_text(size)}, over the {size_text(limit)} limit ({SIZE_SETTING}): it is not read; "
        "move bulky logs or data out of the file and link to them, or raise the limit",
    )


def refusal_of(path: Path, st: os.stat_result) -> Refusal | None:
    """Why an entry found by lstat is not to be read: a link or a special file (None: fine)."""
    if stat.S_ISLNK(st.st_mode):
        return link_refusal(path)
    return _special(path, st.st_mode)


# The names MkDocs renders as Markdown pages.
MARKDOWN_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


def is_markdown(name: str) -> bool:
    return name.lower().endswith(MARKDOWN_SUFFIXES)


def scan(folder: Path, limit: int) -> Scan:
    """Every entry below `folder`, never following a link: Markdown and other regular files
    (outside hidden folders; a folder's files before its subfolders, each in name order, as
    os.walk gives them), and every link, special file and Markdown file over `limit` bytes,
    hidden folders included (MkDocs walks those too, following links)."""
    found = Scan()
    _scan_into(folder, limit, False, found)
    return found


def _scan_into(folder: Path, limit: int, hidden: bool, found: Scan) -> None:
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return  # a folder we may not list: nothing in it is read either
    folders = []
    for entry in entries:
        path = Path(entry.path)
        try:
            # The entry's type comes with the listing; only files that need a size, and entries
            # of an odd type, cost a stat.
            if entry.is_symlink():
                found.refused.append(link_refusal(path))
            elif entry.is_dir(follow_symlinks=False):
                folders.append(entry)
            elif not entry.is_file(follow_symlinks=False):
                if (refusal := _special(path, entry.stat(follow_symlinks=False).st_mode)) is not None:
                    found.refused.append(refusal)
            elif is_markdown(entry.name):
                size = entry.stat(follow_symlinks=False).st_size
                if size > limit:
                    found.refused.append(too_large(path, size, limit))
                elif not hidden:
                    found.markdown.append(path)
            elif not hidden:
                found.others.append(path)
        except OSError:
            continue  # gone since the listing
    for entry in folders:
        _scan_into(Path(entry.path), limit, hidden or entry.name.startswith("."), found)


def first_link(path: Path, root: Path) -> Path | None:
    """The first folder between `root` and `path` (or `path` itself) that is a symbolic link."""
    absolute = Path(os.path.abspath(path))
    try:
        parts = absolute.relative_to(root).parts
    except ValueError:
        parts = ()
        current = absolute.parent
    else:
        current = root
    for part in parts[:-1]:
        current = current / part
        if current.is_symlink():
            return current
    return absolute if absolute.is_symlink() else None


def read_bounded(path: Path, limit: int) -> bytes:
    """The file's bytes, never following a link at its last step, never reading a special file,
    never more than `limit` + 1 bytes (a file that grew past its stat is still caught)."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP or path.is_symlink():
            raise Refused(link_refusal(path)) from None
        raise
    with os.fdopen(fd, "rb") as f:
        st = os.fstat(fd)
        refusal = _special(path, st.st_mode)
        if refusal is not None:
            raise Refused(refusal)
        if st.st_size > limit:
            raise Refused(too_large(path, st.st_size, limit))
        data = f.read(limit + 1)
    if len(data) > limit:
        raise Refused(too_large(path, len(data), limit))
    return data


def read_text_bounded(path: Path, limit: int) -> str:
    """`read_bounded`, decoded as UTF-8 with line ends read as Python's text mode reads them
    (CRLF and CR-only files give the lines an editor shows)."""
    text = read_bounded(path, limit).decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n") if "\r" in text else text
