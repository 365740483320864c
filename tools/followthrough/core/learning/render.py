"""Suggestions of related postmortems as text (a terminal), Markdown (a pull request's job
summary) and JSON. Pure functions of `Asked` values; every value from a postmortem is escaped
for where it goes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from followthrough.core.dates import utc_date
from followthrough.core.escape import github
from followthrough.core.learning.features import Features
from followthrough.core.learning.similar import Suggestion
from followthrough.core.logline import safe_lines
from followthrough.core.model import Postmortem

VERSION = 1
LINKED = "already linked"


@dataclass(frozen=True, slots=True)
class Asked:
    """One postmortem asked about, and what resembles it, best first."""

    pm: Postmortem | Features
    suggestions: tuple[Suggestion, ...]


def _when(pm: Postmortem | Features) -> str:
    return utc_date(pm.started).isoformat() if pm.started else "no start"


def advice(s: Suggestion) -> str:
    return LINKED if s.linked else f"consider `{s.line}`"


NONE_ASKED = "no postmortem added or edited, so none to compare"


def text(asked: Sequence[Asked]) -> str:
    if not asked:
        return NONE_ASKED + "\n"
    lines: list[str] = []
    for a in asked:
        lines.append(f"{a.pm.path}: {a.pm.id} ({a.pm.title or 'no title'})")
        if not a.suggestions:
            lines.append("  no earlier postmortem resembles it")
        for n, s in enumerate(a.suggestions, 1):
            lines.append(f"  {n}. {s.pm.id} ({s.pm.kind}, {_when(s.pm)}; score {s.score:g}): {s.pm.title}")
            lines.append(f"     why: {s.why}")
            lines.append(f"     {advice(s)}")
    return safe_lines("\n".join(lines) + "\n")


# A job summary holds 1 MiB per step (GitHub drops a larger one whole), and the step should take
# seconds: a change that adds a whole archive of postmortems gets the first of them and a count of
# the rest. The byte budget leaves room for the job's other sections.
SUMMARY_POSTMORTEMS = 50
SUMMARY_BYTES = 256 * 1024


def markdown(asked: Sequence[Asked], heading: str = "## Related postmortems", more: int = 0) -> str:
    """The job summary's section: for each postmortem the change adds or edits, what it resembles;
    `more` postmortems were not asked about (beyond SUMMARY_POSTMORTEMS), and it is counted."""
    lines = [heading, ""]
    if not asked and not more:
        lines.append(NONE_ASKED.capitalize() + ".")
        return "\n".join(lines) + "\n"
    lines.append("Earlier postmortems that resemble the ones this change adds or edits (`followthrough related`). Link those that are related.")
    size = sum(len(line.encode()) + 1 for line in lines)
    for n, a in enumerate(asked):
        block = ["", f"**{github.text(a.pm.title or a.pm.id)}** ({github.code(a.pm.path)})", ""]
        if not a.suggestions:
            block.append("- no earlier postmortem resembles it")
        for s in a.suggestions:
            tail = LINKED if s.linked else f"consider {github.code(s.line)}"
            block.append(f"- resembles {github.code(s.pm.id)} ({github.text(s.pm.kind)}, {_when(s.pm)}): {github.text(s.why)}; {tail}")
        size += sum(len(line.encode()) + 1 for line in block)
        if size > SUMMARY_BYTES and n > 0:
            more += len(asked) - n
            break
        lines += block
    if more:
        lines += ["", f"And {more} more postmortem{'s' if more != 1 else ''} this change adds or edits, not compared here: run `followthrough related FILE` for each."]
    return "\n".join(lines) + "\n"


def suggestion_json(s: Suggestion) -> dict[str, Any]:
    return {
        "id": s.pm.id,
        "path": s.pm.path,
        "title": s.pm.title,
        "kind": s.pm.kind,
        "started": s.pm.started.isoformat() if s.pm.started else None,
        "score": s.score,
        "reasons": [{"kind": r.kind, "values": list(r.values), "points": r.points, "text": str(r)} for r in s.reasons],
        "why": s.why,
        "linked": s.linked,
        "field": s.field,
        "line": s.line,
    }


def as_json(asked: Sequence[Asked]) -> str:
    data = {
        "version": VERSION,
        "postmortems": [{"id": a.pm.id, "path": a.pm.path, "title": a.pm.title, "suggestions": [suggestion_json(s) for s in a.suggestions]} for a in asked],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
