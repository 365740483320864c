"""Delivering a report: the one overdue issue in a GitHub repository, and a Slack incoming webhook.

The shell around the pure report: the only module here that talks to the network.
GitHub goes through PyGithub; the report issue is found by its label AND a hidden marker
in its body (never by search, which lags behind new issues), so re-runs edit it in place
and a run with nothing new makes no write at all. Secrets come from the environment and
never appear in a message: not the token, not the webhook URL (which is itself a secret).
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from typing import Callable, Mapping
from urllib.parse import urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from ..errors import ConfigError, TrackerError
from .settings import ReportSettings

MARKER = "<!-- followthrough:overdue-report -->"
DEFAULT_API_URL = "https://api.github.com"
RETRY_STATUSES = (429, 500, 502, 503, 504)
LABEL_COLOR = "d93f0b"

Sleep = Callable[[float], None]


# --- GitHub ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Target:
    api_url: str
    repository: str
    token: str

    def __repr__(self) -> str:  # never show the token, not even in a traceback's locals
        return f"Target(api_url={self.api_url!r}, repository={self.repository!r}, token=***)"


@dataclass(frozen=True, slots=True)
class IssueOutcome:
    action: str  # created | updated | unchanged | closed | none
    number: int | None = None
    url: str | None = None
    duplicates_closed: int = 0

    def describe(self) -> str:
        where = f" #{self.number}" if self.number else ""
        text = {
            "created": f"opened issue{where}",
            "updated": f"updated issue{where} in place",
            "unchanged": f"issue{where} already up to date; nothing written",
            "closed": f"nothing overdue: closed issue{where}",
            "none": "nothing overdue and no report issue open; nothing written",
        }[self.action]
        if self.duplicates_closed:
            text += f" (closed {plural_issues(self.duplicates_closed)} that duplicated it)"
        return text + (f": {self.url}" if self.url else "")


def plural_issues(n: int) -> str:
    return f"{n} issue" + ("" if n == 1 else "s")


def github_target(settings: ReportSettings, environ: Mapping[str, str] | None = None) -> Target:
    """Where the issue goes. `report.repository` wins over $GITHUB_REPOSITORY, because Actions
    does not let a workflow override its own GITHUB_* variables; $GITHUB_API_URL wins over
    `report.api_url` (Actions sets it right for GitHub Enterprise Server)."""
    env = os.environ if environ is None else environ
    token = env.get("GITHUB_TOKEN", "").strip()
    if not token:
        raise ConfigError("GITHUB_TOKEN is not set: --post github-issue needs a token that may write issues")
    repository = settings.repository or env.get("GITHUB_REPOSITORY", "").strip()
    if repository.count("/") != 1:
        raise ConfigError("no repository for the report issue: set plugins.followthrough.report.repository (owner/name) or GITHUB_REPOSITORY")
    api_url = (env.get("GITHUB_API_URL", "").strip() or settings.api_url or DEFAULT_API_URL).rstrip("/")
    _check_url(api_url, "GITHUB_API_URL / report.api_url")
    return Target(api_url, repository, token)


def github_client(target: Target, settings: ReportSettings):  # -> github.Github
    from github import Auth, Github, GithubRetry

    # The client retries reads and edits itself (429 and 5xx, honouring Retry-After); an edit
    # sets the same body twice at worst. Creating is never retried blindly: see `_create`.
    retry = GithubRetry(
        total=settings.retries,
        status_forcelist=list(RETRY_STATUSES),
        allowed_methods=frozenset({"GET", "PATCH"}),
        backoff_factor=0.5,
    )
    return Github(auth=Auth.Token(target.token), base_url=target.api_url, timeout=max(1, round(settings.timeout)), retry=retry)


def find_report_issues(repo, label: str) -> list:
    """Open issues carrying the label and the marker, oldest first (pull requests skipped)."""
    found = [
        issue
        for issue in repo.get_issues(state="open", labels=[label], sort="created", direction="asc")
        if issue.pull_request is None and MARKER in (issue.body or "")
    ]
    return sorted(found, key=lambda issue: issue.number)


# GitHub refuses an issue body over 65,536 characters; a long backlog must still post.
MAX_BODY = 65_536


def issue_body(markdown: str, footer: str) -> str:
    tail = f"\n\n---\n{footer}\n\n{MARKER}\n"
    text = markdown.rstrip()
    if len(text) + len(tail) > MAX_BODY:
        cut = "\n\n*The report is longer than a GitHub issue can hold; the rest is on the site's overdue page.*"
        keep = MAX_BODY - len(tail) - len(cut)
        text = text[: text.rfind("\n", 0, keep)] + cut  # whole lines only, so no table row is half cut
    return text + tail


def sync_issue(repo, title: str, label: str, body: str | None, closing_body: str, retries: int = 3, sleep: Sleep = time.sleep) -> IssueOutcome:
    """Make the repository hold exactly one open report issue with `body`, or none when body is None."""
    found = find_report_issues(repo, label)
    if body is None:
        for issue in found:
            issue.edit(body=closing_body, state="closed", state_reason="completed")
        if not found:
            return IssueOutcome("none")
        return IssueOutcome("closed", found[0].number, found[0].html_url, len(found) - 1)
    if found:
        keep, extra = found[0], found[1:]
        action = "unchanged"
        if keep.title != title or (keep.body or "") != body:
            keep.edit(title=title, body=body)
            action = "updated"
    else:
        keep = _create(repo, title, label, body, retries, sleep)
        action = "created"
        # Two runs racing, or a create the client re-sent: keep the oldest, close the rest.
        found = find_report_issues(repo, label)
        if found and found[0].number != keep.number:
            keep = found[0]
            action = "updated" if (keep.body or "") != body else "unchanged"
            if action == "updated":
                keep.edit(title=title, body=body)
        extra = [i for i in found if i.number != keep.number]
    for issue in extra:
        issue.edit(body=f"A duplicate of #{keep.number}, which holds the overdue report.\n\n{MARKER}\n", state="closed", state_reason="not_planned")
    return IssueOutcome(action, keep.number, keep.html_url, len(extra))


def _create(repo, title: str, label: str, body: str, retries: int, sleep: Sleep):
    """Create the issue; after any failed or unanswered attempt, look for it before trying again,
    because the request may have taken effect although no reply said so."""
    from github import GithubException

    _ensure_label(repo, label)
    attempt = 0
    while True:
        try:
            return repo.create_issue(title=title, body=body, labels=[label])
        except GithubException as exc:
            if exc.status not in RETRY_STATUSES or attempt >= retries:
                raise
            wait = _retry_after(exc.headers) if exc.headers else None
        except requests.RequestException:
            if attempt >= retries:
                raise
            wait = None
        found = find_report_issues(repo, label)
        if found:
            return found[0]
        attempt += 1
        sleep(wait if wait is not None else min(0.5 * 2 ** (attempt - 1), 8.0))


def _retry_after(headers: Mapping[str, str]) -> float | None:
    for name, value in headers.items():
        if name.lower() == "retry-after":
            try:
                return min(max(float(value), 0.0), 60.0)
            except ValueError:
                return None
    return None


def _ensure_label(repo, label: str) -> None:
    from github import GithubException

    try:
        repo.get_label(label)
    except GithubException as exc:
        if exc.status != 404:
            raise
        repo.create_label(label, LABEL_COLOR, "The open overdue-action-items report, kept up to date by followthrough")


def post_github_issue(target: Target, settings: ReportSettings, body: str | None, closing_body: str, sleep: Sleep = time.sleep) -> IssueOutcome:
    """The network half of `--post github-issue`, with GitHub's refusals turned into TrackerError."""
    from github import BadCredentialsException, GithubException, UnknownObjectException

    try:
        client = github_client(target, settings)
        repo = client.get_repo(target.repository)
        return sync_issue(repo, settings.issue_title, settings.issue_label, body, closing_body, settings.retries, sleep)
    except BadCredentialsException:
        raise TrackerError(f"{target.api_url}: GitHub refused GITHUB_TOKEN (401); check the token") from None
    except UnknownObjectException:
        raise TrackerError(f"{target.api_url}: repository {target.repository} not found, or the token cannot see it") from None
    except GithubException as exc:
        hint = "; the token needs the issues: write permission" if exc.status == 403 else ""
        raise TrackerError(f"{target.api_url}: GitHub answered HTTP {exc.status} for {target.repository}{hint}") from None
    except requests.exceptions.RetryError as exc:
        found = re.search(r"too many (\d{3}) error responses", str(exc))
        last = f"HTTP {found.group(1)}" if found else "errors"
        raise TrackerError(f"{target.api_url}: GitHub answered {last} for {target.repository}, still after {settings.retries} retries") from None
    except requests.RequestException as exc:
        raise TrackerError(f"{target.api_url}: no answer from GitHub ({type(exc).__name__}) after {settings.retries} retries") from None


