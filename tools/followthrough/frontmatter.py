"""Splitting a Markdown file into its YAML front-matter and body, with line numbers."""

from __future__ import annotations

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
    pos = first_end + 1
    line = 2
    while pos <= len(text) and first_end >= 0:
        end = text.find("\n", pos)
        current = text[pos:] if end < 0 else text[pos:end]
        if current.rstrip() in ("---", "..."):
            body_start = len(text) if end < 0 else end + 1
            return Split(text[first_end + 1 : pos], 2, text[body_start:], line + 1)
        if end < 0:
            break
        pos = end + 1
        line += 1
    return Split(None, 2, "", line, "unterminated")
