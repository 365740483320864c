"""The reports' GitHub issues, each the one open issue of its kind in a repository (the overdue
report; each team's weekly review), kept up to date through PyGithub.

The issue is found by its label AND a hidden marker in its body (never by search, which lags
behind new issues), so re-runs edit it in place and a run with nothing new makes no write at
all. Each kind of issue has its own marker (`IssueSpec`); one label may hold several kinds. The token comes from the environment and never appears in a message, nor does a
password in the API URL or a server's reply that echoes either. Retrying is `trackers.retry`'s,
not the client's (its own retries are off), and every wait goes through its `Clock`.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, TypeVar

import requests

from followthrough.core.errors import ConfigError, TrackerError
from followthrough.core.logline import safe_line
from followthrough.core.report.settings import ReportSettings
from followthrough.core.sync.config import Secret
from followthrough.core.sync.tickets import TrackerFailure
from followthrough.trackers.github_tracker import github_failure, is_pull_request
from followthrough.trackers.http import request_failure
from followthrough.trackers.redact import url_secrets
from followthrough.trackers.retry import SYSTEM_CLOCK, Clock, RetryPolicy
from followthrough.trackers.wording import check_url, failure, plural_retries, quoted

MARKER = "<!-- followthrough:overdue-report -->"
LABEL_DESCRIPTION = "The open overdue-action-items report, kept up to date by followthrough"
DEFAULT_API_URL = "https://api.github.com"
LABEL_COLOR = "d93f0b"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Target:
    api_url: str
    repository: str
    token: Secret  # shown as *** however the target is printed, as sync's tokens are


@dataclass(frozen=True, slots=True)
class IssueSpec:
    """One kept issue: found by `label` and `marker` (a hidden HTML comment in its body); `body`
    None closes it with `closing_body`. `empty` words the closed case in the outcome."""

    title: str
    label: str
    body: str | None
    closing_body: str
    marker: str = MARKER
    empty: str = "nothing overdue"
    label_description: str = LABEL_DESCRIPTION


@dataclass(frozen=True, slots=True)
class IssueOutcome:
    action: str  # created | updated | unchanged | closed | none
    number: int | None = None
    url: str | None = None
    duplicates_closed: int = 0
    empty: str = "nothing overdue"

    def describe(self) -> str:
        where = f" #{self.number}" if self.number else ""
        text = {
            "created": f"opened issue{where}",
            "updated": f"updated issue{where} in place",
            "unchanged": f"issue{where} already up to date; nothing written",
            "closed": f"{self.empty}: closed issue{where}",
            "none": f"{self.empty} and no report issue open; nothing written",
        }[self.action]
        if self.duplicates_closed:
            text += f" (closed {plural_issues(self.duplicates_closed)} that duplicated it)"
        # The URL is the server's word: one line, whatever it holds.
        return text + (f": {safe_line(self.url)}" if self.url else "")


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
    from_env = env.get("GITHUB_API_URL", "").strip()
    api_url = (from_env or settings.api_url or DEFAULT_API_URL).rstrip("/")
    check_url(api_url, "GITHUB_API_URL" if from_env else "plugins.followthrough.report.api_url")
    return Target(api_url, repository, Secret(token))


class GitHubSession:
    """PyGithub with its own retries and pacing off; both happen here, through the clock.

    Reads and edits are retried on 429, 5xx and network failures (an edit sets the same body
    twice at worst); creating is handled by `create_issue`. Writes are spaced by
    `report.seconds_between_writes`, as GitHub asks of integrations."""

    def __init__(self, target: Target, settings: ReportSettings, clock: Clock = SYSTEM_CLOCK) -> None:
        from github import Auth, Github

        self.target = target
        self.settings = settings
        self.clock = clock
        self.policy = RetryPolicy(settings.retries, settings.backoff, settings.max_wait, clock)
        self._last_write: float | None = None
        self.labels_seen: set[str] = set()
        self.client = Github(
            auth=Auth.Token(target.token.reveal()),
            base_url=target.api_url,
            timeout=max(1, round(settings.timeout)),
            retry=None,
            seconds_between_requests=None,
            seconds_between_writes=None,
            user_agent="followthrough-report",
        )

    def call(self, what: str, method: str, call: Callable[[], T]) -> T:
        """One client call; whatever it raises becomes a TrackerFailure (see sync.tickets)."""
        from github import GithubException

        write = method != "GET"
        if write:
            self._pace()
        try:
            return call()
        except GithubException as exc:
            raise github_failure(exc, what, write=write, policy=self.policy) from None
        except requests.RequestException as exc:
            raise request_failure(exc, what, write=write, timeout=self.client_timeout) from None
        except (TypeError, ValueError, KeyError, AttributeError, RuntimeError) as exc:
            # PyGithub parses what came back as the REST API's JSON; an HTML login page, a
            # proxy's reply or a redirect elsewhere ends up here. The request itself may have
            # worked, so a write counts as ambiguous.
            raise failure(what, reason=f"the answer was not GitHub's REST API ({type(exc).__name__}); a login page, a proxy or a redirect? Check the API URL", ambiguous=write) from None
        finally:
            if write:
                self._last_write = self.clock.now()

    @property
    def client_timeout(self) -> int:
        return max(1, round(self.settings.timeout))

    def read(self, what: str, call: Callable[[], T]) -> T:
        return self.policy.read(lambda: self.call(what, "GET", call), as_raised=True)

    def edit(self, what: str, call: Callable[[], T]) -> T:
        # A PATCH sets the same fields again when repeated: retried as a read is.
        return self.policy.read(lambda: self.call(what, "PATCH", call), as_raised=True)

    def _pace(self) -> None:
        if self._last_write is None:
            return
        gap = self._last_write + self.settings.seconds_between_writes - self.clock.now()
        if gap > 0:
            self.clock.sleep(gap)


def find_report_issues(repo, label: str, marker: str = MARKER) -> list:
    """Open issues carrying the label and the marker, oldest first (pull requests skipped)."""
    return with_marker(labelled_issues(repo, label, lambda body: has_marker(body, marker)), marker)


def has_marker(body: str, marker: str) -> bool:
    """The marker on a line of its own, as `issue_body` writes it. Anywhere in a line it could be
    text of the report itself (a ticket key is printed as written, in a code span), and one team's
    issue would be taken for another's."""
    return marker in body and marker in (line.strip() for line in body.splitlines())


