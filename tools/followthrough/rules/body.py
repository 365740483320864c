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
# "<name>'s fault" is found from the apostrophe; the name before it is added back.
_NAME_BEFORE = re.compile(r"[\w.-]+$")


@lru_cache(maxsize=16)
def blame_phrases(extra: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(sorted({" ".join(p.lower().split()) for p in BLAME_PHRASES + extra}, key=len, reverse=True))


def _word_char(c: str) -> bool:
    return c.isalnum() or c in "_-"


def _anchor(phrase: str) -> str:
    """The stem searched for: the last word's first five letters (the longest word's when the
    last is short), so inflections and phrases share one scan: careless/carelessly, * error."""
    words = phrase.split()
    word = words[-1] if len(words[-1]) > 3 else max(words, key=len)
    return word[:5]


@lru_cache(maxsize=16)
def _anchored(phrases: tuple[str, ...]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    groups: dict[str, list[str]] = {}
    for phrase in phrases:
        groups.setdefault(_anchor(phrase), []).append(phrase)
    return tuple((anchor, tuple(group)) for anchor, group in groups.items())


def find_blame(text: str, phrases: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of every blaming phrase in `text`, whole words only, case-insensitive.

    Substring search (C speed) for each phrase's longest word, then the phrase and its word
    boundaries checked around each hit: a regex alternation over a long body costs ten times more.
    """
    low = text.lower()
    size = len(low)
    hits: list[tuple[int, int]] = []
    for anchor, group in _anchored(phrases):
        at = low.find(anchor)
        while at >= 0:
            for phrase in group:
                # The phrase may hold the stem more than once; try each place it could align.
                offset = phrase.find(anchor)
                while offset >= 0:
                    start = at - offset
                    end = start + len(phrase)
                    if (
                        start >= 0
                        and low.startswith(phrase, start)
                        and (start == 0 or not _word_char(low[start - 1]))
                        and (end == size or not _word_char(low[end]))
                    ):
                        hits.append((start, end))
                    offset = phrase.find(anchor, offset + 1)
            at = low.find(anchor, at + 1)
    at = low.find("s fault")
    while at >= 0:
        end = at + 7
        if at >= 2 and low[at - 1] in "'\u2019" and (end == size or not _word_char(low[end])):
            name = _NAME_BEFORE.search(text, 0, at - 1)
            if name:
                hits.append((name.start(), end))
        at = low.find("s fault", at + 1)
    hits = sorted(set(hits), key=lambda h: (h[0], -h[1]))
    # A phrase inside a longer one already found ("blame on" in "to blame on") is reported once.
    kept: list[tuple[int, int]] = []
    for hit in hits:
        if not kept or hit[0] >= kept[-1][1]:
            kept.append(hit)
    return kept


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
    phrases = blame_phrases(ctx.settings.blame_phrases)
    if find_blame(pm.body, phrases):  # the whole body at once; lines only when something is there
        for line in md.lines_outside_code(pm.body, pm.body_line):
            for start, end in find_blame(line.text, phrases):
                out.add(
                    "FT503",
                    line.number,
                    f"{line.text[start:end]!r} blames a person; describe what in the system made the action reasonable at the time",
                    column=start + 1,
                )
    level = ctx.settings.severity(pm.severity)
    if pm.status == "published" and level and level.review_required and pm.reviewed is None and pm.kind == "incident":
        out.add("FT504", pm.front_matter_line, f"reviewed: a published {level.name} postmortem records the date of its review meeting")
    return out.findings
