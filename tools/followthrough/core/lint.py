"""Linting as a pure function: texts in, postmortems and findings out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

from followthrough.core.text.blocks import page_too_complex
from followthrough.core.findings import Finding
from followthrough.core.model import Postmortem
from followthrough.core.fields import Collector
from followthrough.core.parse import parse_postmortem
from followthrough.core.levels import RuleLevels, apply_levels
from followthrough.core.rules import body, factors, followup, items, links, placeholders, roles, times
from followthrough.core.rules.context import Context
from followthrough.core.rules.links import IdRecord
from followthrough.core.rules.suppression import apply_rule_settings

RULE_MODULES = (times, items, followup, roles, factors, body, placeholders)


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


def lint_file(path: str, text: str, ctx: Context, *, reraise: bool = False) -> tuple[Postmortem | None, list[Finding]]:
    """One file's postmortem and findings, with the repo's rule levels and its suppressions applied.
    A bug met on it becomes an FT000 finding on it (`reraise` lets it through, for debugging)."""
    try:
        pm, parse_findings = parse_postmortem(text, path, ctx.settings)
        found = list(parse_findings)
        if pm.lines:  # a front-matter mapping was read: the rules have something to look at
            found.extend(check_postmortem(pm, ctx))
        return pm, apply_rule_settings(found, [pm], ctx.settings.rule_levels)
    except Exception as exc:  # noqa: BLE001 - a bug of ours must not hide the other files' findings
        if reraise:
            raise
        return None, [internal_error(path, exc)]


Others = Callable[[], Iterable[IdRecord]]  # the records of the repo's files not checked, read only when a link needs them


def lint_texts(files: Iterable[tuple[str, str]], ctx: Context, *, reraise: bool = False, others: Others | None = None) -> LintResult:
    """Parse and check each (path, text); then the checks across files. Findings sorted by place.
    `others`: when only some of the repo's files are checked, the rest's records (see across_files)."""
    postmortems: list[Postmortem] = []
    findings: list[Finding] = []
    for path, text in files:
        pm, found = lint_file(path, text, ctx, reraise=reraise)
        findings.extend(found)
        if pm is not None:
            postmortems.append(pm)
    findings.extend(across_files([IdRecord.of(pm) for pm in postmortems], ctx.settings.rule_levels, others))
    return LintResult(tuple(postmortems), tuple(sorted(findings)))


def lint_page(path: str, text: str, *, reraise: bool = False) -> list[Finding]:
    """FT509 for a Markdown page of docs_dir that is not a postmortem (`about.md`): the site
    renders it with the same renderer, so the same bounds hold. No other rule applies to it."""
    try:
        return [Finding(path, line, 1, "FT509", why) for line, why in page_too_complex(text)]
    except Exception as exc:  # noqa: BLE001 - as in lint_file
        if reraise:
            raise
        return [internal_error(path, exc)]


def internal_error(path: str, exc: Exception) -> Finding:
    """A bug met while checking one file, as a finding on that file: the run goes on."""
    detail = f"{type(exc).__name__}: {exc}"[:300]
    return Finding(
        path, 1, 1, "FT000",
        f"internal error while checking this file, please report it ({detail}); set FOLLOWTHROUGH_DEBUG=1 for the traceback",
    )  # fmt: skip


def across_files(records: list[IdRecord | None], levels: RuleLevels, others: Others | None = None) -> list[Finding]:
    """The checks that read more than one file: duplicate ids, and `related:`/`recurrence_of:`
    naming postmortems that exist. `others` gives the records of the repo's files that were not
    checked (a lint of some files only): link targets, never reported on. It is called only
    when a link names an id the checked files do not have, so a lint of one file reads the
    rest of the repo only when it must."""
    present = [r for r in records if r is not None]
    ids = {r.id for r in present}
    unresolved = any(link not in ids for r in present for link in r.links)
    targets = list(others()) if others is not None and unresolved else []
    return duplicate_ids(records) + apply_levels(links.check(present, targets), levels)


def duplicate_ids(records: Iterable[IdRecord | None]) -> list[Finding]:
    """FT106 on every postmortem whose id an earlier one (in file order) already uses. The level
    of FT106 cannot be changed, so no rule settings apply here."""
    first: dict[str, IdRecord] = {}
    found = []
    for record in records:
        if record is None:
            continue
        other = first.setdefault(record.id, record)
        if other is not record:
            out = Collector(record.path)
            out.add("FT106", record.line, f"id {record.id!r} is already used by {other.path}")
            found.extend(out.findings)
    return found
