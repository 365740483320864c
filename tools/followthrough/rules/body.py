"""The body: required sections, the Timeline's order, blameless wording, the review meeting."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import lru_cache
from typing import Iterable

from .. import body as md
from ..findings import Finding
from ..model import Postmortem
from ..parse import Collector
from .context import Context

# Whole words and phrases only: "default" and "fault injection" stay fine.
BLAME_PHRASES = (
    "human error", "operator error", "user error", "pilot error",
    "should have known", "should've known",
    "careless", "carelessly", "carelessness", "negligent", "negligence", "sloppy", "incompetent", "incompetence",
    "his fault", "her fault", "their fault", "my fault", "your fault",
    "fault of", "to blame", "blamed", "blame on", "screwed up", "dropped the ball", "lazy",
)  # fmt: skip
# "<name>'s fault": a possessive right before "fault".
_POSSESSIVE_FAULT = r"[A-Za-z][\w.-]*['\u2019]s\s+fault"


@lru_cache(maxsize=16)
def blame_pattern(extra: tuple[str, ...]) -> re.Pattern[str]:
    phrases = sorted({p.lower() for p in BLAME_PHRASES + extra}, key=len, reverse=True)
    alternatives = [r"\s+".join(map(re.escape, p.split())) for p in phrases]
    return re.compile(r"(?<![\w-])(?:" + "|".join(alternatives + [_POSSESSIVE_FAULT]) + r")(?![\w-])", re.I)


def check(pm: Postmortem, ctx: Context) -> Iterable[Finding]:
    out = Collector(pm.path)
    # Sections only make sense once the file parsed as a postmortem at all.
    if pm.lines:
        wanted = ctx.settings.sections.get(pm.kind, ())
        have = [md.normalize_heading(s.title) for s in pm.sections]
        for name in wanted:
            key = md.normalize_heading(name)
            if not any(h.startswith(key) for h in have):
                out.add("FT501", pm.body_line, f"section '{name}' is missing; add a '## {name}' heading")
    previous = None
    for entry in pm.timeline:
        if previous is not None and entry.when < previous.when:
            next_day = (previous.when + timedelta(days=1)).strftime("%Y-%m-%d")
            hint = (
                f"; if the timeline crossed midnight, write the full date there, e.g. '{next_day} {entry.when.strftime('%H:%M')}'"
                if entry.when.date() == previous.when.date()
                else ""
            )
            out.add(
                "FT502",
                entry.line,
                f"Timeline: {entry.when.strftime('%Y-%m-%d %H:%M')} UTC comes after {previous.when.strftime('%Y-%m-%d %H:%M')} UTC (line {previous.line}){hint}",
            )
        previous = entry
    pattern = blame_pattern(ctx.settings.blame_phrases)
    if pattern.search(pm.body):  # one search of the whole body before the per-line pass
        for line in md.lines_outside_code(pm.body, pm.body_line):
            for m in pattern.finditer(line.text):
                out.add(
                    "FT503",
                    line.number,
                    f"{m.group(0)!r} blames a person; describe what in the system made the action reasonable at the time",
                    column=m.start() + 1,
                )
    level = ctx.settings.severity(pm.severity)
    if pm.status == "published" and level and level.review_required and pm.reviewed is None and pm.kind == "incident":
        out.add("FT504", pm.front_matter_line, f"reviewed: a published {level.name} postmortem records the date of its review meeting")
    return out.findings
