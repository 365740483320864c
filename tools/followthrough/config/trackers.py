"""The `trackers` section, typed, and the `Trackers` value sync works from (with the environment).

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

What the file alone decides is checked wherever mkdocs.yml is read (the site build too);
what the environment can change (URLs, e-mail, repository, tokens) is checked by `sync`.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Mapping

from mkdocs.config import config_options as c

from followthrough.config.strict import Number, Problem, SectionDict, Strict, problem_lines
from followthrough.core.errors import ConfigError
from followthrough.core.sync.api_url import url_problem
from followthrough.core.sync.config import DEFAULT_DUPLICATE_TRANSITIONS, DEFAULT_WONT_DO, GITHUB, GITHUB_DOT_COM_API, JIRA_CLOUD, KINDS, Destination, Secret, Trackers

ENV_NAMES = ("JIRA_BASE_URL", "JIRA_USER_EMAIL", "JIRA_API_TOKEN", "GITHUB_TOKEN", "GITHUB_API_URL", "GITHUB_REPOSITORY")
_PROJECT = re.compile(r"^[A-Z][A-Z0-9_]{0,254}$")
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class DestinationSection(Strict):
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
    duplicate_transitions = c.Optional(c.ListOfItems(c.Type(str)))  # Jira transitions that close a duplicate
    seconds_between_requests = c.Optional(Number((int, float)))  # GitHub pacing; PyGithub's defaults otherwise
    seconds_between_writes = c.Optional(Number((int, float)))
    due_field = c.Optional(c.Type(str))  # GitHub: the organization's date issue field holding the due date

    @property
    def is_jira(self) -> bool:
        return self.type != GITHUB

    @property
    def token_variable(self) -> str:
        return self.token_env or ("JIRA_API_TOKEN" if self.is_jira else "GITHUB_TOKEN")

    def checks(self) -> Iterable[Problem]:
        if self.is_jira and (not self.project or not _PROJECT.match(self.project)):
            yield "project", f"{'missing' if not self.project else repr(self.project) + ' is not'} a Jira project key such as PAY"
        if not self.is_jira:
            for key in ("project", "email"):
                if self[key] is not None:
                    yield key, "only Jira destinations take this setting"
        if not self.is_jira and self.duplicate_transitions is not None:
            yield "duplicate_transitions", "only Jira destinations take this setting (GitHub closes duplicates as such)"
        if not _ENV_NAME.match(self.token_variable):
            yield "token_env", f"{self.token_variable!r} is not an environment variable name"
        if self.due_field is not None and (self.is_jira or not self.due_field.strip()):
            yield "due_field", "only GitHub destinations take this setting (Jira has its own due date)" if self.is_jira else "must name an issue field, such as Target date"
        for key in ("seconds_between_requests", "seconds_between_writes"):
            value = self[key]
            if value is not None and (value < 0 or self.is_jira):
                yield key, "only GitHub destinations are paced this way" if self.is_jira else "must not be negative"


class TrackersSection(Strict):
    default = c.Optional(c.Type(str))
    destinations = SectionDict(DestinationSection)
    teams = c.DictOfItems(c.Type(str), default={})
    services = c.DictOfItems(c.Type(str), default={})
    file_url = c.Optional(c.Type(str))  # e.g. https://github.com/acme/postmortems/blob/main/ ; the file's path is appended
    label = c.Type(str, default="postmortem")
    timeout = Number((int, float), default=30)  # seconds, every request
    retries = Number(int, default=4)  # after the first attempt, on 408 / 429 / 5xx / network errors
    backoff = Number((int, float), default=2)  # seconds before the first retry; doubles each time
    max_wait = Number((int, float), default=300)  # longest Retry-After honoured before giving up
    settle_minutes = Number((int, float), default=15)  # Jira Cloud's search lag: a lost create is sent again after this

    def checks(self) -> Iterable[Problem]:
        names = sorted(self.destinations)
        if self.default is not None and self.default not in names:
            yield "default", f"{self.default!r} is not one of the destinations {names}"
        for section in ("teams", "services"):
            for key, target in self[section].items():
                if target not in names:
                    yield f"{section}.{key}", f"{target!r} is not one of the destinations {names}"
        if self.timeout <= 0:
            yield "timeout", "must be more than 0 seconds"
        if self.retries < 0:
            yield "retries", "must not be negative"
        if self.settle_minutes < 0:
            yield "settle_minutes", "must not be negative"
        if self.backoff < 0 or self.max_wait < 0:
            yield "backoff / max_wait", "must not be negative"
        if " " in self.label or not self.label:
            yield "label", f"{self.label!r} must be one word (Jira labels cannot hold spaces)"
        if self.file_url and not re.match(r"^https?://", self.file_url.strip()):
            yield "file_url", f"{self.file_url.strip()!r} is not an http(s) URL"


def load_trackers(raw: Any, where: str, environ: Mapping[str, str]) -> Trackers:
    """The `trackers` mapping as written, validated with the environment; every problem at once."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: plugins.followthrough.trackers must be a mapping of settings")
    section = TrackersSection()
    section.load_dict(raw)
    problems = [(f"trackers.{path}", message) for path, message in section.problems()]
    if not isinstance(section.destinations, dict):
        raise ConfigError(problem_lines(problems, where))
    return trackers_from(section, where, environ, problems)


