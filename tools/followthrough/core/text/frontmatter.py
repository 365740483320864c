"""Splitting a Markdown file into its YAML front-matter and body, with line numbers and offsets.

Line breaks are read as YAML, Python's text mode and editors read them ('\\n', '\\r\\n' or a
lone '\\r'), so a file saved with CRLF or classic Mac line ends has the same front-matter
for the parser as for the write-back that edits it in place.
"""

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
    yaml_start: int = 0  # offset of the YAML text in the text given (a byte-order mark counts)


LINE_BREAK = re.compile(r"\r\n|\r|\n")
# The closing line: '---' or '...' and nothing but white space after it (as str.rstrip sees it),
# matched from the last character of the line break before it. Files without a '\r' (nearly
# all) take the pattern that starts with a plain '\n', which the regex engine finds by a fast
# scan; the character class of the other makes it several times slower.
_CLOSER_LF = re.compile(r"\n(?:---|\.\.\.)[^\S\n]*(?=\n|\Z)")
_CLOSER_ANY = re.compile(r"[\r\n](?:---|\.\.\.)[^\S\r\n]*(?=[\r\n]|\Z)")


def _first_break(text: str) -> tuple[int, int] | None:
    """(start, end) of the first line break."""
    n = text.find("\n")
    r = text.find("\r", 0, n if n >= 0 else len(text))
    if r >= 0:
        return r, r + (2 if text.startswith("\r\n", r) else 1)
    return (n, n + 1) if n >= 0 else None


def _break_len(text: str, pos: int) -> int:
    """The length of the line break at `pos`: 2 for '\r\n', 1 for '\n' or '\r', 0 at the end."""
    if pos >= len(text):
        return 0
    return 2 if text.startswith("\r\n", pos) else 1


def _lines_before(text: str, pos: int, has_cr: bool) -> int:
    """How many line breaks `text` has before `pos`."""
    n = text.count("\n", 0, pos)
    if has_cr:
        n += text.count("\r", 0, pos) - text.count("\r\n", 0, pos)
    return n


def split(text: str) -> Split:
    """Front-matter opens with a '---' line at the very top and closes with '---' or '...'."""
    bom = 1 if text.startswith("\ufeff") else 0
    if bom:
        text = text[1:]
    first_break = _first_break(text)
    first = text if first_break is None else text[: first_break[0]]
    if first.rstrip() != "---":
        return Split(None, 1, text, 1, "missing")
    if first_break is None:
        return Split(None, 2, "", 2, "unterminated")
    has_cr = "\r" in text
    m = (_CLOSER_ANY if has_cr else _CLOSER_LF).search(text, first_break[1] - 1)
    if m is None:
        return Split(None, 2, "", _lines_before(text, len(text), has_cr) + 1, "unterminated")
    pos = m.start() + 1  # where the closing line starts
    closer_line = _lines_before(text, pos, has_cr) + 1
    body_start = m.end() + _break_len(text, m.end())
    return Split(text[first_break[1] : pos], 2, text[body_start:], closer_line + 1, yaml_start=bom + first_break[1])
