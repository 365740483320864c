"""Contributing factors: each a name of the vocabulary, once; and a hint when the root cause
describes a factor the front-matter does not list."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Mapping

from followthrough.core.fields import Collector, did_you_mean
from followthrough.core.findings import Finding
from followthrough.core.model import Postmortem
from followthrough.core.rules.context import Context
from followthrough.core.text import body as md

# Words that describe a default factor, matched as whole words in any case. Only factors named
# here are ever suggested: a repo's own vocabulary gets hints for the names it shares with the
# defaults, and none for the others. Phrases over single words where a word alone is ordinary.
FACTOR_KEYWORDS: Mapping[str, tuple[str, ...]] = {
    "change": ("deploy", "deployed", "deploys", "deployment", "rollback", "rolled back", "roll back", "reverted", "revert", "canary", "release"),
    "configuration": ("config change", "configuration change", "misconfigured", "misconfiguration", "feature flag", "flag flip", "flipped the flag", "terraform"),
    "capacity": ("capacity", "saturated", "saturation", "out of memory", "oom", "oom-killed", "exhausted", "throttled", "quota", "disk full", "connection pool"),
    "dependency": ("upstream service", "downstream service", "dependency", "dependencies", "client library"),
    "data": ("migration", "backfill", "corrupt", "corrupted", "corruption", "malformed", "schema change"),
    "monitoring-gap": ("no alert", "no dashboard", "no metric", "blind spot", "unmonitored", "no visibility", "not monitored"),
    "alerting": ("alert fatigue", "noisy alert", "noisy alerts", "alert did not fire", "alert never fired", "paged late", "missed page", "false positive"),
    "process": ("runbook", "checklist", "playbook", "procedure"),
    "access": ("certificate", "expired cert", "credentials", "credential", "permissions", "iam", "token expired", "secret rotation"),
    "third-party": ("vendor", "third-party", "third party", "provider", "cdn"),
    "hardware": ("hardware", "disk failure", "failed disk", "power supply", "rack", "nic", "data centre", "datacenter"),
}
MIN_MENTIONS = 2  # one passing word is noise; two are a description
# The sections that say why it happened. A rollback in the Timeline is how it was mitigated,
# not what caused it, so the rest of the body is not read for hints.
CAUSE_SECTIONS = ("root cause", "contributing factor", "causes", "what could have happened")
MAX_HINTS = 3  # per file: the strongest, so the hint stays a hint


def check(pm: Postmortem, ctx: Context) -> Iterable[Finding]:
    out = Collector(pm.path)
    names = ctx.settings.factor_names
    line = pm.line_of("factors")
    seen: set[str] = set()
    for name in pm.factors:
        if name in seen:
            out.add("FT114", line, f"factors: {name!r} is listed twice; list each factor once")
            continue
        seen.add(name)
        if name not in names:
            out.add("FT113", line, f"factors: {name!r} is not a contributing factor of the vocabulary ({', '.join(names)}){did_you_mean(name, names)}")
    for factor, words, first in suggested(pm, names):
        quoted = ", ".join(repr(w) for w in words)
        out.add("FT510", first, f"the root cause mentions {quoted}: consider factors: [{factor}] (a hint; list the factor, or switch FT510 off)")
    return out.findings


def suggested(pm: Postmortem, names: tuple[str, ...]) -> list[tuple[str, list[str], int]]:
    """(factor, the words that suggest it, the first line they are on) for the factors the
    sections on causes describe and the front-matter does not list: the most mentioned first, at most MAX_HINTS."""
    known = tuple(n for n in names if n in FACTOR_KEYWORDS)
    if not pm.body or not any(n not in pm.factors for n in known):
        return []
    spans = _cause_spans(pm)
    if not spans:
        return []
    # One pattern per vocabulary (not per set of listed factors), so it is compiled once a run.
    pattern, factor_of = _matcher(known)
    skip = pm.code_lines | pm.comment_lines
    lines = pm.body.split("\n")
    mentions: dict[str, list[tuple[int, str]]] = {}
    for first, end in spans:
        numbers = range(first, min(end, pm.body_line + len(lines)))
        # One scan of the section, lowercased once; code and comment lines are blanked, not dropped,
        # so a match's line is its count of line breaks.
        chunk = "\n".join("" if n in skip else lines[n - pm.body_line] for n in numbers).lower()
        for match in pattern.finditer(chunk):
            word = " ".join(match.group(0).split())
            factor = factor_of[word]
            if factor not in pm.factors:
                mentions.setdefault(factor, []).append((first + chunk.count("\n", 0, match.start()), word))
    strong = [(f, m) for f, m in mentions.items() if len(m) >= MIN_MENTIONS]
    strong.sort(key=lambda fm: (-len(fm[1]), fm[1][0][0]))
    found = []
    for factor, seen in strong[:MAX_HINTS]:
        words = list(dict.fromkeys(w for _, w in seen))[:3]
        found.append((factor, words, seen[0][0]))
    return found


def _cause_spans(pm: Postmortem) -> list[tuple[int, int]]:
    """[first line, end line) of each section that says why, up to the next heading of its level or above."""
    spans = []
    for i, section in enumerate(pm.sections):
        if md.normalize_heading(section.title).startswith(CAUSE_SECTIONS):
            end = next((s.line for s in pm.sections[i + 1 :] if s.level <= section.level), 1 << 62)
            spans.append((section.line + 1, end))
    return spans


@lru_cache(maxsize=4)
def _matcher(factors: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every keyword of these factors (a scan per line, not per word), longest first."""
    factor_of = {" ".join(w.split()): f for f in factors for w in FACTOR_KEYWORDS[f]}
    words = sorted(factor_of, key=len, reverse=True)
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])"), factor_of  # matched against lowercased text
