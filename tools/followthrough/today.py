"""Where "today" comes from, in one place, so every figure is reproducible.

Order: an explicit value (the `--today` option), then FOLLOWTHROUGH_TODAY, then
SOURCE_DATE_EPOCH (the reproducible-builds convention), then the current UTC date.
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, timezone
from typing import Mapping

from followthrough.core.errors import ConfigError, UsageError

ENV_TODAY = "FOLLOWTHROUGH_TODAY"


def date_problem(value: str) -> str:
    """Why `value` is not a date, in words for a message."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        return "not a day of the calendar (check the month and the day)"
    return "expected a date as YYYY-MM-DD"


def parse_day(value: str) -> date:
    """`value` as a YYYY-MM-DD date; ValueError otherwise. Python 3.11's `date.fromisoformat`
    alone would also take 20260201 and 2026-W05-1, which the options do not promise."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(value)
    return date.fromisoformat(value)


def resolve_today(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> date:
    env = os.environ if environ is None else environ
    if explicit is not None:  # `--today ''` is a mistake, not "no option"
        try:
            return parse_day(explicit)
        except ValueError:
            raise UsageError(f"--today {explicit!r}: {date_problem(explicit)}") from None
    value = env.get(ENV_TODAY, "").strip()
    if value:
        try:
            return parse_day(value)
        except ValueError:
            raise ConfigError(f"{ENV_TODAY}={value!r}: {date_problem(value)}") from None
    epoch = env.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date()
        except (ValueError, OverflowError, OSError):
            raise ConfigError(f"SOURCE_DATE_EPOCH={epoch!r}: expected whole seconds since 1970") from None
    return datetime.now(timezone.utc).date()
