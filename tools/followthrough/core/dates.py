"""Dates of instants and "due soon": the one definition every figure, file name and ticket uses.

Dates of incidents are UTC dates: `started` converted to UTC, whatever offset the author
wrote, so `2024-03-31T23:30:00-02:00` happened on 2024-04-01 (in 2024-Q2). Due dates and done
dates are calendar dates and are compared with "today" as they are.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")  # ASCII digits only: \d also takes other scripts' digits


def in_utc(moment: datetime) -> datetime:
    """The same instant on the UTC clock (an aware date-time)."""
    return moment.astimezone(timezone.utc)


def utc_date(moment: datetime) -> date:
    """The UTC calendar date of an aware date-time."""
    return in_utc(moment).date()


def days_until(due: date, today: date) -> int:
    """Days from today to `due`: 0 when due today, negative once it has passed."""
    return (due - today).days


def is_due_soon(due_in_days: int | None, window_days: int) -> bool:
    """Due today or within the next `window_days` days (`site.due_soon_days`): 0 <= due - today <= window."""
    return due_in_days is not None and 0 <= due_in_days <= window_days


def is_day_shaped(value: str) -> bool:
    """Written as YYYY-MM-DD (spaces around it aside), whether or not the day exists."""
    return _DAY.fullmatch(value.strip()) is not None


def date_problem(value: str) -> str:
    """Why `value` (not accepted by `parse_day` once stripped) is not a date, in words for a message."""
    if is_day_shaped(value):
        return "not a day of the calendar (check the month and the day)"
    return "expected a date as YYYY-MM-DD"


def parse_day(value: str) -> date:
    """`value` as a YYYY-MM-DD date; ValueError otherwise. Python 3.11's `date.fromisoformat`
    alone would also take 20260201 and 2026-W05-1, which neither the options nor the
    front-matter's YYYY-MM-DD promise."""
    if not _DAY.fullmatch(value):
        raise ValueError(value)
    return date.fromisoformat(value)
