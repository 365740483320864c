"""The body: required sections, the Timeline's order, blameless wording, the review meeting."""

from __future__ import annotations

from datetime import timedelta
from functools import lru_cache
from typing import Iterable

from followthrough.core.text import body as md
from followthrough.core.dates import in_utc
from followthrough.core.findings import Finding
from followthrough.core.model import HiddenHeading, Postmortem, Section
from followthrough.core.fields import Collector
from followthrough.core.rules.context import Context

# Whole words and phrases only: "default" and "fault injection" stay fine.
BLAME_PHRASES = (
    "human error", "operator error", "user error", "pilot error",
    "should have known", "should've known",
    "careless", "carelessly", "carelessness", "negligent", "negligence", "sloppy", "incompetent", "incompetence",
    "his fault", "her fault", "their fault", "my fault", "your fault",
    "fault of", "to blame", "blamed", "blame on", "screwed up", "dropped the ball", "lazy",
)  # fmt: skip
# "<name>'s fault" is found from the apostrophe; the name before it is added back.


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
            start = _name_start(text, at - 1)
            if start < at - 1:
                hits.append((start, end))
        at = low.find("s fault", at + 1)
    hits = sorted(set(hits), key=lambda h: (h[0], -h[1]))
    # A phrase inside a longer one already found ("blame on" in "to blame on") is reported once.
    kept: list[tuple[int, int]] = []
    for hit in hits:
        if not kept or hit[0] >= kept[-1][1]:
            kept.append(hit)
    return kept


def _name_start(text: str, end: int) -> int:
    """Where the name ending at `end` starts (letters, digits, `_`, `.`, `-`). Walked back from
    the apostrophe, so each hit reads only its own name: a regex searched from the start of the
    text for every hit made a body of `x's fault` repeated quadratic."""
    start = end
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.-"):
        start -= 1
    return start


def check(pm: Postmortem, ctx: Context) -> Iterable[Finding]:
    out = Collector(pm.path)
    # Sections only make sense once the file parsed as a postmortem at all.
    if pm.lines:
        _sections(pm, ctx.settings.sections.get(pm.kind, ()), out)
    for line, why in pm.too_complex:
        out.add("FT509", line, why)
    previous = None
    for entry in pm.timeline:
        if previous is not None and entry.when < previous.when:
            # The message speaks UTC, the timeline of record's clock, whatever offset a line was written in.
            now, before = in_utc(entry.when), in_utc(previous.when)
            next_day = (before + timedelta(days=1)).strftime("%Y-%m-%d")
            hint = (
                f"; if the timeline crossed midnight, write the full date there, e.g. '{next_day} {now.strftime('%H:%M')}'"
                if now.date() == before.date()
                else ""
            )
            out.add(
                "FT502",
                entry.line,
                f"Timeline: {now.strftime('%Y-%m-%d %H:%M')} UTC comes after {before.strftime('%Y-%m-%d %H:%M')} UTC (line {previous.line}){hint}",
            )
        previous = entry
    phrases = blame_phrases(ctx.settings.blame_phrases)
    if find_blame(pm.body, phrases):  # the whole body at once; lines only when something is there
        for line in md.lines_outside_code(pm.body, pm.body_line, pm.code_lines | pm.comment_lines):
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


def _sections(pm: Postmortem, wanted: tuple[str, ...], out: Collector) -> None:
    """FT501 for each required section the page lacks, saying where it belongs and, when a line
    that reads as its heading is there but the site does not render it, why (at the line to fix).
    FT506/FT507 for headings whose form the site reads differently from other Markdown tools."""
    hidden_reported: set[int] = set()
    present = [(name, md.find_section(pm.sections, name)) for name in wanted]
    # Required sections whose heading is there but not rendered, grouped by the line that hides them.
    by_cause: dict[tuple[int, str], list[tuple[str, HiddenHeading]]] = {}
    for i, (name, section) in enumerate(present):
        if section is not None:
            continue
        hidden = md.find_section(pm.hidden_headings, name)
        if hidden is not None:
            hidden_reported.add(hidden.line)
            by_cause.setdefault((hidden.cause_line, hidden.reason), []).append((name, hidden))
            continue
        out.add("FT501", _insert_line(pm, present, i), f"section '{name}' is missing; {_where_it_goes(name, present, i)}")
    for (cause, reason), group in by_cause.items():
        names = ", ".join(f"'{name}'" for name, _ in group)
        at = ", ".join(str(h.line) for _, h in group)
        if len(group) == 1:
            what = f"section {names} is missing from the page, though its heading is at line {at}"
        else:
            what = f"sections {names} are missing from the page, though their headings are at lines {at}"
        out.add("FT501", cause, f"{what}: {reason}")
    for h in pm.hidden_headings:
        if h.line not in hidden_reported:
            at = "" if h.cause_line == h.line else f" at line {h.line}"
            out.add("FT507", h.cause_line, f"'{'#' * h.level} {h.title}'{at} is not a heading on the site: {h.reason}")
    causes = {h.cause_line for h in pm.hidden_headings}
    for line, why in pm.false_fences:
        if line not in causes:  # already named as what hides a section
            out.add("FT508", line, f"this line opens a code block on GitHub and in editors, but not on the site ({why}); the sample after it shows as text")
    for s in pm.sections:
        if s.form == "atx-no-space":
            out.add("FT506", s.line, f"'{s.title}' is a heading on the site, but not on GitHub or in most editors; put a space after the '#'")


def _where_it_goes(name: str, present: list[tuple[str, Section | None]], i: int) -> str:
    before = next(((n, s) for n, s in reversed(present[:i]) if s is not None), None)
    after = next(((n, s) for n, s in present[i + 1 :] if s is not None), None)
    heading = f"add a '## {name}' heading"
    if before is not None and after is not None:
        return f"{heading} after the '{before[0]}' section, before '{after[1].title}' (line {after[1].line})"
    if before is not None:
        return f"{heading} after the '{before[0]}' section (line {before[1].line})"
    if after is not None:
        return f"{heading} before '{after[1].title}' (line {after[1].line})"
    return f"{heading}; the required sections, in order: {', '.join(n for n, _ in present)}"


def _insert_line(pm: Postmortem, present: list[tuple[str, Section | None]], i: int) -> int:
    """The line where the missing heading belongs: the next required section's heading, else the body's start."""
    after = next((s for _, s in present[i + 1 :] if s is not None), None)
    return after.line if after is not None else pm.body_line
