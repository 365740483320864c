"""The `trackers` section of the followthrough plugin config, typed, plus environment overrides.

    plugins:
      - followthrough:
          trackers:
            default: ops                    # destination for items nothing else routes
            teams: {payments: pay}          # team handle -> destination
            services: {web: web}            # service -> destination
            destinations:
              pay: {type: jira-cloud, url: https://acme.atlassian.net, email: bot@acme.com, project: PAY}
              ops: {type: jira-dc, url: https://jira.acme.internal, project: OPS}
              web: {type: github, repo: acme/web}

Secrets never live in the file: each destination names the environment variable holding
its token (`JIRA_API_TOKEN` / `GITHUB_TOKEN` by default). JIRA_BASE_URL and JIRA_USER_EMAIL
override the file, as Atlassian's actions name them; GITHUB_API_URL and GITHUB_REPOSITORY
fill in what the file leaves out (every Actions job sets them, to the workflow's own repo).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping

from mkdocs.config import base
from mkdocs.config import config_options as c

from followthrough.core.errors import ConfigError
from followthrough.core.sync.api_url import url_problem

JIRA_CLOUD = "jira-cloud"
JIRA_DC = "jira-dc"
GITHUB = "github"
KINDS = (JIRA_CLOUD, JIRA_DC, GITHUB)
GITHUB_DOT_COM_API = "https://api.github.com"
DEFAULT_WONT_DO = ("Won't Do", "Won't Fix", "Duplicate", "Cannot Reproduce", "Declined", "Rejected", "Obsolete", "Abandoned", "Incomplete")
ENV_NAMES = ("JIRA_BASE_URL", "JIRA_USER_EMAIL", "JIRA_API_TOKEN", "GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_REPOSITORY")
_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{0,254}$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class DestinationOptions(base.Config):
    type = c.Choice(KINDS)
    url = c.Optional(c.Type(str))  # Jira site, or GitHub API (https://ghe.example.com/api/v3)
    project = c.Optional(c.Type(str))  # Jira project key
    issue_type = c.Type(str, default="Task")  # Jira issue type name
    email = c.Optional(c.Type(str))  # Jira Cloud account the API token belongs to
    token_env = c.Optional(c.Type(str))  # variable holding the token
    repo = c.Optional(c.Type(str))  # GitHub owner/name
    priorities = c.DictOfItems(c.Type(str), default={})  # postmortem priority -> Jira priority name / GitHub label
    wont_do = c.Optional(c.ListOfItems(c.Type(str)))  # Jira resolutions (or done-category statuses) meaning "won't do"
    labels = c.ListOfItems(c.Type(str), default=[])  # extra labels on every ticket
    seconds_between_requests = c.Optional(c.Type((int, float)))  # GitHub pacing; PyGithub's defaults otherwise
    seconds_between_writes = c.Optional(c.Type((int, float)))


class TrackersOptions(base.Config):
    default = c.Optional(c.Type(str))
    destinations = c.DictOfItems(c.Type(dict), default={})
    teams = c.DictOfItems(c.Type(str), default={})
    services = c.DictOfItems(c.Type(str), default={})
    file_url = c.Optional(c.Type(str))  # e.g. https://github.com/acme/postmortems/blob/main/ ; the file's path is appended
    label = c.Type(str, default="postmortem")
    timeout = c.Type((int, float), default=30)  # seconds, every request
    retries = c.Type(int, default=4)  # after the first attempt, on 429 / 5xx / network errors
    backoff = c.Type((int, float), default=2)  # seconds before the first retry; doubles each time
    max_wait = c.Type((int, float), default=300)  # longest Retry-After honoured before giving up


class Secret:
    """A token that prints as '***' however it is shown (repr, str, f-strings, tracebacks)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)


@dataclass(frozen=True)
class Destination:
    name: str
    kind: str
    url: str
    project: str | None = None
    issue_type: str = "Task"
    email: str | None = None
    token_env: str = ""
    repo: str | None = None
    priorities: Mapping[str, str] = field(default_factory=dict)
    wont_do: tuple[str, ...] = DEFAULT_WONT_DO
    labels: tuple[str, ...] = ()
    seconds_between_requests: float | None = None
    seconds_between_writes: float | None = None

    @property
    def is_jira(self) -> bool:
        return self.kind in (JIRA_CLOUD, JIRA_DC)

    @property
    def where(self) -> str:
        """What the destination points at, for messages: 'Jira project PAY at https://...'."""
        if self.is_jira:
            return f"Jira project {self.project} at {self.url}"
        return f"GitHub repo {self.repo}" + ("" if self.url == GITHUB_DOT_COM_API else f" at {self.url}")


@dataclass(frozen=True)
class Trackers:
    destinations: Mapping[str, Destination] = field(default_factory=dict)
    default: str | None = None
    teams: Mapping[str, str] = field(default_factory=dict)
    services: Mapping[str, str] = field(default_factory=dict)
    file_url: str | None = None
    label: str = "postmortem"
    timeout: float = 30
    retries: int = 4
    backoff: float = 2
    max_wait: float = 300
    secrets: Mapping[str, Secret] = field(default_factory=dict, repr=False)  # destination name -> token

    def token(self, name: str) -> Secret | None:
        return self.secrets.get(name)

    def all_secrets(self) -> list[str]:
        return [s.reveal() for s in self.secrets.values() if s]

    @property
    def configured(self) -> bool:
        return bool(self.destinations)


