"""The `report` part of the followthrough section of mkdocs.yml, typed with MkDocs' config options.

    plugins:
      - followthrough:
          report:
            issue_title: Overdue postmortem action items
            issue_label: overdue-report
            repository: acme/postmortems   # default: $GITHUB_REPOSITORY
            timeout: 30                    # seconds, every request
            retries: 3                     # on 429 and 5xx, honouring Retry-After
            backoff: 0.5                   # seconds before the first retry, doubling
            max_wait: 60                   # the longest Retry-After honoured; longer gives up
            seconds_between_writes: 1      # GitHub asks integrations to space their writes

"Due soon" is the site's setting (`site.due_soon_days`), so the report and the site
agree. Secrets never live here: the GitHub token comes from $GITHUB_TOKEN and the Slack
webhook from $SLACK_WEBHOOK_URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from mkdocs.config import base
from mkdocs.config import config_options as c

from followthrough.config import PLUGIN_NAME, LoadedConfig
from followthrough.core.errors import ConfigError

DEFAULT_ISSUE_TITLE = "Overdue postmortem action items"
DEFAULT_ISSUE_LABEL = "overdue-report"


class ReportConfig(base.Config):
    issue_title = c.Type(str, default=DEFAULT_ISSUE_TITLE)
    issue_label = c.Type(str, default=DEFAULT_ISSUE_LABEL)
    repository = c.Type(str, default="")
    api_url = c.Type(str, default="")
    timeout = c.Type((int, float), default=30)
    retries = c.Type(int, default=3)
    backoff = c.Type((int, float), default=0.5)
    max_wait = c.Type((int, float), default=60)
    seconds_between_writes = c.Type((int, float), default=1)


@dataclass(frozen=True, slots=True)
class ReportSettings:
    issue_title: str = DEFAULT_ISSUE_TITLE
    issue_label: str = DEFAULT_ISSUE_LABEL
    repository: str = ""
    api_url: str = ""
    timeout: float = 30.0
    retries: int = 3
    backoff: float = 0.5
    max_wait: float = 60.0
    seconds_between_writes: float = 1.0


def report_settings(section: Mapping[str, Any] | None, where: str = "mkdocs.yml") -> ReportSettings:
    """Validate the raw `report` mapping; every problem named by its setting, all at once."""
    config = ReportConfig()
    config.load_dict(dict(section or {}))
    errors, warnings = config.validate()
    prefix = f"{where}: plugins.{PLUGIN_NAME}.report"
    # An unknown key is a typo that would silently do nothing: an error here, not a warning.
    problems = [f"{prefix}.{key}: {err}" for key, err in [*errors, *warnings]]
    if not errors:
        if config.timeout <= 0:
            problems.append(f"{prefix}.timeout: must be more than 0 seconds, got {config.timeout}")
        if config.retries < 0:
            problems.append(f"{prefix}.retries: must be 0 or more, got {config.retries}")
        for key in ("backoff", "max_wait", "seconds_between_writes"):
            if config[key] < 0:
                problems.append(f"{prefix}.{key}: must be 0 or more seconds, got {config[key]}")
        if not config.issue_label.strip():
            problems.append(f"{prefix}.issue_label: must not be empty: it is how the one report issue is found")
        if config.repository and config.repository.count("/") != 1:
            problems.append(f"{prefix}.repository: expected owner/name, got {config.repository!r}")
    if problems:
        raise ConfigError("\n".join(problems))
    return ReportSettings(
        issue_title=config.issue_title.strip() or DEFAULT_ISSUE_TITLE,
        issue_label=config.issue_label.strip(),
        repository=config.repository.strip(),
        api_url=config.api_url.strip().rstrip("/"),
        timeout=float(config.timeout),
        retries=config.retries,
        backoff=float(config.backoff),
        max_wait=float(config.max_wait),
        seconds_between_writes=float(config.seconds_between_writes),
    )


def settings_of(loaded: LoadedConfig) -> ReportSettings:
    where = str(loaded.config_file) if loaded.config_file else "defaults"
    return report_settings(loaded.plugin.report, where)
