"""Linting as a pure function: texts in, postmortems and findings out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from .findings import Finding
from .model import Postmortem
from .parse import Collector, parse_postmortem
from .rules import body, items, placeholders, roles, times
from .rules.context import Context
from .rules.suppression import apply_rule_settings

RULE_MODULES = (times, items, roles, body, placeholders)


@dataclass(frozen=True, slots=True)
class LintResult:
    postmortems: tuple[Postmortem, ...]
    findings: tuple[Finding, ...]

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.is_error]


def check_postmortem(pm: Postmortem, ctx: Context) -> list[Finding]:
    found: list[Finding] = []
    for module in RULE_MODULES:
        found.extend(module.check(pm, ctx))
    return found


def lint_texts(files: Iterable[tuple[str, str]], ctx: Context) -> LintResult:
    """Parse and check each (path, text); then the checks across files. Findings sorted by place."""
    postmortems: list[Postmortem] = []
    findings: list[Finding] = []
    for path, text in files:
        pm, parse_findings = parse_postmortem(text, path, ctx.settings)
        findings.extend(parse_findings)
        if pm.lines:  # a front-matter mapping was read: the rules have something to look at
            findings.extend(check_postmortem(pm, ctx))
        postmortems.append(pm)
    findings.extend(duplicate_ids(postmortems))
    findings = apply_rule_settings(findings, postmortems, ctx.settings.rule_levels)
    return LintResult(tuple(postmortems), tuple(sorted(findings)))


def duplicate_ids(postmortems: Iterable[Postmortem]) -> list[Finding]:
    first: dict[str, Postmortem] = {}
    found = []
    for pm in postmortems:
        if not pm.lines:
            continue
        other = first.setdefault(pm.id, pm)
        if other is not pm:
            out = Collector(pm.path)
            out.add("FT106", pm.line_of("id"), f"id {pm.id!r} is already used by {other.path}")
            found.extend(out.findings)
    return found
