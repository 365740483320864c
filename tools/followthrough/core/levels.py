"""The level each rule has in each file: the catalog's, changed by `rules` and `rules_per_path`.

Values and lookups only; `config` reads the settings into these and names every mistake.
`None` as a level means the rule is off.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Mapping

from followthrough.core.findings import Finding, Level

Choice = Level | None  # None: off


@dataclass(frozen=True, slots=True)
class PathLevels:
    glob: str  # as written in mkdocs.yml, relative to docs_dir
    pattern: re.Pattern[str]  # matches the paths findings carry (relative to the config's folder)
    levels: Mapping[str, Choice]


@dataclass(frozen=True, slots=True)
class RuleLevels:
    everywhere: Mapping[str, Choice] = field(default_factory=dict)
    per_path: tuple[PathLevels, ...] = ()  # in the order written: a later match wins

    def for_path(self, path: str) -> dict[str, Choice]:
        """The codes whose level is set for this file, and that level."""
        chosen = dict(self.everywhere)
        for entry in self.per_path:
            if entry.pattern.match(path):
                chosen.update(entry.levels)
        return chosen


def apply_levels(findings: Iterable[Finding], levels: RuleLevels) -> list[Finding]:
    """Findings at their configured level; those of rules switched off are left out."""
    found = list(findings)
    if not levels.everywhere and not levels.per_path:
        return found
    by_path: dict[str, dict[str, Choice]] = {}
    kept = []
    for f in found:
        if f.path not in by_path:
            by_path[f.path] = levels.for_path(f.path)
        chosen = by_path[f.path]
        if f.code not in chosen:
            kept.append(f)
            continue
        level = chosen[f.code]
        if level is not None:
            kept.append(f if f.level is level else replace(f, level=level))
    return kept


def path_pattern(glob: str, docs_dir: str) -> re.Pattern[str]:
    """A glob relative to docs_dir, as in .gitignore: `*` and `?` stay within one folder name,
    `**` crosses folders, a glob without an inner `/` matches at any depth, a leading `/`
    anchors it at docs_dir, and a glob that matches a folder covers everything inside it."""
    anchored = glob.startswith("/") or "/" in glob.strip("/")
    body = _translate(glob.strip("/"))
    base = posixpath.normpath(docs_dir.replace("\\", "/")) if docs_dir else "."
    prefix = "" if base == "." else re.escape(base.rstrip("/") + "/")
    return re.compile(prefix + ("" if anchored else "(?:.*/)?") + body + "(?:/.*)?$")


def _translate(glob: str) -> str:
    # Only `*`, `**` and `?`: everything else is literal, so a `[` in a file name needs no escape.
    out: list[str] = []
    i = 0
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(c))
        i += 1
    return "".join(out)
