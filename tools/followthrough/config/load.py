"""Reading mkdocs.yml into a `LoadedConfig`, for the CLI and for the site build alike.

`load_config` reads the file without loading the theme or other plugins (fast enough for a
pre-commit hook); the plugin hands over MkDocs' own config. Both end in `loaded_config`, so
the repo's root, docs_dir and Markdown dialect are computed one way.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from followthrough.config.options import PLUGIN_NAME, PluginConfig
from followthrough.config.report import report_settings
from followthrough.config.rubric import settings_from_plugin
from followthrough.config.site import site_options
from followthrough.config.strict import problem_lines
from followthrough.config.trackers import trackers_from
from followthrough.core.errors import ConfigError
from followthrough.core.pages.options import SiteOptions
from followthrough.core.report.settings import ReportSettings
from followthrough.core.sync.config import Trackers
from followthrough.core.text.blocks import SITE_EXTENSIONS, dialect_from
from followthrough.files.repo import LoadedConfig, find_config

# The Markdown extensions the plugin adds to every build; lint reads bodies as that build does.
REQUIRED_EXTENSIONS = SITE_EXTENSIONS


def where_of(loaded: LoadedConfig) -> str:
    """The config file as messages name it."""
    return str(loaded.config_file) if loaded.config_file else "defaults"


def site_of(loaded: LoadedConfig) -> SiteOptions:
    return site_options(loaded.plugin.site)


def report_of(loaded: LoadedConfig) -> ReportSettings:
    return report_settings(loaded.plugin.report)


def trackers_of(loaded: LoadedConfig, environ: dict[str, str], where: str | None = None) -> Trackers:
    """The trackers section with what the environment adds (URLs, e-mail, repository, tokens)."""
    return trackers_from(loaded.plugin.trackers, where or where_of(loaded), environ)


def loaded_config(
    config_file: str | None,
    docs_dir: str,
    site_url: str,
    plugin: PluginConfig,
    *,
    markdown_extensions: list[Any],
    mdx_configs: Any,
    use_directory_urls: bool = True,
    start: Path | None = None,
) -> LoadedConfig:
    """The one way a LoadedConfig is made. `docs_dir` is relative to the config file's folder (as
    MkDocs reads it) or absolute; without a config file, everything is relative to `start`.

    The root is the resolved folder of mkdocs.yml; docs_dir stays below it with its own steps
    unresolved, so a docs_dir that is itself a link is seen as one (FT012), not as the folder it
    points to. `Settings.docs_dir` is docs_dir relative to the root, normalised (`./docs/` is
    `docs`), as paths of files are."""
    written_root = Path(os.path.abspath(os.path.dirname(config_file) if config_file else (start or Path.cwd())))
    root = Path(config_file).resolve().parent if config_file else written_root.resolve()
    docs = Path(os.path.abspath(os.path.join(written_root, docs_dir)))
    try:
        docs = root / docs.relative_to(written_root)
    except ValueError:
        pass  # outside the repo's folder: as written
    docs_name = os.path.relpath(docs, root).replace(os.sep, "/")
    where = config_file or "defaults"
    extensions = list(markdown_extensions)
    for name in REQUIRED_EXTENSIONS:
        if not any(isinstance(e, str) and e.split(".")[-1] == name for e in extensions):
            extensions.append(name)
    settings = settings_from_plugin(plugin, docs_name, site_url, where, dialect_from(extensions, mdx_configs))
    return LoadedConfig(root, Path(config_file) if config_file else None, docs, site_url, plugin, settings, use_directory_urls)


def validate_plugin_section(section: Any, config_file: str | None, where: str) -> PluginConfig:
    """The plugin section validated as MkDocs validates it; every problem at once, each named."""
    plugin = PluginConfig(config_file_path=config_file)
    if section is None:
        section = {}
    if not isinstance(section, dict):
        raise ConfigError(f"{where}: plugins.{PLUGIN_NAME} must be a mapping of settings")
    plugin.load_dict(section)
    problems = plugin.problems()
    if problems:
        raise ConfigError(problem_lines(problems, where))
    return plugin


def load_config(config_file: Path | None = None, *, start: Path | None = None) -> LoadedConfig:
    """Read mkdocs.yml (given, or found from `start` upwards); defaults when there is none."""
    start = start or Path.cwd()
    if config_file is None:
        config_file = find_config(start)
    if config_file is None:
        plugin = validate_plugin_section({}, None, "defaults")
        return loaded_config(None, "postmortems", "", plugin, markdown_extensions=[], mdx_configs=None, start=start)
    if not config_file.is_file():
        raise ConfigError(f"{config_file}: no such config file")
    raw = _read_mkdocs_yaml(config_file)
    where = str(config_file)
    section = _plugin_section(raw.get("plugins"), where)
    plugin = validate_plugin_section(section, str(config_file), where)
    docs_dir_name = raw.get("docs_dir", "docs")
    if not isinstance(docs_dir_name, str):
        raise ConfigError(f"{where}: docs_dir must be a folder name")
    site_url = raw.get("site_url") or ""
    if not isinstance(site_url, str):
        raise ConfigError(f"{where}: site_url must be a URL")
    extensions = raw.get("markdown_extensions") or []
    if not isinstance(extensions, list):
        raise ConfigError(f"{where}: markdown_extensions must be a list")
    directory_urls = raw.get("use_directory_urls", True)
    if not isinstance(directory_urls, bool):
        raise ConfigError(f"{where}: use_directory_urls must be true or false")
    return loaded_config(
        str(config_file),
        docs_dir_name,
        site_url,
        plugin,
        markdown_extensions=extensions,
        mdx_configs=raw.get("mdx_configs"),
        use_directory_urls=directory_urls,
    )


def _read_mkdocs_yaml(config_file: Path) -> dict[str, Any]:
    # MkDocs' own loader: it knows !ENV, !relative and the python/name tags that
    # mkdocs-material's documented settings use.
    import yaml
    from mkdocs.utils import yaml_load

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
    sections = [{} if entry == PLUGIN_NAME else entry[PLUGIN_NAME] or {} for entry in plugins if entry == PLUGIN_NAME or (isinstance(entry, dict) and PLUGIN_NAME in entry)]
    if len(sections) > 1:
        raise ConfigError(listed_twice(where, len(sections)))
    return sections[0] if sections else None


def listed_twice(where: str, count: int) -> str:
    """Two entries would run two plugins, each swapping its own build into site_dir; MkDocs only
    warns. The build (`site.plugin`) and the commands refuse it with this line."""
    return f"{where}: plugins: {PLUGIN_NAME} is listed {count} times; keep one entry"
