"""Slugs of names: the part of a file name, a page name or a CSS class that a name becomes.

Accents fall away ('Zürich' -> 'zurich') and every run of anything but ASCII letters and
digits is one '-'. Ids of postmortems and items are another thing (`ids`).
"""

from __future__ import annotations

import re
import unicodedata

_SLUG_DROP = re.compile(r"[^a-z0-9]+")


def slug(value: str, limit: int | None = None) -> str:
    """Lowercase ASCII letters, digits and single '-' between them, at most `limit` characters;
    '' when `value` has no letter or digit that survives."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    text = _SLUG_DROP.sub("-", ascii_text.lower()).strip("-")
    return text[:limit].rstrip("-") if limit is not None else text


def name_slug(value: str) -> str:
    """`slug`, never empty: a page name or CSS class for a name with no letter or digit is 'x'."""
    return slug(value) or "x"


def unique_slugs(names: list[str]) -> dict[str, str]:
    """A slug per name, never empty ('x'); names that slug alike ('API', 'api!') get '-2', '-3'..."""
    out: dict[str, str] = {}
    used: set[str] = {"index"}  # a group named "index" must not take its folder's index page
    for name in sorted(names):
        base = name_slug(name)
        candidate, n = base, 2
        while candidate in used:
            candidate, n = f"{base}-{n}", n + 1
        used.add(candidate)
        out[name] = candidate
    return out
