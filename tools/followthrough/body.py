"""Reading the Markdown body: its sections and the Timeline's entries.

Deliberately line-based rather than a full Markdown parse: we need headings (outside
fenced code) and list/table lines with times, in time linear in the size of the body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from .model import Section

_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
# A full date-time: 2026-05-20 14:32, 2026-05-20T14:32:05Z, 2026-05-20 14:32+02:00 ...
_DATETIME = re.compile(
    r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})[T ](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s?(Z|UTC|[+-]\d{2}:?\d{2})?(?![\d:])"
)
_CLOCK = re.compile(r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2}))?(?![\d:])")


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # file line
    text: str


def lines_outside_code(body: str, first_line: int) -> Iterator[Line]:
    """The body's lines that are not inside fenced code blocks."""
    fence: str | None = None
    for i, text in enumerate(body.split("\n")):
        m = _FENCE.match(text)
        if fence is not None:
            if m and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence):
                fence = None
            continue
        if m:
            fence = m.group(1)
            continue
        yield Line(first_line + i, text)


def sections(lines: list[Line]) -> tuple[Section, ...]:
    found = []
    for line in lines:
        if "#" not in line.text[:4]:
            continue
        m = _HEADING.match(line.text)
        if m:
            found.append(Section(m.group(2).strip(), len(m.group(1)), line.number))
    return tuple(found)


def normalize_heading(title: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", title.lower()).strip()


def section_lines(lines: list[Line], all_sections: tuple[Section, ...], wanted: str) -> list[Line]:
    """The lines under the first heading that starts with `wanted`, up to the next heading of its level or above."""
    key = normalize_heading(wanted)
    start = next((s for s in all_sections if normalize_heading(s.title).startswith(key)), None)
    if start is None:
        return []
    end = next((s.line for s in all_sections if s.line > start.line and s.level <= start.level), None)
    return [ln for ln in lines if ln.number > start.line and (end is None or ln.number < end)]


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
        if stripped.startswith("|") and set(stripped) <= set("|-: "):
            continue  # table separator row
        full = _DATETIME.search(stripped)
        clock = _CLOCK.search(stripped)
        if full and (clock is None or full.start() <= clock.start()):
            y, mo, d, h, mi, s, tz = full.groups()
            try:
                when = datetime(int(y), int(mo), int(d), int(h), int(mi), int(s or 0), tzinfo=_offset(tz))
            except ValueError:
                continue
            marks.append(TimeMark(line.number, stripped, when, None, False))
        elif clock:
            h, mi, s = clock.groups()
            try:
                marks.append(TimeMark(line.number, stripped, None, time(int(h), int(mi), int(s or 0)), True))
            except ValueError:
                continue
    return marks


def resolve_clock(day: date, clock: time) -> datetime:
    return datetime.combine(day, clock, tzinfo=timezone.utc)
