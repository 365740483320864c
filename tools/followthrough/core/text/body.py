"""Reading the Markdown body: its sections and the Timeline's entries.

What is a heading and what is code comes from one place, `blocks.scan`, which reads the body
as the site's renderer does; the Timeline reader and the wording rule use the same code lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterable, Iterator, Sequence, TypeVar

from followthrough.core.text.blocks import Blocks
from followthrough.core.model import HiddenHeading, Postmortem, Section

# The first time on a line: a full date-time (2026-05-20 14:32, 2026-05-20T14:32:05Z,
# 2026-05-20 14:32+02:00) or a clock time (14:32, 14:32:05), in one search.
_TIME = re.compile(
    r"(?:(\d{4})-(\d{2})-(\d{2})[T ])?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:\s?(Z|UTC|[+-]\d{2}:?\d{2}))?(?![\d:])"
)  # starts with a digit, so the engine skips to digits; "not after a digit or colon" is checked in code


def _first_time(text: str) -> re.Match[str] | None:
    m = _TIME.search(text)
    while m is not None and m.start() > 0 and text[m.start() - 1] in "0123456789:":
        m = _TIME.search(text, m.start() + 1)
    return m


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # file line
    text: str


def lines_outside_code(body: str, first_line: int, code: Iterable[int] = ()) -> Iterator[Line]:
    """The body's lines that are prose on the page (not code blocks or HTML comments)."""
    skip = code if isinstance(code, (set, frozenset)) else frozenset(code)
    for i, text in enumerate(body.split("\n")):
        if first_line + i not in skip:
            yield Line(first_line + i, text)


@lru_cache(maxsize=4096)  # the same few titles, in every postmortem
def normalize_heading(title: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", title.lower()).strip()


_Titled = TypeVar("_Titled", Section, HiddenHeading)


def find_section(sections: Iterable[_Titled], wanted: str) -> _Titled | None:
    """The first heading whose title starts with `wanted` (case and punctuation aside)."""
    key = normalize_heading(wanted)
    return next((s for s in sections if normalize_heading(s.title).startswith(key)), None)


def section_lines(body: str, first_line: int, blocks: Blocks, wanted: str) -> list[Line]:
    """The prose lines under the first heading that starts with `wanted`, up to the next
    heading of its level or above."""
    return _lines_under(body, first_line, blocks.headings, blocks.code | blocks.comments, wanted)


def postmortem_section(pm: Postmortem, wanted: str) -> list[Line]:
    """`section_lines` of a parsed postmortem, from the headings and code lines parse kept."""
    return _lines_under(pm.body, pm.body_line, pm.sections, pm.code_lines | pm.comment_lines, wanted)


def _lines_under(body: str, first_line: int, headings: Sequence[Section], skip: frozenset[int], wanted: str) -> list[Line]:
    start = find_section(headings, wanted)
    if start is None:
        return []
    end = next((s.line for s in headings if s.line > start.line and s.level <= start.level), None)
    lines = body.split("\n")[start.line - first_line + 1 : None if end is None else end - first_line]
    return [Line(start.line + 1 + i, text) for i, text in enumerate(lines) if start.line + 1 + i not in skip]


@dataclass(frozen=True, slots=True)
class TimeMark:
    """A time read from one timeline line; `clock_only` when it was HH:MM without a date."""

    line: int
    text: str
    when: datetime | None  # resolved, timezone-aware
    clock: time | None
    clock_only: bool


def _offset(tz: str | None) -> timezone:
    if not tz or tz in ("Z", "UTC"):
        return timezone.utc
    sign = 1 if tz[0] == "+" else -1
    digits = tz[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def timeline_marks(lines: list[Line]) -> list[TimeMark]:
    """The first time on each list item or table row; prose, headers and separators are skipped."""
    marks = []
    for line in lines:
        stripped = line.text.lstrip()
        if not stripped or not (stripped[0] in "-*+|" or stripped[:1].isdigit() and re.match(r"\d+[.)]\s", stripped)):
            continue
        if stripped[0] == "|" and not stripped.strip("|-: "):
            continue  # table separator row
        m = _first_time(stripped)
        if m is None:
            continue
        y, mo, d, h, mi, sec, tz = m.groups()
        try:
            if y:
                when = datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec or 0), tzinfo=_offset(tz))
                marks.append(TimeMark(line.number, stripped, when, None, False))
            else:
                marks.append(TimeMark(line.number, stripped, None, time(int(h), int(mi), int(sec or 0)), True))
        except ValueError:
            continue
    return marks


def resolve_clock(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=timezone.utc)
