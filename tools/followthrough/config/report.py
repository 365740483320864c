"""The `report` section: where `followthrough report --post` writes, and how patiently.

    plugins:
      - followthrough:
          report:
            issue_title: Overdue postmortem action items
            issue_label: overdue-report
            repository: acme/postmortems   # default: $GITHUB_REPOSITORY
            timeout: 30                    # seconds, every request
            retries: 3                     # on 408, 429 and 5xx, honouring Retry-After
            backoff: 0.5                   # seconds before the first retry, doubling
            max_wait: 60                   # the longest Retry-After honoured; longer gives up
            seconds_between_writes: 1      # GitHub asks integrations to space their writes
            review_title: "Weekly review: {team}"   # each team's review issue
            review_label: review-agenda
            slack_api_url: https://slack.com/api/   # default: $SLACK_API_URL, else Slack's

"Due soon" is the site's setting (`site.due_soon_days`), so the report and the site
agree. Secrets never live here: the GitHub token comes from $GITHUB_TOKEN, the Slack
webhook from $SLACK_WEBHOOK_URL and the Slack bot token from $SLACK_BOT_TOKEN.
"""

from __future__ import annotations

from typing import Iterable

from mkdocs.config import config_options as c

from followthrough.config.strict import Number, Problem, Strict
from followthrough.core.report.settings import DEFAULT_ISSUE_LABEL, DEFAULT_ISSUE_TITLE, DEFAULT_REVIEW_LABEL, DEFAULT_REVIEW_TITLE, ReportSettings

MAX_LABEL = 50  # GitHub's longest label name


class ReportSection(Strict):
    issue_title = c.Type(str, default=DEFAULT_ISSUE_TITLE)
    issue_label = c.Type(str, default=DEFAULT_ISSUE_LABEL)
    repository = c.Type(str, default="")
    api_url = c.Type(str, default="")
    timeout = Number((int, float), default=30)
    retries = Number(int, default=3)
    backoff = Number((int, float), default=0.5)
    max_wait = Number((int, float), default=60)
    seconds_between_writes = Number((int, float), default=1)
    review_title = c.Type(str, default=DEFAULT_REVIEW_TITLE)
    review_label = c.Type(str, default=DEFAULT_REVIEW_LABEL)
    slack_api_url = c.Type(str, default="")

    def checks(self) -> Iterable[Problem]:
        if self.timeout <= 0:
            yield "timeout", f"must be more than 0 seconds, got {self.timeout}"
        if self.retries < 0:
            yield "retries", f"must be 0 or more, got {self.retries}"
        for key in ("backoff", "max_wait", "seconds_between_writes"):
            if self[key] < 0:
                yield key, f"must be 0 or more seconds, got {self[key]}"
        if not self.issue_label.strip():
            yield "issue_label", "must not be empty: it is how the one report issue is found"
        if not self.review_label.strip():
            yield "review_label", "must not be empty: it is how each team's review issue is found"
        for key in ("issue_label", "review_label"):
            label = self[key].strip()
            if "," in label:
                # The issue listing takes `labels=a,b`: a comma splits the name, the issue is never
                # found again and every run opens another.
                yield key, f"must not hold a comma: GitHub's issue listing reads one as between two labels, so the issue would never be found again; got {label!r}"
            elif len(label) > MAX_LABEL:
                yield key, f"at most {MAX_LABEL} characters, as GitHub takes; got {len(label)}"
        if "{team}" not in self.review_title:
            yield "review_title", f"must hold {{team}}, the team's name, so each team's issue has its own title; got {self.review_title!r}"
        if self.repository and self.repository.count("/") != 1:
            yield "repository", f"expected owner/name, got {self.repository!r}"


def report_settings(section: ReportSection) -> ReportSettings:
    return ReportSettings(
        issue_title=section.issue_title.strip() or DEFAULT_ISSUE_TITLE,
        issue_label=section.issue_label.strip(),
        repository=section.repository.strip(),
        api_url=section.api_url.strip().rstrip("/"),
        timeout=float(section.timeout),
        retries=section.retries,
        backoff=float(section.backoff),
        max_wait=float(section.max_wait),
        seconds_between_writes=float(section.seconds_between_writes),
        review_title=section.review_title.strip(),
        review_label=section.review_label.strip(),
        slack_api_url=section.slack_api_url.strip(),
    )
