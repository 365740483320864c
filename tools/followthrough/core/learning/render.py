"""Suggestions of related postmortems as text (a terminal), Markdown (a pull request's job
summary) and JSON. Pure functions of `Asked` values; every value from a postmortem is escaped
for where it goes."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Sequence

from followthrough.core.dates import utc_date
from followthrough.core.escape import github
from followthrough.core.learning.similar import Suggestion
from followthrough.core.logline import safe_lines
from followthrough.core.model import Postmortem

VERSION = 1
LINKED = "already linked"


@dataclass(frozen=True, slots=True)
class Asked:
    """One postmortem asked about, and what resembles it, best first."""

    pm: Postmortem
    suggestions: tuple[Suggestion, ...]


def _when(pm: Postmortem) -> str:
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


def markdown(asked: Sequence[Asked], heading: str = "## Related postmortems") -> str:
    """The job summary's section: for each postmortem the change adds or edits, what it resembles."""
    lines = [heading, ""]
    if not asked:
        lines.append(NONE_ASKED.capitalize() + ".")
        return "\n".join(lines) + "\n"
    lines.append("Earlier postmortems that resemble the ones this change adds or edits (`followthrough related`). Link those that are related.")
    for a in asked:
        lines += ["", f"**{github.text(a.pm.title or a.pm.id)}** ({github.code(a.pm.path)})", ""]
        if not a.suggestions:
            lines.append("- no earlier postmortem resembles it")
        for s in a.suggestions:
            tail = LINKED if s.linked else f"consider {github.code(s.line)}"
            lines.append(f"- resembles {github.code(s.pm.id)} ({github.text(s.pm.kind)}, {_when(s.pm)}): {github.text(s.why)}; {tail}")
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
