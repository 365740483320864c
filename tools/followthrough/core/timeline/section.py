"""Writing the timeline's rows into a postmortem's Timeline section, keeping its prose.

The section is found as the site reads the body (`blocks.scan`). Rows already there are a
person's work: they are replaced only when asked. The template's guidance and example row
are not: they give way without asking.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from followthrough.core.guidance import GUIDANCE, TIMELINE_EXAMPLE_EVENT
from followthrough.core.text import body as md
from followthrough.core.text import frontmatter
from followthrough.core.text.blocks import Dialect, scan

_ENTRY_LINE = re.compile(r"^\s*(?:[-*+|]|\d+[.)]\s)")
_GUIDANCE_FIRST = GUIDANCE["Timeline"].split("\n", 1)[0]


class SectionProblem(ValueError):
    """The postmortem cannot take the rows: why, with the line, in words for a message."""


@dataclass(frozen=True, slots=True)
class Written:
    text: str
    replaced: int  # entries that were there and are no longer


def write_rows(text: str, rows: list[str], dialect: Dialect, *, replace: bool, note: str | None = None) -> Written:
    """`text` with the Timeline section's entries replaced by `rows`; `note` is a prose line
    put above them once (the evidence link)."""
    parts = frontmatter.split(text)
    if parts.problem:
        raise SectionProblem("line 1: the file has no front-matter; is it a postmortem?")
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.replace("\r\n", "\n").split("\n")
    blocks = scan(parts.body.replace("\r\n", "\n"), parts.body_line, dialect)
    heading = md.find_section(blocks.headings, "Timeline")
    if heading is None:
        raise SectionProblem("no Timeline section; add a '## Timeline' heading where the timeline belongs")
    end = next((s.line for s in blocks.headings if s.line > heading.line and s.level <= heading.level), len(lines) + 1)
    skip = blocks.code | blocks.comments
    section = [md.Line(n, lines[n - 1]) for n in range(heading.line + 1, end) if n not in skip]
    marks = [m for m in md.timeline_marks(section) if TIMELINE_EXAMPLE_EVENT not in m.text]
    if marks and not replace:
        raise SectionProblem(
            f"line {marks[0].line}: the Timeline already has {len(marks)} entr{'y' if len(marks) == 1 else 'ies'}; "
            "they are not overwritten (--replace replaces them, keeping the prose around them)"
        )
    # The runs of list items or table rows that hold entries (or the template's example) go.
    dropped: set[int] = set()
    run: list[int] = []
    for n in range(heading.line + 1, end + 1):
        if n < end and n not in skip and _ENTRY_LINE.match(lines[n - 1]):
            run.append(n)
            continue
        if run and any(md.timeline_marks([md.Line(k, lines[k - 1])]) or TIMELINE_EXAMPLE_EVENT in lines[k - 1] for k in run):
            dropped.update(run)
        run = []
    kept = [n for n in range(heading.line + 1, end) if n not in dropped and not lines[n - 1].startswith(_GUIDANCE_FIRST)]
    prose = [lines[n - 1] for n in kept]
    at = next((i for i, n in enumerate(kept) if n > min(dropped)), len(kept)) if dropped else len(kept)
    before, after = _trim(prose[:at]), _trim(prose[at:])
    if note and not any(note in line for line in prose):
        before = [*before, "", note] if before else [note]
    block = ["", *before, "", *rows, ""] if before else ["", *rows, ""]
    if after:
        block += [*after, ""]
    new = [*lines[: heading.line], *block, *lines[end - 1 :]]
    return Written(newline.join(new), len(marks) if replace else 0)


def _trim(lines: list[str]) -> list[str]:
    start = 0
    while start < len(lines) and not lines[start].strip():
        start += 1
    stop = len(lines)
    while stop > start and not lines[stop - 1].strip():
        stop -= 1
    return lines[start:stop]
