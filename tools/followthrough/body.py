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
# The first time on a line: a full date-time (2026-05-20 14:32, 2026-05-20T14:32:05Z,
# 2026-05-20 14:32+02:00) or a clock time (14:32, 14:32:05), in one search.
_TIME = re.compile(
    r"(?<![\d:])(?:(\d{4})-(\d{2})-(\d{2})[T ])?(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?(?:\s?(Z|UTC|[+-]\d{2}:?\d{2}))?(?![\d:])"
)


@dataclass(frozen=True, slots=True)
class Line:
    number: int  # file line
    text: str


def _fence_after(fence: str | None, text: str) -> tuple[str | None, bool]:
    """(the open fence after this line, whether the line is a fence line): one rule for both scans."""
    m = _FENCE.match(text)
    if not m:
        return fence, False
    ticks = m.group(1)
    if fence is None:
        return ticks, True
    if ticks[0] == fence[0] and len(ticks) >= len(fence):
        return None, True
    return fence, True


def lines_outside_code(body: str, first_line: int) -> Iterator[Line]:
    """The body's lines that are not inside fenced code blocks."""
    fence: str | None = None
    for i, text in enumerate(body.split("\n")):
        inside = fence is not None
        fence, is_fence = _fence_after(fence, text)
        if not inside and not is_fence:
            yield Line(first_line + i, text)


def sections(body: str, first_line: int) -> tuple[Section, ...]:
    """Headings outside fenced code. Most lines start with a letter, so they cost one comparison."""
    found = []
    fence: str | None = None
    for i, text in enumerate(body.split("\n")):
        if text[:1] not in _BLOCK_START:
            continue
        fence, is_fence = _fence_after(fence, text)
        if not is_fence and fence is None and "#" in text[:4]:
            h = _HEADING.match(text)
            if h:
                found.append(Section(h.group(2).strip(), len(h.group(1)), first_line + i))
    return tuple(found)


_BLOCK_START = frozenset("#`~ ")


def normalize_heading(title: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", title.lower()).strip()


def section_lines(body: str, first_line: int, all_sections: tuple[Section, ...], wanted: str) -> list[Line]:
    """The lines under the first heading that starts with `wanted`, up to the next heading of its level or above."""
    key = normalize_heading(wanted)
    start = next((s for s in all_sections if normalize_heading(s.title).startswith(key)), None)
    if start is None:
        return []
    end = next((s.line for s in all_sections if s.line > start.line and s.level <= start.level), None)
    lines = body.split("\n")[start.line - first_line + 1 : None if end is None else end - first_line]
    return list(lines_outside_code("\n".join(lines), start.line + 1))


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
        m = _TIME.search(stripped)
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