def _errors(options: base.Config, raw: dict[str, Any], prefix: str) -> list[str]:
    options.load_dict(raw)
    errors, warnings = options.validate()
    problems = [f"{prefix}{key}: {err}" for key, err in errors]
    # MkDocs only warns about unknown keys; a misspelt tracker setting must not pass silently.
    problems += [f"{prefix}{key}: unknown setting" for key, msg in warnings if "Unrecognised" in str(msg)]
    return problems


def _url(value: str | None, where: str, problems: list[str]) -> str | None:
    if value is None:
        return None
    value = value.strip().rstrip("/")
    problem = url_problem(value, where)  # the report's targets pass the same check
    if problem:
        problems.append(problem)
        return None
    return value


def load_trackers(raw: Any, where: str, environ: Mapping[str, str]) -> Trackers:
    """Validate the raw `trackers` mapping; `where` prefixes messages (the config file)."""
    prefix = f"{where}: plugins.followthrough.trackers."
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: plugins.followthrough.trackers must be a mapping of settings")
    top = TrackersOptions()
    problems = _errors(top, raw, prefix)
    if problems:
        raise ConfigError("\n".join(problems))
    env = {k: environ.get(k, "").strip() for k in ENV_NAMES}
    destinations: dict[str, Destination] = {}
    secrets: dict[str, Secret] = {}
    for name, body in top.destinations.items():
        here = f"{prefix}destinations.{name}."
        opts = DestinationOptions()
        found = _errors(opts, body, here)
        if found:
            problems += found
            continue
        kind = opts.type
        url = opts.url
        email = opts.email
        repo = opts.repo
        if kind in (JIRA_CLOUD, JIRA_DC):
            url = env["JIRA_BASE_URL"] or url
            if kind == JIRA_CLOUD:
                email = env["JIRA_USER_EMAIL"] or email
            token_env = opts.token_env or "JIRA_API_TOKEN"
            if not url:
                problems.append(f"{here}url: missing; set it here or in JIRA_BASE_URL")
            if not opts.project or not _PROJECT.match(opts.project):
                problems.append(f"{here}project: {'missing' if not opts.project else repr(opts.project) + ' is not'} a Jira project key such as PAY")
            if kind == JIRA_CLOUD and not email:
                problems.append(f"{here}email: missing; Jira Cloud API tokens belong to an account (or set JIRA_USER_EMAIL)")
        else:
            url = opts.url or env["GITHUB_API_URL"] or GITHUB_DOT_COM_API
            repo = opts.repo or env["GITHUB_REPOSITORY"] or None
            token_env = opts.token_env or "GITHUB_TOKEN"
            if not repo or not _REPO.match(repo):
                problems.append(f"{here}repo: {'missing' if not repo else repr(repo) + ' is not'} a GitHub repository as owner/name (or set GITHUB_REPOSITORY)")
            for key in ("project", "email"):
                if getattr(opts, key) is not None:
                    problems.append(f"{here}{key}: only Jira destinations take this setting")
        checked = _url(url, f"{here}url", problems)
        if not _ENV_NAME.match(token_env):
            problems.append(f"{here}token_env: {token_env!r} is not an environment variable name")
        for key in ("seconds_between_requests", "seconds_between_writes"):
            value = getattr(opts, key)
            if value is not None and (value < 0 or kind != GITHUB):
                problems.append(f"{here}{key}: {'only GitHub destinations are paced this way' if kind != GITHUB else 'must not be negative'}")
        if checked is None:
            continue
        destinations[name] = Destination(
            name=name,
            kind=kind,
            url=checked,
            project=opts.project,
            issue_type=opts.issue_type,
            email=email,
            token_env=token_env,
            repo=repo,
            priorities=dict(opts.priorities),
            wont_do=tuple(opts.wont_do) if opts.wont_do is not None else DEFAULT_WONT_DO,
            labels=tuple(opts.labels),
            seconds_between_requests=opts.seconds_between_requests,
            seconds_between_writes=opts.seconds_between_writes,
        )
        token = environ.get(token_env, "")
        if token.strip():
            secrets[name] = Secret(token.strip())
    names = set(top.destinations)
    if top.default is not None and top.default not in names:
        problems.append(f"{prefix}default: {top.default!r} is not one of the destinations {sorted(names)}")
    for section in ("teams", "services"):
        for key, target in getattr(top, section).items():
            if target not in names:
                problems.append(f"{prefix}{section}.{key}: {target!r} is not one of the destinations {sorted(names)}")
    if top.timeout <= 0:
        problems.append(f"{prefix}timeout: must be more than 0 seconds")
    if top.retries < 0:
        problems.append(f"{prefix}retries: must not be negative")
    if top.backoff < 0 or top.max_wait < 0:
        problems.append(f"{prefix}backoff / max_wait: must not be negative")
    if " " in top.label or not top.label:
        problems.append(f"{prefix}label: {top.label!r} must be one word (Jira labels cannot hold spaces)")
    file_url = top.file_url.strip() if top.file_url else None
    if file_url and not re.match(r"^https?://", file_url):
        problems.append(f"{prefix}file_url: {file_url!r} is not an http(s) URL")
    if problems:
        raise ConfigError("\n".join(problems))
    return Trackers(
        destinations=destinations,
        default=top.default,
        teams=dict(top.teams),
        services=dict(top.services),
        file_url=file_url,
        label=top.label,
        timeout=float(top.timeout),
        retries=top.retries,
        backoff=float(top.backoff),
        max_wait=float(top.max_wait),
        secrets=secrets,
    )


def whole_seconds(timeout: float) -> int:
    """PyGithub takes whole seconds; never round a short timeout down to none."""
    return max(1, math.ceil(timeout))