def trackers_from(section: TrackersSection, where: str, environ: Mapping[str, str], problems: list[Problem] | None = None) -> Trackers:
    """The validated section with what the environment adds: URLs, e-mail, repository, tokens."""
    problems = list(problems or [])
    env = {k: environ.get(k, "").strip() for k in ENV_NAMES}
    destinations: dict[str, Destination] = {}
    secrets: dict[str, Secret] = {}
    for name, opts in section.destinations.items():
        if not isinstance(opts, DestinationSection):
            continue  # its own problems are already listed
        here = f"trackers.destinations.{name}."
        email, repo = opts.email, opts.repo
        if opts.is_jira:
            url = env["JIRA_BASE_URL"] or opts.url
            if opts.type == JIRA_CLOUD:
                email = env["JIRA_USER_EMAIL"] or email
            if not url:
                problems.append((f"{here}url", "missing; set it here or in JIRA_BASE_URL"))
            if opts.type == JIRA_CLOUD and not email:
                problems.append((f"{here}email", "missing; Jira Cloud API tokens belong to an account (or set JIRA_USER_EMAIL)"))
        else:
            url = opts.url or env["GITHUB_API_URL"] or GITHUB_DOT_COM_API
            repo = opts.repo or env["GITHUB_REPOSITORY"] or None
            if not repo or not _REPO.match(repo):
                problems.append((f"{here}repo", f"{'missing' if not repo else repr(repo) + ' is not'} a GitHub repository as owner/name (or set GITHUB_REPOSITORY)"))
        came_from = "JIRA_BASE_URL" if opts.is_jira and env["JIRA_BASE_URL"] else "GITHUB_API_URL" if not opts.is_jira and not opts.url and env["GITHUB_API_URL"] else ""
        checked = _url(url, f"{here}url" + (f" (from {came_from})" if came_from else ""), problems)
        if checked is None:
            continue
        destinations[name] = Destination(
            name=name,
            kind=opts.type,
            url=checked,
            project=opts.project,
            issue_type=opts.issue_type,
            email=email,
            token_env=opts.token_variable,
            repo=repo,
            priorities=dict(opts.priorities),
            wont_do=tuple(opts.wont_do) if opts.wont_do is not None else DEFAULT_WONT_DO,
            labels=tuple(opts.labels),
            duplicate_transitions=tuple(opts.duplicate_transitions) if opts.duplicate_transitions is not None else DEFAULT_DUPLICATE_TRANSITIONS,
            seconds_between_requests=opts.seconds_between_requests,
            seconds_between_writes=opts.seconds_between_writes,
            due_field=opts.due_field.strip() if opts.due_field else None,
        )
        token = environ.get(opts.token_variable, "")
        if token.strip():
            secrets[name] = Secret(token.strip())
    if problems:
        raise ConfigError(problem_lines(problems, where))
    return Trackers(
        destinations=destinations,
        default=section.default,
        teams=dict(section.teams),
        services=dict(section.services),
        file_url=section.file_url.strip() if section.file_url else None,
        label=section.label,
        timeout=float(section.timeout),
        retries=section.retries,
        backoff=float(section.backoff),
        max_wait=float(section.max_wait),
        settle_minutes=float(section.settle_minutes),
        secrets=secrets,
    )


def _url(value: str | None, where: str, problems: list[Problem]) -> str | None:
    if value is None:
        return None
    value = value.strip().rstrip("/")
    problem = url_problem(value)  # the report's targets pass the same check
    if problem:
        problems.append((where, problem))
        return None
    return value

