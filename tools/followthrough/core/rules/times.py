"""Incident times: their order, the ones a published postmortem needs, and the file's name."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Iterable

from followthrough.core.findings import Finding
from followthrough.core.dates import utc_date
from followthrough.core.model import TIMES, Postmortem
from followthrough.core.fields import Collector
from followthrough.core.rules.context import Context

FILE_NAME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-[a-z0-9][a-z0-9-]*\.md$")


def check(pm: Postmortem, ctx: Context) -> Iterable[Finding]:
    out = Collector(pm.path)
    known = [(name, getattr(pm, name)) for name in TIMES if getattr(pm, name) is not None]
    for (a, ta), (b, tb) in zip(known, known[1:]):
        if tb < ta:
            out.add("FT202", pm.line_of(b), f"{b} ({tb.isoformat()}) is before {a} ({ta.isoformat()}); expected {' <= '.join(TIMES)}")
    if pm.status == "published":
        # The example carries the incident's own date, so only the clock time is left to fill in.
        on = utc_date(pm.started).isoformat() if pm.started else "YYYY-MM-DD"
        missing = "this postmortem is published but does not say when"
        if pm.detected is None and "detected" not in pm.lines:
            out.add("FT203", pm.front_matter_line, f"{missing} the incident was detected; add it as detected: {on}THH:MM:00Z")
        if pm.resolved is None and "resolved" not in pm.lines:
            out.add("FT204", pm.front_matter_line, f"{missing} service was fully restored; add it as resolved: {on}THH:MM:00Z")
    if pm.started is not None:
        day = utc_date(pm.started)
        p = PurePosixPath(pm.path)
        expected = f"{day.year}/{day.isoformat()}-<slug>.md"
        m = FILE_NAME.match(p.name)
        if not m:
            out.add("FT107", 1, f"file name {p.name!r}: name postmortem files {expected} (lowercase slug)")
        elif m.group(0)[:10] != day.isoformat():
            out.add("FT107", pm.line_of("started"), f"file name {p.name!r} has the date {m.group(0)[:10]}, but started is {day.isoformat()} in UTC; rename it to {expected}")
        elif p.parent.name != str(day.year):
            out.add("FT107", 1, f"the file belongs in the folder {day.year}/, not {p.parent.name or 'the top'}/")
    return out.findings
