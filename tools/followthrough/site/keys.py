"""What a built page is made of, as a digest: the next build skips a page whose digest is the one
it was built from (site/store.py). Two levels:

- the site key: what every page shows or depends on (mkdocs.yml and the files it inherits, the
  site's address, the nav with its titles, the versions of the code that renders, whether it is a
  preview); a different site key rebuilds every page;
- a page's key: its own source (or generated content), plus for a postmortem what its header
  card reads (the people directory, the templates, its own items' tracker state, what it shows of
  the postmortems it is linked with either way and the earlier fixes not in place: `Site.others_key`), plus for any
  page of docs_dir the pages its Markdown links point to (a renamed target changes the link).

Content, never modification times: a file restored by a CI cache or checked out again keeps
its digest, and an edit that keeps the size and the time is still seen.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
import stat
from urllib.parse import unquote as urlunquote
from pathlib import Path
from typing import Iterable

from mkdocs.structure.files import Files

_READ_UP_TO = 1 << 20  # inputs are a few kilobytes (mkdocs.yml, people.yml, a template); a larger file is known by its stat
_INHERIT = re.compile(rb"^INHERIT:\s*['\"]?([^'\"\r\n#]+?)['\"]?\s*(?:#.*)?$", re.M)
# A Markdown link's target, inline (`[text](target)`, `![alt](target)`) or a reference's
# definition (`[name]: target`): MkDocs resolves both, to a page or any other file of docs_dir.
_LINK = re.compile(r"\]\(\s*<?([^)\s>]+)|^[ ]{0,3}\[[^\]\n]+\]:[ \t]*<?([^\s>]+)", re.M)
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|//")


def digest(*parts: str | bytes) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        data = part.encode("utf-8", "surrogateescape") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def file_bytes(path: Path | None) -> bytes:
    """The file's content; b"" when it is not there (absent is a state like any other). Only a
    regular file is opened (a FIFO would block; a link or special file is refused where the file
    is read, so it counts by its kind and stat); a large one counts by its stat too."""
    if path is None:
        return b""
    try:
        st = os.lstat(path)
        if stat.S_ISREG(st.st_mode) and st.st_size <= _READ_UP_TO:
            return path.read_bytes()
        return f"{stat.S_IFMT(st.st_mode)}:{st.st_size}:{st.st_mtime_ns}:{st.st_ino}".encode()
    except OSError:
        return b""


def config_bytes(config_file: str | None) -> list[bytes]:
    """mkdocs.yml and every file it INHERITs from, in order."""
    out: list[bytes] = []
    path = Path(config_file) if config_file else None
    seen: set[Path] = set()
    while path is not None and path not in seen and len(seen) < 16:
        seen.add(path)
        data = file_bytes(path)
        out.append(data)
        match = _INHERIT.search(data)
        path = (path.parent / match.group(1).decode("utf-8", "replace").strip()) if match else None
    return out


def folder_digest(folders: Iterable[Path]) -> str:
    """Every file below `folders`, by relative path and content (the templates: a few dozen small
    files). Only small regular files are opened: a FIFO would block the build and an oversized
    file is refused unread where templates are loaded, so those count by their kind and stat."""
    parts: list[str | bytes] = []
    for folder in folders:
        for dirpath, dirnames, names in os.walk(folder):
            dirnames.sort()
            for name in sorted(names):
                path = Path(dirpath, name)
                parts.append(str(path.relative_to(folder)))
                parts.append(file_bytes(path))
        parts.append("\0")
    return digest(*parts)


def links_signature(text: str, src_uri: str, files: Files) -> str:
    """Where the page's Markdown links to other files lead now: a link's output (or MkDocs'
    warning of a broken one) changes when its target, a page or a picture, appears, disappears
    or moves, though the page's own text did not."""
    if "](" not in text and "]:" not in text:
        return ""
    base = posixpath.dirname(src_uri)
    targets = []
    found_targets = {urlunquote(t.split("#", 1)[0].split("?", 1)[0]) for pair in _LINK.findall(text) for t in pair if t}
    for target in sorted(t for t in found_targets if t and not _SCHEME.match(t)):
        uri = posixpath.normpath(posixpath.join(base, target)) if not target.startswith("/") else target.lstrip("/")
        found = files.get_file_from_path(uri)
        targets.append(f"{target}>{found.url if found is not None else ''}")
    return "\n".join(targets)
