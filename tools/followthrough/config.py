"""The `followthrough` section of mkdocs.yml, typed with MkDocs' own config options.

The MkDocs plugin and the CLI both use `PluginConfig`, so a setting means the same
thing in a site build and on the command line, and MkDocs itself reports bad values.
`load_config` reads mkdocs.yml without loading the theme or other plugins (fast enough
for a pre-commit hook) and turns the section into plain `Settings` for the core.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mkdocs.config import base
from mkdocs.config import config_options as c

from followthrough.core.errors import ConfigError
from followthrough.workspace import LoadedConfig, find_config
from followthrough.core.findings import Level
from followthrough.core.model import KINDS, ROLES, STATUSES
from followthrough.core.text.blocks import DEFAULT_DIALECT, SITE_EXTENSIONS, Dialect, dialect_from
from followthrough.core.fields import did_you_mean
from followthrough.core.catalog import RULES
from followthrough.files.safefiles import MB
from followthrough.core.rules.codes import code_hint
from followthrough.core.levels import Choice, PathLevels, RuleLevels, path_pattern
from followthrough.core.settings import (
    DEFAULT_MAX_FILE_BYTES,
    DEFAULT_PUBLISH_FILES,
    DEFAULT_ROLE_COMBINATIONS,
    DEFAULT_SECTIONS,
    DEFAULT_SEVERITIES,
    RoleCombination,
    SeverityLevel,
    Settings,
)

PLUGIN_NAME = "followthrough"


class SeverityOption(base.Config):
    name = c.Type(str)
    title = c.Type(str, default="")
    triggers = c.Type(str, default="")
    response = c.Type(str, default="")
    followup_days = c.Optional(c.Type(int))
    required_roles = c.ListOfItems(c.Choice(ROLES), default=[])
    min_people = c.Type(int, default=0)
    distinct_roles = c.Type(bool, default=False)
    review_required = c.Type(bool, default=False)


class CombinationOption(base.Config):
    roles = c.ListOfItems(c.Choice(ROLES))
    allowed_at = c.ListOfItems(c.Type(str), default=[])
    why = c.Type(str, default="")


def _severity_dicts() -> list[dict[str, Any]]:
    return [
        {
            "name": s.name,
            "title": s.title,
            "triggers": s.triggers,
            "response": s.response,
            "followup_days": s.followup_days,
            "required_roles": list(s.required_roles),
            "min_people": s.min_people,
            "distinct_roles": s.distinct_roles,
            "review_required": s.review_required,
        }
        for s in DEFAULT_SEVERITIES
    ]


def _combination_dicts() -> list[dict[str, Any]]:
    return [{"roles": list(x.roles), "allowed_at": list(x.allowed_at), "why": x.why} for x in DEFAULT_ROLE_COMBINATIONS]


class PluginConfig(base.Config):
    enabled = c.Type(bool, default=True)
    people = c.Type(str, default="people.yml")
    severities = c.ListOfItems(c.SubConfig(SeverityOption), default=_severity_dicts())
    role_combinations = c.ListOfItems(c.SubConfig(CombinationOption), default=_combination_dicts())
    priorities = c.ListOfItems(c.Type(str), default=["P1", "P2", "P3"])
    sections = c.DictOfItems(c.ListOfItems(c.Type(str)), default={k: list(v) for k, v in DEFAULT_SECTIONS.items()})
    blame_phrases = c.ListOfItems(c.Type(str), default=[])
    mirror_statuses = c.ListOfItems(c.Choice(STATUSES), default=["in-review", "published"])
    state_file = c.Type(str, default=".followthrough/state.json")
    max_file_mb = c.Type((int, float), default=DEFAULT_MAX_FILE_BYTES / MB)
    publish_files = c.ListOfItems(c.Type(str), default=list(DEFAULT_PUBLISH_FILES))
    # Any value here: `read_rule_levels` checks them and can name the code and suggest one,
    # where a typed option would only say "expected a dict".
    rules = c.Type(object, default={})
    rules_per_path = c.Type(object, default={})
    # Sections owned by the shell modules that use them (sync, report, site); each
    # validates its own part with a Config class of its own.
    trackers = c.Type(dict, default={})
    report = c.Type(dict, default={})
    site = c.Type(dict, default={})


# The options PluginConfig declares, read from the class with MkDocs' public option type.
_PLUGIN_KEYS = frozenset(name for name, value in vars(PluginConfig).items() if isinstance(value, c.BaseConfigOption))


def settings_from_plugin(
    plugin: PluginConfig, docs_dir: str, site_url: str, where: str, markdown: Dialect = DEFAULT_DIALECT
) -> Settings:
    """Plain Settings from a validated PluginConfig; cross-checks MkDocs cannot express."""
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
        )
        for s in plugin.severities
    )
    names = [s.name for s in severities]
    problems: list[str] = []
    # MkDocs only warns about an unknown key; a misspelt `rules` would silently keep every rule on.
    known = sorted(_PLUGIN_KEYS)
    problems += [f"{key}: not a setting{did_you_mean(str(key), known)}" for key in plugin if key not in known]
    if not names:
        problems.append("severities: at least one level is needed")
    if len(set(names)) != len(names):
        problems.append(f"severities: level names repeat: {names}")
    combos = []
    for i, x in enumerate(plugin.role_combinations):
        if len(x.roles) != 2 or x.roles[0] == x.roles[1]:
            problems.append(f"role_combinations[{i}].roles: name two different roles, got {x.roles}")
            continue
        combo = RoleCombination((x.roles[0], x.roles[1]), tuple(x.allowed_at), x.why)
        unknown = [a for a in combo.allowed_at if a not in names]
        if unknown and combo in DEFAULT_ROLE_COMBINATIONS:
            # A rubric of its own with the default combinations: those name SEV-0..SEV-4,
            # so keep the levels that exist (documented in guide/configuration.md).
            combo = RoleCombination(combo.roles, tuple(a for a in combo.allowed_at if a in names), combo.why)
        elif unknown:
            problems.append(f"role_combinations[{i}].allowed_at: {unknown} not among severities {names}")
        combos.append(combo)
    for kind in plugin.sections:
        if kind not in KINDS:
            problems.append(f"sections: {kind!r} is not a kind; use one of {list(KINDS)}")
    rule_levels, rule_problems = read_rule_levels(plugin.rules, plugin.rules_per_path, docs_dir)
    problems += rule_problems
    size = plugin.max_file_mb
    if isinstance(size, bool) or not isinstance(size, (int, float)) or not 0 < size < 1024 * 1024:
        problems.append(f"max_file_mb: a size in megabytes above 0, e.g. 10; got {size!r}")
    for glob in plugin.publish_files:
        if not glob.strip("/") or ".." in glob.split("/"):
            problems.append(f"publish_files: {glob!r} is not a glob of files inside docs_dir, e.g. \"*.png\"")
    if problems:
        raise ConfigError("\n".join(f"{where}: plugins.{PLUGIN_NAME}.{p}" for p in problems))
    sections = {k: tuple(v) for k, v in DEFAULT_SECTIONS.items()}
    sections.update({k: tuple(v) for k, v in plugin.sections.items()})
    return Settings(
        severities=severities,
        role_combinations=tuple(combos),
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
        max_file_bytes=int(size * MB),
        publish_files=tuple(plugin.publish_files),
    )


LEVEL_WORDS: dict[str, Choice] = {"off": None, "warning": Level.WARNING, "error": Level.ERROR}


def read_rule_levels(rules: Any, per_path: Any, docs_dir: str) -> tuple[RuleLevels, list[str]]:
    """`rules` and `rules_per_path` as values, and every problem with them, each naming its setting."""
    problems: list[str] = []
    everywhere = _read_levels(rules, "rules", problems)
    entries: list[PathLevels] = []
    if not isinstance(per_path, dict):
        problems.append('rules_per_path: expected a mapping of path globs to rule levels, e.g. {"2019/**": {FT107: off}}')
        per_path = {}
    for glob, section in per_path.items():
        # An unquoted year folder (`2019:`) is a number to YAML; it still means the folder.
        text = str(glob) if isinstance(glob, (str, int)) and not isinstance(glob, bool) else None
        where = f"rules_per_path.{text!r}"
        if text is None:
            problems.append(f"rules_per_path.{glob!r}: a path glob is text, e.g. \"2019/**\"")
            continue
        if not text.strip("/"):
            problems.append(f"{where}: a path glob cannot be empty")
            continue
        if ".." in text.split("/"):
            problems.append(f"{where}: a path glob is relative to docs_dir; '..' cannot leave it")
            continue
        levels = _read_levels(section, where, problems)
        entries.append(PathLevels(text, path_pattern(text, docs_dir), levels))
    return RuleLevels(everywhere, tuple(entries)), problems


def _read_levels(section: Any, where: str, problems: list[str]) -> dict[str, Choice]:
    if not isinstance(section, dict):
        problems.append(f"{where}: expected a mapping of rule codes to off, warning or error, e.g. {{FT503: off}}")
        return {}
    levels: dict[str, Choice] = {}
    for code, value in section.items():
        key = f"{where}.{code}"
        rule = RULES.get(code) if isinstance(code, str) else None
        if rule is None:
            problems.append(f"{key}: not a rule code{code_hint(code)}")
            continue
        level, problem = _level_word(value)
        if problem:
            problems.append(f"{key}: {problem}")
        elif rule.locked and level is not rule.level:
            problems.append(f"{key}: cannot be switched off or changed: {rule.locked}")
        elif not rule.locked:
            levels[code] = level
    return levels


def _level_word(value: Any) -> tuple[Choice, str]:
    if value is False:  # YAML 1.1 reads an unquoted `off` (or `no`) as false
        return None, ""
    if value is True:
        return None, "true is not a level (YAML reads an unquoted on, yes or true as true); use off, warning or error"
    if isinstance(value, str) and value in LEVEL_WORDS:
        return LEVEL_WORDS[value], ""
    if isinstance(value, str):
        return None, f"{value!r} is not a level; use off, warning or error{did_you_mean(value, LEVEL_WORDS)}"
    return None, f"expected off, warning or error, got {'nothing' if value is None else repr(value)}"


def validate_plugin_section(section: Any, config_file: str | None, where: str) -> PluginConfig:
    plugin = PluginConfig(config_file_path=config_file)
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: plugins.{PLUGIN_NAME} must be a mapping of settings")
    plugin.load_dict(section)
    errors, _warnings = plugin.validate()
    if errors:
        raise ConfigError("\n".join(f"{where}: plugins.{PLUGIN_NAME}.{key}: {err}" for key, err in errors))
    return plugin


def load_config(config_file: Path | None = None, *, start: Path | None = None) -> LoadedConfig:
    """Read mkdocs.yml (given, or found from `start` upwards); defaults when there is none."""
    if config_file is None:
        config_file = find_config(start or Path.cwd())
    if config_file is None:
        root = (start or Path.cwd()).resolve()
        plugin = validate_plugin_section({}, None, "defaults")
        docs = root / "postmortems"
        return LoadedConfig(root, None, docs, "", plugin, settings_from_plugin(plugin, "postmortems", "", "defaults"))
    if not config_file.is_file():
        raise ConfigError(f"{config_file}: no such config file")
    raw = _read_mkdocs_yaml(config_file)
    where = str(config_file)
    section = _plugin_section(raw.get("plugins"), where)
    plugin = validate_plugin_section(section, str(config_file), where)
    root = config_file.resolve().parent
    docs_dir_name = raw.get("docs_dir", "docs")
    if not isinstance(docs_dir_name, str):
        raise ConfigError(f"{where}: docs_dir must be a folder name")
    site_url = raw.get("site_url") or ""
    if not isinstance(site_url, str):
        raise ConfigError(f"{where}: site_url must be a URL")
    extensions = raw.get("markdown_extensions") or []
    if not isinstance(extensions, list):
        raise ConfigError(f"{where}: markdown_extensions must be a list")
    # The plugin adds these to every build (site/plugin.py); lint reads bodies as that build does.
    dialect = dialect_from([*extensions, *SITE_EXTENSIONS], raw.get("mdx_configs"))
    settings = settings_from_plugin(plugin, docs_dir_name, site_url, where, dialect)
    directory_urls = raw.get("use_directory_urls", True)
    if not isinstance(directory_urls, bool):
        raise ConfigError(f"{where}: use_directory_urls must be true or false")
    return LoadedConfig(root, config_file, root / docs_dir_name, site_url, plugin, settings, directory_urls)


def _read_mkdocs_yaml(config_file: Path) -> dict[str, Any]:
    # MkDocs' own loader: it knows !ENV, !relative and the python/name tags that
    # mkdocs-material's documented settings use.
    from mkdocs.utils import yaml_load
    import yaml

    try:
        with config_file.open("rb") as f:
            raw = yaml_load(f)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{config_file}{at}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    except Exception as exc:  # noqa: BLE001 - MkDocs wraps YAML errors; a tag naming a missing module...
        cause = exc.__cause__ or exc.__context__
        mark = getattr(cause, "problem_mark", None)
        if isinstance(cause, yaml.YAMLError) and mark is not None:
            raise ConfigError(f"{config_file}:{mark.line + 1}:{mark.column + 1}: not valid YAML: {getattr(cause, 'problem', cause)}") from None
        raise ConfigError(f"{config_file}: cannot be read: {exc}") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{config_file}: expected a mapping of settings")
    return raw


def _plugin_section(plugins: Any, where: str) -> dict[str, Any] | None:
    if plugins is None:
        return None
    if isinstance(plugins, dict):
        return plugins.get(PLUGIN_NAME)
    if not isinstance(plugins, list):
        raise ConfigError(f"{where}: plugins must be a list")
    for entry in plugins:
        if entry == PLUGIN_NAME:
            return {}
        if isinstance(entry, dict) and PLUGIN_NAME in entry:
            return entry[PLUGIN_NAME] or {}
    return None
