"""Where "today" comes from, in one place, so every figure is reproducible.

Order: an explicit value (the `--today` option), then FOLLOWTHROUGH_TODAY, then
SOURCE_DATE_EPOCH (the reproducible-builds convention), then the current UTC date.
"""

from __future__ import annotations

import os
from datetime import date, datetime, timezone
from typing import Mapping

from followthrough.core.dates import date_problem, parse_day
from followthrough.core.errors import ConfigError, UsageError

ENV_TODAY = "FOLLOWTHROUGH_TODAY"


def resolve_today(explicit: str | None = None, environ: Mapping[str, str] | None = None) -> date:
    env = os.environ if environ is None else environ
    if explicit is not None:  # `--today ''` is a mistake, not "no option"
        try:
            return parse_day(explicit.strip())  # as the environment variable is read
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
