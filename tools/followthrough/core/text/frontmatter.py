"""Splitting a Markdown file into its YAML front-matter and body, with line numbers."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Split:
    yaml_text: str | None  # None when there is no (terminated) front-matter
    yaml_line: int  # file line of the YAML text's first line
    body: str
    body_line: int  # file line of the body's first line
    problem: str | None = None  # "missing" | "unterminated"


def split(text: str) -> Split:
    """Front-matter opens with a '---' line at the very top and closes with '---' or '...'."""
    if text.startswith("\ufeff"):
        text = text[1:]
    first_end = text.find("\n")
    first = text if first_end < 0 else text[:first_end]
    if first.rstrip() != "---":
        return Split(None, 1, text, 1, "missing")
    if first_end < 0:
        return Split(None, 2, "", 2, "unterminated")
    # The closing line: '---' or '...' and nothing but white space after it (as str.rstrip sees it).
    m = _CLOSER.search(text, first_end)
    if m is None:
        return Split(None, 2, "", text.count("\n") + 1, "unterminated")
    pos = m.start() + 1  # where the closing line starts
    closer_line = text.count("\n", 0, pos) + 1
    body_start = min(m.end() + 1, len(text))
    return Split(text[first_end + 1 : pos], 2, text[body_start:], closer_line + 1)


_CLOSER = re.compile(r"\n(?:---|\.\.\.)[^\S\n]*(?=\n|\Z)")

