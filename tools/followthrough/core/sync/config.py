"""Where action items are mirrored, as plain values: destinations, routing, pacing and tokens.

`config.trackers` builds them from the `trackers` section of mkdocs.yml and the environment;
a token is a `Secret`, which never prints.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping

JIRA_CLOUD = "jira-cloud"
JIRA_DC = "jira-dc"
GITHUB = "github"
KINDS = (JIRA_CLOUD, JIRA_DC, GITHUB)
GITHUB_DOT_COM_API = "https://api.github.com"
# Jira transitions that close a ticket as a duplicate, tried in this order; none of them in the
# workflow: the duplicate is commented, relabelled and left open, and the summary says so.
DEFAULT_DUPLICATE_TRANSITIONS = ("Duplicate", "Won't Do", "Won't Fix", "Declined", "Reject", "Close Issue", "Closed")
DEFAULT_WONT_DO = ("Won't Do", "Won't Fix", "Duplicate", "Cannot Reproduce", "Declined", "Rejected", "Obsolete", "Abandoned", "Incomplete")


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
    duplicate_transitions: tuple[str, ...] = DEFAULT_DUPLICATE_TRANSITIONS
    seconds_between_requests: float | None = None
    seconds_between_writes: float | None = None
    due_field: str | None = None  # GitHub: the name of the organization's date issue field holding the due date

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
    settle_minutes: float = 15  # how long Jira Cloud's search may lag behind a create
    secrets: Mapping[str, Secret] = field(default_factory=dict, repr=False)  # destination name -> token

    def token(self, name: str) -> Secret | None:
        return self.secrets.get(name)

    def all_secrets(self) -> list[str]:
        return [s.reveal() for s in self.secrets.values() if s]

    @property
    def configured(self) -> bool:
        return bool(self.destinations)


def whole_seconds(timeout: float) -> int:
    """PyGithub takes whole seconds; never round a short timeout down to none."""
    return max(1, math.ceil(timeout))
