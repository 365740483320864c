"""How figures read on the pages: durations, percentages, UTC times. Plain text, escaped later."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from followthrough.core.dates import in_utc, utc_date

NONE = "\u2013"  # an en dash where a figure is unknown or has no denominator


def duration(delta: timedelta | None) -> str:
    """'45 s', '16 min', '1 h 28 min', '2 d 3 h'; negative durations keep their sign."""
    if delta is None:
        return NONE
    seconds = int(round(delta.total_seconds()))
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds < 60:
        return f"{sign}{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{sign}{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{sign}{hours} h {minutes} min" if minutes else f"{sign}{hours} h"
    days, hours = divmod(hours, 24)
    return f"{sign}{days} d {hours} h" if hours else f"{sign}{days} d"


def percent(rate: float | None) -> str:
    return NONE if rate is None else f"{rate * 100:.0f}%"


def number(value: float | None, unit: str = "") -> str:
    if value is None:
        return NONE
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"{text}{unit}"


def moment(value: datetime | None) -> str:
    """A time in UTC, as the timeline of record uses: '2024-06-18 07:42 UTC'."""
    if value is None:
        return NONE
    return in_utc(value).strftime("%Y-%m-%d %H:%M UTC")


def day(value: date | datetime | None) -> str:
    if value is None:
        return NONE
    if isinstance(value, datetime):
        value = utc_date(value)
    return value.isoformat()


def iso(value: date | datetime | None) -> str | None:
    """For the JSON export: ISO 8601, date-times in UTC with a 'Z'."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return in_utc(value).isoformat().replace("+00:00", "Z")
    return value.isoformat()


def slip(days: int) -> str:
    """A due date's move in days, signed: '+21 d', '-3 d' (moved earlier), '0 d'."""
    return f"{days:+d} d" if days else "0 d"


def redate_summary(count: int, slip_days: int) -> str:
    """How often an item's due date moved and how far in all: '2x, +21 d'; '' when never."""
    return f"{count}x, {slip(slip_days)}" if count else ""


def redate_source(source: str) -> str:
    """Where a re-date was made: 'file' (a reviewed `redated:` entry, with its reason), or the
    tracker destination a pull saw the move in, which records no reason."""
    return "file" if source == "file" else f"in {source}, no reason recorded"


SHORT = 36  # characters of a title shown in a table column; the whole title is on hover


def short(text: str, limit: int = SHORT) -> str:
    """`text` cut at a word boundary to at most `limit` characters, with an ellipsis when cut
    (a single longer word is cut inside): a postmortem's title as a link in an item table."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    if space >= limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-") + "\u2026"


_GITHUB_ISSUE = re.compile(r"https?://[^/]+/[^/]+/([^/]+)/(?:issues|pull)/(\d+)/?$")


def ticket_label(ticket: str) -> str:
    """A ticket as a table shows it: a key as is (`PAY-412`), a GitHub issue URL as `repo#45`,
    any other URL shortened; the link keeps the whole address."""
    found = _GITHUB_ISSUE.match(ticket)
    if found:
        return f"{found.group(1)}#{found.group(2)}"
    return short(ticket, 24) if "://" in ticket else ticket
