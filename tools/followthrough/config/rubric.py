"""The rubric part of the plugin's settings (severities, role combinations, sections, rule levels,
limits) turned into the core's `Settings`, with the checks across settings MkDocs cannot express."""

from __future__ import annotations

import re
from typing import Any

from followthrough.config.strict import Problem, Strict, problem_lines
from followthrough.core.errors import ConfigError
from followthrough.core.findings import Level
from followthrough.core.model import KINDS
from followthrough.core.fields import did_you_mean
from followthrough.core.catalog import RULES
from followthrough.core.rules.codes import code_hint
from followthrough.core.levels import Choice, PathLevels, RuleLevels, path_pattern
from followthrough.core.ids import SLUG_RULE, is_slug
from followthrough.core.settings import DEFAULT_ROLE_COMBINATIONS, DEFAULT_SECTIONS, Factor, RoleCombination, SeverityLevel, Settings
from followthrough.core.text.blocks import DEFAULT_DIALECT, Dialect
from followthrough.core.timeline.select import reaction_name
from followthrough.files.safefiles import MB

# A person's handle as people.yml keys them: one word (a GitHub login with @, a name with spaces
# or a list is not one; the directory's own check says whether the person exists).
_HANDLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
LEVEL_WORDS: dict[str, Choice] = {"off": None, "info": Level.INFO, "warning": Level.WARNING, "error": Level.ERROR}


def rubric_problems(plugin: Strict) -> list[Problem]:
    """What is wrong across the rubric's settings (the checks `options.PluginConfig` runs; `plugin`
    is one, typed by its base here so that the two modules do not import each other)."""
    return _rubric(plugin, ".")[3]


def settings_from_plugin(plugin: Strict, docs_dir: str, site_url: str, where: str, markdown: Dialect = DEFAULT_DIALECT) -> Settings:
    """Plain Settings from a validated PluginConfig."""
    severities, combos, rule_levels, problems = _rubric(plugin, docs_dir)
    if problems:
        raise ConfigError(problem_lines(problems, where))
    sections = {k: tuple(v) for k, v in DEFAULT_SECTIONS.items()}
    sections.update({k: tuple(v) for k, v in plugin.sections.items()})
    return Settings(
        severities=severities,
        role_combinations=combos,
        priorities=tuple(plugin.priorities),
        sections=sections,
        blame_phrases=tuple(plugin.blame_phrases),
        mirror_statuses=tuple(plugin.mirror_statuses),
        people_file=plugin.people,
        docs_dir=docs_dir,
        state_file=plugin.state_file,
        site_url=site_url,
        markdown=markdown,
        rule_levels=rule_levels,
        max_file_bytes=int(plugin.max_file_mb * MB),
        publish_files=tuple(plugin.publish_files),
        factors=tuple(Factor(name, definition.strip()) for name, definition in plugin.factors.items()),
        timeline_reaction=reaction_name(plugin.timeline.reaction),
        timeline_prefix=plugin.timeline.prefix,
    )


def _rubric(plugin: Strict, docs_dir: str) -> tuple[tuple[SeverityLevel, ...], tuple[RoleCombination, ...], RuleLevels, list[Problem]]:
    severities = tuple(
        SeverityLevel(
            name=s.name,
            title=s.title,
            triggers=s.triggers,
            response=s.response,
            followup_days=s.followup_days,
            required_roles=tuple(s.required_roles),
            min_people=s.min_people,
            distinct_roles=s.distinct_roles,
            review_required=s.review_required,
            remind_before_days=s.remind_before_days,
            escalate_after_days=s.escalate_after_days,
            escalate_to=s.escalate_to,
            non_negotiable=s.non_negotiable,
        )
        for s in plugin.severities
    )
    names = [s.name for s in severities]
    problems: list[Problem] = list(policy_problems(severities))
    if not names:
        problems.append(("severities", "at least one level is needed"))
    if len(set(names)) != len(names):
        problems.append(("severities", f"level names repeat: {names}"))
    combos = []
    for i, x in enumerate(plugin.role_combinations):
        if len(x.roles) != 2 or x.roles[0] == x.roles[1]:
            problems.append((f"role_combinations[{i}].roles", f"name two different roles, got {x.roles}"))
            continue
        combo = RoleCombination((x.roles[0], x.roles[1]), tuple(x.allowed_at), x.why)
        unknown = [a for a in combo.allowed_at if a not in names]
        if unknown and combo in DEFAULT_ROLE_COMBINATIONS:
            # A rubric of its own with the default combinations: those name SEV-0..SEV-4,
            # so keep the levels that exist (documented in guide/configuration.md).
            combo = RoleCombination(combo.roles, tuple(a for a in combo.allowed_at if a in names), combo.why)
        elif unknown:
            problems.append((f"role_combinations[{i}].allowed_at", f"{unknown} not among severities {names}"))
        combos.append(combo)
    for kind in plugin.sections:
        if kind not in KINDS:
            problems.append(("sections", f"{kind!r} is not a kind; use one of {list(KINDS)}"))
    for name, definition in plugin.factors.items():
        if not is_slug(name):
            problems.append((f"factors.{name}", f"a factor's name is written in front-matter, so it is a slug ({SLUG_RULE})"))
        elif not definition.strip():
            problems.append((f"factors.{name}", "give the factor a one-line definition: the site publishes it"))
    if not plugin.factors:
        problems.append(("factors", "list at least one contributing factor, or leave the setting out for the defaults"))
    rule_levels, rule_problems = read_rule_levels(plugin.rules, plugin.rules_per_path, docs_dir)
    problems += rule_problems
    size = plugin.max_file_mb
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0 < size < 1024 * 1024:
        problems.append(("max_file_mb", f"a size in megabytes above 0, e.g. 10; got {size!r}"))
    for glob in plugin.publish_files:
        if not glob.strip("/") or ".." in glob.split("/"):
            problems.append(("publish_files", f"{glob!r} is not a glob of files inside docs_dir, e.g. \"*.png\""))
    # Files of the repo only: a name reaching outside it would read (and for the state file,
    # sync would write) what the links refused elsewhere would have reached.
    for key, inside, example in (("people", "docs_dir", "people.yml"), ("state_file", "the folder of mkdocs.yml", ".followthrough/state.json")):
        value = plugin[key]
        if not value.strip() or value.startswith(("/", "\\")) or ":" in value[:2] or ".." in value.replace("\\", "/").split("/"):
            problems.append((key, f"{value!r} is not a path inside {inside}, e.g. {example}"))
    return severities, tuple(combos), rule_levels, problems


