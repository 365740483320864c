"""Template text left in the body of a postmortem past draft (FT505, as for `TODO` values)."""

from __future__ import annotations

from typing import Iterable

from followthrough.core.text import body as md
from followthrough.core.findings import Finding
from followthrough.core.guidance import LEFTOVERS
from followthrough.core.model import Postmortem
from followthrough.core.fields import Collector
from followthrough.core.rules.context import Context

# A draft is where the guidance belongs; under review it would be read (and then published)
# as the postmortem's own words.
CHECKED_STATUSES = ("in-review", "published")


def check(pm: Postmortem, ctx: Context) -> Iterable[Finding]:
    if pm.status not in CHECKED_STATUSES:
        return []
    present = [(probe, message) for probe, message in LEFTOVERS if probe in pm.body]  # a clean body costs one scan each
    if not present:
        return []
    out = Collector(pm.path)
    for line in md.lines_outside_code(pm.body, pm.body_line, pm.code_lines):
        for probe, message in present:
            at = line.text.find(probe)
            if at >= 0:
                out.add("FT505", line.number, message, column=at + 1)
    return out.findings
