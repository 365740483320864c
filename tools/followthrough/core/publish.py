"""Which files of docs_dir the site publishes as they are, besides its Markdown pages.

A file published raw is served from the site's own origin: an `.html` or `.svg` file from a pull
request would run its script there, signed in to whatever the reader is. So only the globs of
the `publish_files` setting (pictures, by default) are published; Markdown pages are rendered.
"""

from __future__ import annotations

import re
from functools import lru_cache

from followthrough.core.levels import path_pattern


@lru_cache(maxsize=8)
def _patterns(globs: tuple[str, ...]) -> tuple[re.Pattern[str], ...]:
    return tuple(path_pattern(glob, "") for glob in globs)


def is_published(src_uri: str, globs: tuple[str, ...]) -> bool:
    """Whether the file at `src_uri` (posix, relative to docs_dir) matches one of `globs`,
    read as in `rules_per_path`: a glob without `/` matches the name in any folder."""
    return any(p.match(src_uri) for p in _patterns(globs))