# --- Slack ----------------------------------------------------------------------------------


def slack_url(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    url = env.get("SLACK_WEBHOOK_URL", "").strip()
    if not url:
        raise ConfigError("SLACK_WEBHOOK_URL is not set: --post slack needs an incoming webhook URL")
    _check_url(url, "SLACK_WEBHOOK_URL", show=False)
    return url


def _check_url(url: str, name: str, show: bool = True) -> None:
    parts = urlsplit(url)
    loopback = parts.hostname in ("127.0.0.1", "localhost", "::1")
    # Plain http only to this machine (tests, a local relay): a token must not cross a network in clear.
    if parts.scheme != "https" and not (parts.scheme == "http" and loopback):
        shown = f" ({url})" if show else ""
        raise ConfigError(f"{name}: expected an https:// URL{shown}")


def post_slack(url: str, payload: Mapping[str, object], settings: ReportSettings) -> None:
    """Send one message. Retried on 429 and 5xx (Slack did not take it) and on failures to
    connect; never after the request went out unanswered, which would risk posting twice."""
    retry = Retry(
        total=settings.retries,
        connect=settings.retries,
        read=0,
        status=settings.retries,
        other=0,
        status_forcelist=RETRY_STATUSES,
        allowed_methods=frozenset({"POST"}),
        backoff_factor=0.5,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=retry)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    try:
        response = session.post(url, json=payload, timeout=settings.timeout)
    except requests.ConnectionError as exc:
        # Its text holds the URL, which is the secret: only the kind of failure is shown.
        raise TrackerError(f"Slack webhook: no answer ({type(exc).__name__}); the message may not have been posted, and was not re-sent") from None
    except requests.RequestException as exc:
        raise TrackerError(f"Slack webhook: request failed ({type(exc).__name__})") from None
    finally:
        session.close()
    text = response.text.strip()[:200]
    if response.status_code != 200:
        raise TrackerError(f"Slack webhook refused the message: HTTP {response.status_code} {text}".rstrip())