def policy_problems(severities: tuple[SeverityLevel, ...]) -> list[Problem]:
    """The follow-up policy of each level: day counts that can be met, and someone to escalate to.
    Whether the handle is in the people directory is `policy.unknown_contacts`' to say, once the
    directory is read (the reports and the site build refuse a handle it lacks)."""
    problems: list[Problem] = []
    for i, level in enumerate(severities):
        where = f"severities[{i}]"
        for key in ("remind_before_days", "escalate_after_days"):
            days = getattr(level, key)
            if days is not None and days < 0:
                problems.append((f"{where}.{key}", f"must be 0 or more days, got {days}"))
        target = level.escalate_to
        if target != "manager" and not _HANDLE.fullmatch(target):
            problems.append((f"{where}.escalate_to", f"expected manager (the owner's team's manager) or a person's handle such as a.nguyen, got {target!r}"))
    return problems


def read_rule_levels(rules: Any, per_path: Any, docs_dir: str) -> tuple[RuleLevels, list[Problem]]:
    """`rules` and `rules_per_path` as values, and every problem with them, each naming its setting."""
    problems: list[Problem] = []
    everywhere = _read_levels(rules, "rules", problems)
    entries: list[PathLevels] = []
    if not isinstance(per_path, dict):
        problems.append(("rules_per_path", 'expected a mapping of path globs to rule levels, e.g. {"2019/**": {FT107: off}}'))
        per_path = {}
    for glob, section in per_path.items():
        # An unquoted year folder (`2019:`) is a number to YAML; it still means the folder.
        text = str(glob) if isinstance(glob, (str, int)) and not isinstance(glob, bool) else None
        where = f"rules_per_path.{text!r}"
        if text is None:
            problems.append((f"rules_per_path.{glob!r}", 'a path glob is text, e.g. "2019/**"'))
            continue
        if not text.strip("/"):
            problems.append((where, "a path glob cannot be empty"))
            continue
        if ".." in text.split("/"):
            problems.append((where, "a path glob is relative to docs_dir; '..' cannot leave it"))
            continue
        levels = _read_levels(section, where, problems)
        entries.append(PathLevels(text, path_pattern(text, docs_dir), levels))
    return RuleLevels(everywhere, tuple(entries)), problems


def _read_levels(section: Any, where: str, problems: list[Problem]) -> dict[str, Choice]:
    if not isinstance(section, dict):
        problems.append((where, "expected a mapping of rule codes to off, info, warning or error, e.g. {FT503: off}"))
        return {}
    levels: dict[str, Choice] = {}
    for code, value in section.items():
        key = f"{where}.{code}"
        rule = RULES.get(code) if isinstance(code, str) else None
        if rule is None:
            problems.append((key, f"not a rule code{code_hint(code)}"))
            continue
        level, problem = _level_word(value)
        if problem:
            problems.append((key, problem))
        elif rule.locked and level is not rule.level:
            problems.append((key, f"cannot be switched off or changed: {rule.locked}"))
        elif not rule.locked:
            levels[code] = level
    return levels


def _level_word(value: Any) -> tuple[Choice, str]:
    if value is False:  # YAML 1.1 reads an unquoted `off` (or `no`) as false
        return None, ""
    if value is True:
        return None, "true is not a level (YAML reads an unquoted on, yes or true as true); use off, info, warning or error"
    if isinstance(value, str) and value in LEVEL_WORDS:
        return LEVEL_WORDS[value], ""
    if isinstance(value, str):
        return None, f"{value!r} is not a level; use off, info, warning or error{did_you_mean(value, LEVEL_WORDS)}"
    return None, f"expected off, info, warning or error, got {'nothing' if value is None else repr(value)}"