def labelled_issues(repo, label: str, wanted: Callable[[str], bool] = lambda body: True) -> list:
    """Open issues carrying the label whose body is `wanted`, oldest first (pull requests skipped):
    one request a page of 100, however many kinds of issue the label holds."""
    found = [
        issue
        for issue in repo.get_issues(state="open", labels=[label], sort="created", direction="asc")
        if not is_pull_request(issue) and wanted(issue.body or "")
    ]
    for issue in found:
        _check_issue(issue, "listing the report issues")
    return sorted(found, key=lambda issue: issue.number)


def with_marker(issues: list, marker: str) -> list:
    return [issue for issue in issues if has_marker(issue.body or "", marker)]


def _check_issue(issue: Any, what: str) -> Any:
    # An answer that is not an issue (a proxy's page that PyGithub parsed anyway) must not
    # pass for one: the outcome would name no issue, and a later edit would go nowhere.
    if not isinstance(issue.number, int) or isinstance(issue.number, bool):
        raise TypeError(f"{what}: the answer holds no issue number")
    return issue


# GitHub refuses an issue body over 65,536 characters; a long backlog must still post.
MAX_BODY = 65_536


def issue_body(markdown: str, footer: str, marker: str = MARKER) -> str:
    tail = f"\n\n---\n{footer}\n\n{marker}\n"
    text = markdown.rstrip()
    if len(text) + len(tail) > MAX_BODY:
        cut = "\n\n*The report is longer than a GitHub issue can hold; the rest is on the site's overdue page.*"
        keep = MAX_BODY - len(tail) - len(cut)
        text = text[: text.rfind("\n", 0, keep)] + cut  # whole lines only, so no table row is half cut
    return text + tail


