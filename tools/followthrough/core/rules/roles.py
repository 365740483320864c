"""Role rules by severity (the incident-command model: the commander never also debugs): who may hold two roles, and minimum staffing."""

from __future__ import annotations

from itertools import combinations
from typing import Iterable

from followthrough.core.findings import Finding
from followthrough.core.model import Postmortem
from followthrough.core.fields import Collector
from followthrough.core.settings import ROLE_TITLES
from followthrough.core.rules.context import Context
from followthrough.core.rules.people import check_person


def check(pm: Postmortem, ctx: Context) -> Iterable[Finding]:
    out = Collector(pm.path)
    roles = pm.roles
    if "roles" in pm.lines and roles.commander is None and "commander" not in roles.lines:
        out.add("FT401", pm.line_of("roles"), "roles.commander: name the Incident Commander (one person)")
    for role, person in roles.holders():
        check_person(person, roles.lines.get(role, pm.line_of("roles")), f"roles.{role}", ctx, out)
    level = ctx.settings.severity(pm.severity)
    if level is None:
        return out.findings
    by_person: dict[str, list[str]] = {}
    for role, person in roles.holders():
        if role not in by_person.setdefault(person, []):
            by_person[person].append(role)
    for person, held in by_person.items():
        for a, b in combinations(held, 2):
            combo = ctx.settings.combination(a, b)
            names = f"{ROLE_TITLES[a]} and {ROLE_TITLES[b]}"
            line = roles.lines.get(b, pm.line_of("roles"))
            if combo is not None and not combo.allowed_at:
                out.add("FT402", line, f"roles: {person} is both {names}; never combine them. {combo.why}".rstrip())
            elif combo is not None and level.name not in combo.allowed_at:
                out.add("FT402", line, f"roles: {person} is both {names}; allowed only at {', '.join(combo.allowed_at)}, not {level.name}. {combo.why}".rstrip())
            elif level.distinct_roles:
                out.add("FT402", line, f"roles: {person} is both {names}; at {level.name} every role is held by a different person")
    if any(not (roles.sme if r == "sme" else getattr(roles, r, None)) for r in roles.lines if r in ROLE_TITLES):
        return out.findings  # a role written but unreadable (or a TODO): its own finding says so
    missing = [r for r in level.required_roles if not (roles.sme if r == "sme" else getattr(roles, r))]
    people = len(by_person)
    if missing or people < level.min_people:
        parts = []
        if missing:
            parts.append("no " + ", ".join(ROLE_TITLES[r] for r in missing))
        if people < level.min_people:
            parts.append(f"{people} people where {level.min_people} are the minimum")
        out.add("FT403", pm.line_of("roles"), f"roles: {level.name} staffing: {'; '.join(parts)}")
    return out.findings
