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


def lint_texts(files: Iterable[tuple[str, str]], ctx: Context, *, reraise: bool = False) -> LintResult:
    """Parse and check each (path, text); then the checks across files. Findings sorted by place.

    A bug met on one file becomes an FT000 finding on it and the others are still checked
    (`reraise` lets it through instead, for debugging)."""
    postmortems: list[Postmortem] = []
    findings: list[Finding] = []
    for path, text in files:
        try:
            pm, parse_findings = parse_postmortem(text, path, ctx.settings)
            found = list(parse_findings)
            if pm.lines:  # a front-matter mapping was read: the rules have something to look at
                found.extend(check_postmortem(pm, ctx))
        except Exception as exc:  # noqa: BLE001 - a bug of ours must not hide the other files' findings
            if reraise:
                raise
            findings.append(internal_error(path, exc))
            continue
        findings.extend(found)
        postmortems.append(pm)
    findings.extend(duplicate_ids(postmortems))
    findings = apply_rule_settings(findings, postmortems, ctx.settings.rule_levels)
    return LintResult(tuple(postmortems), tuple(sorted(findings)))


def internal_error(path: str, exc: Exception) -> Finding:
    """A bug met while checking one file, as a finding on that file: the run goes on."""
    detail = f"{type(exc).__name__}: {exc}"[:300]
    return Finding(
        path, 1, 1, "FT000",
        f"internal error while checking this file, please report it ({detail}); set FOLLOWTHROUGH_DEBUG=1 for the traceback",
    )  # fmt: skip


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