def sync_issue(gh: GitHubSession, repo, title: str, label: str, body: str | None, closing_body: str, marker: str = MARKER) -> IssueOutcome:
    """Make the repository hold exactly one open report issue with `body`, or none when body is None."""
    return sync_spec(gh, repo, IssueSpec(title, label, body, closing_body, marker))


# GitHub refuses a title over 256 characters (422), which would stop every team's issue after it.
MAX_TITLE = 256


def issue_title(text: str) -> str:
    """The title on one line, cut with an ellipsis to what GitHub takes."""
    title = " ".join(text.split())
    return title if len(title) <= MAX_TITLE else title[: MAX_TITLE - 1] + "…"


def sync_spec(gh: GitHubSession, repo, spec: IssueSpec, listed: list | None = None) -> IssueOutcome:
    """`listed`: the label's open issues as just read (`labelled_issues`), so that many specs of
    one label cost one listing; None lists them here."""
    title, label, body, marker = issue_title(spec.title), spec.label, spec.body, spec.marker
    if listed is None:
        found = gh.read("listing the report issues", lambda: find_report_issues(repo, label, marker))
    else:
        found = with_marker(listed, marker)
    if body is None:
        for issue in found:
            gh.edit(f"closing issue #{issue.number}", lambda issue=issue: issue.edit(body=spec.closing_body, state="closed", state_reason="completed"))
        if not found:
            return IssueOutcome("none", empty=spec.empty)
        return IssueOutcome("closed", found[0].number, found[0].html_url, len(found) - 1, spec.empty)
    if found:
        keep, extra = found[0], found[1:]
        action = "unchanged"
        if keep.title != title or (keep.body or "") != body:
            gh.edit(f"editing issue #{keep.number}", lambda: keep.edit(title=title, body=body))
            action = "updated"
    else:
        keep = create_issue(gh, repo, title, label, body, marker, spec.label_description)
        action = "created"
        # Two runs racing, or a create that happened without a reply: keep the oldest, close the rest.
        found = gh.read("listing the report issues", lambda: find_report_issues(repo, label, marker))
        if found and found[0].number != keep.number:
            keep = found[0]
            action = "updated" if (keep.body or "") != body else "unchanged"
            if action == "updated":
                gh.edit(f"editing issue #{keep.number}", lambda: keep.edit(title=title, body=body))
        extra = [i for i in found if i.number != keep.number]
    for issue in extra:
        duplicate = f"A duplicate of #{keep.number}, which holds this report.\n\n{marker}\n"
        gh.edit(f"closing duplicate issue #{issue.number}", lambda issue=issue: issue.edit(body=duplicate, state="closed", state_reason="not_planned"))
    return IssueOutcome(action, keep.number, keep.html_url, len(extra), spec.empty)


def create_issue(gh: GitHubSession, repo, title: str, label: str, body: str, marker: str = MARKER, label_description: str = LABEL_DESCRIPTION):
    """Create the issue; after any failed or unanswered attempt, look for it before trying again,
    because the request may have taken effect although no reply said so."""
    _ensure_label(gh, repo, label, label_description)

    def look_up() -> Any:
        found = gh.read("looking for the report issue", lambda: find_report_issues(repo, label, marker))
        return found[0] if found else None

    issue, _found = gh.policy.create(
        lambda: gh.call("creating the report issue", "POST", lambda: _check_issue(repo.create_issue(title=title, body=body, labels=[label]), "creating the report issue")),
        look_up,
        as_raised=True,
    )
    return issue


def _ensure_label(gh: GitHubSession, repo, label: str, description: str = LABEL_DESCRIPTION) -> None:
    if label in gh.labels_seen:  # one run creating many issues of one label reads it once
        return
    try:
        gh.read(f"reading label {label!r}", lambda: repo.get_label(label))
    except TrackerFailure as refused:
        if refused.status != 404:
            raise
        gh.edit(
            f"creating label {label!r}",
            lambda: repo.create_label(label, LABEL_COLOR, description),
        )
    gh.labels_seen.add(label)


