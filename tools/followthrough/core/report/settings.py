"""How `followthrough report --post` delivers, as a plain value (read from mkdocs.yml by `config.report`)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_ISSUE_TITLE = "Overdue postmortem action items"
DEFAULT_ISSUE_LABEL = "overdue-report"
DEFAULT_REVIEW_TITLE = "Weekly review: {team}"
DEFAULT_REVIEW_LABEL = "review-agenda"


@dataclass(frozen=True, slots=True)
class ReportSettings:
    issue_title: str = DEFAULT_ISSUE_TITLE
    issue_label: str = DEFAULT_ISSUE_LABEL
    repository: str = ""  # owner/name; $GITHUB_REPOSITORY when empty
    api_url: str = ""  # $GITHUB_API_URL, else GitHub's, when empty
    timeout: float = 30.0  # seconds, every request
    retries: int = 3
    backoff: float = 0.5  # seconds before the first retry, doubling
    max_wait: float = 60.0  # the longest Retry-After honoured
    seconds_between_writes: float = 1.0
    review_title: str = DEFAULT_REVIEW_TITLE  # {team} is the team's name
    review_label: str = DEFAULT_REVIEW_LABEL
    slack_api_url: str = ""  # $SLACK_API_URL, else Slack's, when empty
