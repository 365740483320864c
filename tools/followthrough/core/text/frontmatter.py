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
# The closing line: '---' or '...' and nothing but white space after it (as str.rstrip sees it).
_CLOSER = re.compile(r"(?:\r\n|\r|\n)(?:---|\.\.\.)[^\S\r\n]*(?=[\r\n]|\Z)")


def _lines_before(text: str, pos: int) -> int:
    """How many line breaks `text` has before `pos`."""
    n = text.count("\n", 0, pos)
    if "\r" in text:
        n += text.count("\r", 0, pos) - text.count("\r\n", 0, pos)
    return n


def split(text: str) -> Split:
    """Front-matter opens with a '---' line at the very top and closes with '---' or '...'."""
    bom = 1 if text.startswith("\ufeff") else 0
    if bom:
        text = text[1:]
    first_break = LINE_BREAK.search(text)
    first = text if first_break is None else text[: first_break.start()]
    if first.rstrip() != "---":
        return Split(None, 1, text, 1, "missing")
    if first_break is None:
        return Split(None, 2, "", 2, "unterminated")
    m = _CLOSER.search(text, first_break.start())
    if m is None:
        return Split(None, 2, "", _lines_before(text, len(text)) + 1, "unterminated")
    pos = m.start() + len(LINE_BREAK.match(text, m.start()).group(0))  # type: ignore[union-attr]  # where the closing line starts
    closer_line = _lines_before(text, pos) + 1
    after = LINE_BREAK.match(text, m.end())
    body_start = m.end() + (len(after.group(0)) if after else 0)
    return Split(text[first_break.end() : pos], 2, text[body_start:], closer_line + 1, yaml_start=bom + first_break.end())