def post_github_issue(target: Target, settings: ReportSettings, body: str | None, closing_body: str, clock: Clock = SYSTEM_CLOCK) -> IssueOutcome:
    """The network half of `report overdue --post github-issue`, with every failure turned into a TrackerError."""
    [outcome] = post_issues(target, settings, [IssueSpec(settings.issue_title, settings.issue_label, body, closing_body)], clock)
    return outcome


@dataclass(frozen=True, slots=True)
class Retire:
    """Issues of one kind that no spec of this run claims any more (a team removed from the
    people directory, or renamed): open issues of `label` with a marker starting `prefix` that is
    none of the specs' markers, closed with `closing_body(marker)` instead of staying open forever."""

    label: str
    prefix: str
    closing_body: Callable[[str], str]
    empty: Callable[[str], str]  # the outcome's words for the closed issue, from its marker


def post_issues(target: Target, settings: ReportSettings, specs: list[IssueSpec], clock: Clock = SYSTEM_CLOCK, retire: Retire | None = None) -> list[IssueOutcome]:
    """Keep each issue of `specs` up to date in the target repository, in order, through one
    client; the first failure stops the run as a TrackerError (the same repository and token
    would fail the rest too). With `retire`, the outcomes of the issues it closed follow the specs'.

    Each label is listed once for all its specs (and `retire`'s), so a review of many teams
    costs a request per page of issues, not one per team."""
    gh = GitHubSession(target, settings, clock)
    try:
        repo = gh.read(f"opening {target.repository}", lambda: gh.client.get_repo(target.repository))
        prefixes = [spec.marker for spec in specs] + ([retire.prefix] if retire else [])
        listed: dict[str, list] = {}

        def listing(label: str) -> list:
            if label not in listed:
                listed[label] = gh.read("listing the report issues", lambda: labelled_issues(repo, label, lambda body: any(p in body for p in prefixes)))
            return listed[label]

        outcomes = [sync_spec(gh, repo, spec, listing(spec.label)) for spec in specs]
        if retire is not None:
            outcomes += _retire(gh, listing(retire.label), {spec.marker for spec in specs}, retire)
        return outcomes
    except TrackerFailure as failed:
        raise TrackerError(github_message(target, failed, len(gh.policy.waits))) from None


def _retire(gh: GitHubSession, listed: list, claimed: set[str], retire: Retire) -> list[IssueOutcome]:
    outcomes = []
    for issue in listed:
        body = issue.body or ""
        marks = re.findall(r"^\s*(" + re.escape(retire.prefix) + r"[^\s>]* -->)\s*$", body, re.M)
        if not marks or any(m in claimed for m in marks):
            continue
        closing = retire.closing_body(marks[0])
        gh.edit(f"closing issue #{issue.number}", lambda issue=issue, closing=closing: issue.edit(body=closing, state="closed", state_reason="completed"))
        outcomes.append(IssueOutcome("closed", issue.number, issue.html_url, empty=retire.empty(marks[0])))
    return outcomes


def github_message(target: Target, failure: TrackerFailure, retried: int) -> str:
    where = safe_line(target.api_url)
    after = f", still after {plural_retries(retried)}" if retried else ""
    secrets = [target.token.reveal(), *url_secrets(target.api_url)]
    if failure.status == 401:
        return f"{where}: GitHub refused GITHUB_TOKEN (401); check the token"
    if failure.status == 404 and failure.what.startswith("opening "):
        return f"{where}: repository {safe_line(target.repository)} not found, or the token cannot see it"
    if failure.status is not None:
        hint = "; the token needs the issues: write permission" if failure.status == 403 else ""
        reply = quoted(failure.reply, secrets)
        said = f" ({reply})" if reply else ""
        return f"{where}: GitHub answered HTTP {failure.status} for {safe_line(target.repository)}{said}{hint}{after}"
    maybe = "; it may have taken effect" if failure.ambiguous else ""
    doing = failure.what if failure.what.startswith("opening ") else f"{failure.what} in {safe_line(target.repository)}"
    return f"{where}: {doing} failed: {failure.reason}{maybe}{after}"
