"""`report --post github-issue` and `--post slack` through the real clients (PyGithub, requests)
against the loopback fakes: one issue kept in place, closed when nothing is overdue, faults retried,
no secret in any message, every failure a clear error.

The command runs in a subprocess with retries unpaced (`backoff: 0`, `seconds_between_writes: 0`
in tests/data/report's mkdocs.yml);
the waits themselves are tested in this process, through a fake clock that records them, so no
test sleeps.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from followthrough.trackers import report_issue as post
from followthrough.trackers import slack_webhook
from followthrough.trackers.retry import Clock
from followthrough.core.errors import TrackerError
from followthrough.core.report.settings import ReportSettings
from followthrough.core.sync.config import Secret

from .conftest import DATA, assert_no_traceback, run_cli
from .fakes.github_server import FakeGitHub
from .fakes.slack_server import FakeSlack

TODAY = "2026-06-15"
REPO = "acme/ops"
TOKEN = "gh-test-token"
MARKER = "<!-- followthrough:overdue-report -->"


class FakeClock:
    """Time that passes only when waited for; every wait is kept."""

    def __init__(self) -> None:
        self.time = 1000.0
        self.waits: list[float] = []

    def now(self) -> float:
        return self.time

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.time += seconds

    @property
    def clock(self) -> Clock:
        return Clock(now=self.now, sleep=self.sleep)


def deliver(github: FakeGitHub, body: str | None = "# Overdue\n\nsomething", **settings) -> tuple[post.IssueOutcome, list[float]]:
    """`--post github-issue`'s network half, in this process, on the fake clock."""
    fake = FakeClock()
    target = post.Target(github.api, REPO, Secret(TOKEN))
    full = post.issue_body(body, "footer") if body is not None else None
    outcome = post.post_github_issue(target, ReportSettings(repository=REPO, **settings), full, post.issue_body("Nothing is overdue.", "footer"), fake.clock)
    return outcome, fake.waits


def post_issue(repo_dir: Path, github: FakeGitHub, today: str = TODAY, token: str = TOKEN):
    return run_cli(
        "report", "overdue", "--post", "github-issue", "--today", today,
        cwd=repo_dir, env={"GITHUB_TOKEN": token, "GITHUB_API_URL": github.api},
    )  # fmt: skip


def open_reports(github: FakeGitHub) -> list:
    return [i for i in github.issues(REPO) if i.state == "open" and "overdue-report" in i.labels]


def mark_all_done(repo_dir: Path) -> None:
    """What a sync writes once every tracker ticket is closed."""
    state_file = repo_dir / ".followthrough/state.json"
    state = json.loads(state_file.read_text())
    for key in ("2026-03-02-checkout-outage/runbook", "2026-04-07-search-slow/index", "2026-04-07-search-slow/capacity", "2026-05-05-game-day-db-failover/failover-doc"):
        state["items"][key] = {"ticket": "X-1", "url": "", "status": "done", "tracker_status": "Done", "done_on": "2026-06-10", "assignee": None, "due": None, "checked": "2026-06-14"}
    state["items"]["2026-03-02-checkout-outage/canary"]["status"] = "done"
    state["items"]["2026-03-02-checkout-outage/canary"]["done_on"] = "2026-06-10"
    state_file.write_text(json.dumps(state))


# --- GitHub issue --------------------------------------------------------------------------


def test_first_run_creates_second_updates_in_place_then_closes(repo_dir: Path, github: FakeGitHub) -> None:
    first = post_issue(repo_dir, github)
    assert first.code == 0, first.err
    [issue] = open_reports(github)
    assert first.out == f"{REPO}: opened issue #{issue.number}: https://github.com/{REPO}/issues/{issue.number}\n"
    assert issue.title == "Overdue postmortem action items"
    assert MARKER in issue.body
    assert "## @bokafor (Bola Okafor): 1 item overdue" in issue.body
    assert "91 days overdue" in issue.body
    assert github.count(method="POST", path=r"/issues$") == 1

    # The same day again: the body is already right, so nothing is written at all.
    github.reset_counts()
    again = post_issue(repo_dir, github)
    assert again.code == 0, again.err
    assert "already up to date; nothing written" in again.out
    assert github.counts()["write"] == 0

    # A week later: the same issue, edited in place.
    github.reset_counts()
    later = post_issue(repo_dir, github, today="2026-06-22")
    assert later.code == 0, later.err
    assert later.out.startswith(f"{REPO}: updated issue #{issue.number} in place")
    [same] = open_reports(github)
    assert same.number == issue.number
    assert "98 days overdue" in same.body and "91 days overdue" not in same.body
    assert github.count("write") == 1 and github.count(method="PATCH") == 1

    # Everything done: the issue is closed, with a body that says so.
    mark_all_done(repo_dir)
    done = post_issue(repo_dir, github, today="2026-06-22")
    assert done.code == 0, done.err
    assert f"nothing overdue: closed issue #{issue.number}" in done.out
    assert open_reports(github) == []
    closed = github.repo(REPO).issues[issue.number]
    assert (closed.state, closed.state_reason) == ("closed", "completed")
    assert "Nothing is overdue as of 2026-06-22" in closed.body

    # And again: nothing to close, nothing written.
    github.reset_counts()
    quiet = post_issue(repo_dir, github, today="2026-06-22")
    assert "nothing overdue and no report issue open; nothing written" in quiet.out
    assert github.counts()["write"] == 0


def test_a_new_issue_once_items_fall_overdue_again(repo_dir: Path, github: FakeGitHub) -> None:
    mark_all_done(repo_dir)
    assert "nothing written" in post_issue(repo_dir, github).out
    assert github.issues(REPO) == []
    shutil.copy(DATA / "report/.followthrough/state.json", repo_dir / ".followthrough/state.json")
    assert post_issue(repo_dir, github).code == 0
    assert len(open_reports(github)) == 1


def test_duplicates_are_closed_and_unmarked_issues_left_alone(repo_dir: Path, github: FakeGitHub) -> None:
    human = github.add_issue(REPO, "Discuss the overdue report format", body="no marker here", labels=("overdue-report",))
    older = github.add_issue(REPO, "Overdue postmortem action items", body=f"old text\n{MARKER}", labels=("overdue-report",))
    newer = github.add_issue(REPO, "Overdue postmortem action items", body=f"older text\n{MARKER}", labels=("overdue-report",))
    pull = github.add_issue(REPO, "A pull request", body=MARKER, labels=("overdue-report",), pull=True)
    result = post_issue(repo_dir, github)
    assert result.code == 0, result.err
    assert f"updated issue #{older.number} in place" in result.out and "closed 1 issue that duplicated it" in result.out
    issues = github.repo(REPO).issues
    assert issues[older.number].state == "open" and "Bola Okafor" in issues[older.number].body
    assert (issues[newer.number].state, issues[newer.number].state_reason) == ("closed", "not_planned")
    assert f"duplicate of #{older.number}" in issues[newer.number].body
    assert (issues[human.number].state, issues[human.number].body) == ("open", "no marker here")
    assert issues[pull.number].state == "open"


def test_settings_name_title_label_and_repository(repo_dir: Path, github: FakeGitHub) -> None:
    config = repo_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("repository: acme/ops", "repository: acme/web\n        issue_title: Late follow-ups\n        issue_label: late-items"))
    assert post_issue(repo_dir, github).code == 0
    [issue] = github.issues("acme/web")
    assert (issue.title, issue.labels) == ("Late follow-ups", ["late-items"])
    assert issue.body.startswith("# Late follow-ups\n")
    assert github.issues(REPO) == []


@pytest.mark.parametrize(
    ("method", "path", "fault", "waits"),
    [
        ("GET", r"/issues$", {"kind": "status", "status": 429, "retry_after": "1"}, [1.0, 1.0]),
        ("GET", r"/issues$", {"kind": "status", "status": 502}, [0.5, 1.0]),
        ("GET", r"/repos/acme/ops$", {"kind": "status", "status": 503, "retry_after": "0", "times": 2}, [1.0]),
        ("POST", r"/issues$", {"kind": "status", "status": 500}, [1.0, 0.5, 0.5]),
        ("POST", r"/issues$", {"kind": "status", "status": 429, "retry_after": "7"}, [1.0, 7.0]),
        ("GET", r"/issues$", {"kind": "drop"}, [0.5, 1.0]),
    ],
)
def test_faults_are_retried_with_the_waits_the_server_asks_for(github: FakeGitHub, method: str, path: str, fault: dict, waits: list[float]) -> None:
    """Retry-After when given, else the backoff (0.5 s, doubling); and between two writes (the
    label, then the issue) the second GitHub asks for, less the time already waited."""
    github.inject(method=method, path=path, **fault)
    outcome, waited = deliver(github)
    assert outcome.action == "created"
    assert len(open_reports(github)) == 1
    faulted = [r for r in github.records if r.fault]
    assert len(faulted) == fault.get("times", 1) and all(r.method == method for r in faulted)
    assert waited == waits


def test_writes_are_spaced_as_github_asks(github: FakeGitHub) -> None:
    github.add_issue(REPO, "Overdue postmortem action items", body=f"old\n{MARKER}", labels=("overdue-report",))
    github.add_issue(REPO, "Overdue postmortem action items", body=f"older\n{MARKER}", labels=("overdue-report",))
    github.add_issue(REPO, "Overdue postmortem action items", body=f"oldest\n{MARKER}", labels=("overdue-report",))
    outcome, waited = deliver(github)
    assert (outcome.action, outcome.duplicates_closed) == ("updated", 2)
    assert waited == [1.0, 1.0]  # three edits, a second apart; reads are not paced
    _, unpaced = deliver(github, body="# Overdue\n\nsomething else", seconds_between_writes=0)
    assert unpaced == []


def test_listing_the_report_issues_reads_no_issue_twice(github: FakeGitHub) -> None:
    """Pull requests are told apart by what the listing carries: one GET for the listing, none per issue."""
    for n in range(3):
        github.add_issue(REPO, "Overdue postmortem action items", body=f"report {n}\n{MARKER}", labels=("overdue-report",))
    github.add_issue(REPO, "Overdue postmortem action items", body=f"a pull request\n{MARKER}", labels=("overdue-report",), pull=True)
    github.reset_counts()
    outcome, _ = deliver(github)
    assert (outcome.action, outcome.number, outcome.duplicates_closed) == ("updated", 1, 2)
    assert github.count(method="GET", path=r"/issues/\d+$") == 0
    assert github.count(method="GET") == 2  # the repository and one page of issues


@pytest.mark.parametrize(("method", "path"), [("GET", r"/issues$"), ("POST", r"/repos/acme/ops/issues$")])
def test_a_408_is_retried_as_sync_retries_it(github: FakeGitHub, method: str, path: str) -> None:
    """408: the server gave up waiting for the request; the report retries it as sync does
    (a create only after looking for the issue it may have made)."""
    github.inject("status", method=method, path=path, status=408)
    outcome, waited = deliver(github, seconds_between_writes=0)
    assert outcome.action == "created" and len(github.issues(REPO)) == 1
    assert waited == [0.5]


def test_slack_408_is_retried(slack: FakeSlack) -> None:
    slack.inject("status", method="POST", status=408)
    fake = FakeClock()
    slack_webhook.post_slack(slack.webhook_url, {"text": "hello"}, slack_settings(), fake.clock)
    assert slack.posted() == [{"text": "hello"}] and fake.waits == [0.5]


def test_a_long_retry_after_gives_up_at_once(github: FakeGitHub) -> None:
    github.inject("status", method="GET", path=r"/issues$", status=429, retry_after="3600")
    with pytest.raises(TrackerError, match=r"GitHub answered HTTP 429 for acme/ops"):
        deliver(github)
    assert github.count(method="GET", path=r"/issues$") == 1


@pytest.mark.parametrize("fault", [{"kind": "status", "status": 500, "after": True}, {"kind": "drop", "after": True}, {"kind": "status", "status": 502, "after": True, "times": 2}])
def test_a_create_that_happened_without_a_reply_is_not_repeated(github: FakeGitHub, fault: dict) -> None:
    """The issue was created but the reply was lost: look it up, never create a second one."""
    github.inject(method="POST", path=r"/repos/acme/ops/issues$", **fault)
    outcome, _ = deliver(github)
    assert outcome.action == "created" and outcome.number == 1
    assert len(github.issues(REPO)) == 1
    assert github.count(method="POST", path=r"/issues$") == 1


def test_an_edit_retried_after_a_5xx_is_harmless(repo_dir: Path, github: FakeGitHub) -> None:
    assert post_issue(repo_dir, github).code == 0
    github.inject("status", method="PATCH", path=r"/issues/\d+$", status=500, after=True)
    result = post_issue(repo_dir, github, today="2026-06-22")
    assert result.code == 0, result.err
    [issue] = open_reports(github)
    assert "98 days overdue" in issue.body
    assert github.count(method="PATCH") == 2


def test_persistent_failure_is_a_clear_error(repo_dir: Path, github: FakeGitHub) -> None:
    github.inject("status", method="GET", path=r"/issues$", status=503, times=20)
    result = post_issue(repo_dir, github)
    assert result.code == 1
    assert "GitHub answered HTTP 503 for acme/ops (fault injected: HTTP 503), still after 3 retries" in result.err
    assert_no_traceback(result)


def test_bad_token_is_refused_without_showing_it(repo_dir: Path, github: FakeGitHub) -> None:
    result = post_issue(repo_dir, github, token="ghp_secretvalue123")
    assert result.code == 1
    assert "GitHub refused GITHUB_TOKEN (401)" in result.err
    assert "ghp_secretvalue123" not in result.err + result.out
    assert_no_traceback(result)


def test_unknown_repository(repo_dir: Path, github: FakeGitHub) -> None:
    config = repo_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("repository: acme/ops", "repository: acme/nope"))
    result = post_issue(repo_dir, github)
    assert result.code == 1
    assert "repository acme/nope not found" in result.err


def test_repository_from_the_environment(repo_dir: Path, github: FakeGitHub) -> None:
    config = repo_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("        repository: acme/ops\n", ""))
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": github.api, "GITHUB_REPOSITORY": "acme/web"}
    result = run_cli("report", "overdue", "--post", "github-issue", "--today", TODAY, cwd=repo_dir, env=env)
    assert result.code == 0, result.err
    assert len(github.issues("acme/web")) == 1


def test_github_enterprise_server_prefix(repo_dir: Path) -> None:
    with FakeGitHub(prefix="/api/v3") as ghes:
        result = post_issue(repo_dir, ghes)
        assert result.code == 0, result.err
        assert len(ghes.issues(REPO)) == 1


# --- Slack ---------------------------------------------------------------------------------


def post_slack(repo_dir: Path, url: str, kind: str = "overdue"):
    return run_cli("report", kind, "--post", "slack", "--today", TODAY, cwd=repo_dir, env={"SLACK_WEBHOOK_URL": url})


def test_slack_message_is_posted_once(repo_dir: Path, slack: FakeSlack) -> None:
    result = post_slack(repo_dir, slack.webhook_url)
    assert result.code == 0, result.err
    assert result.out == "posted the overdue report to Slack (2 overdue)\n"
    [message] = slack.posted()
    assert message["text"].startswith("Overdue postmortem action items: 2 overdue")
    assert message["blocks"][0]["type"] == "header"
    assert slack.count(method="POST") == 1


def test_slack_completion_report(repo_dir: Path, slack: FakeSlack) -> None:
    assert post_slack(repo_dir, slack.webhook_url, "completion").code == 0
    [message] = slack.posted()
    assert message["text"].startswith("Postmortem action item completion: 29% of 7 incident action items done")


def slack_settings(**settings) -> ReportSettings:
    return ReportSettings(**settings)


@pytest.mark.parametrize(
    ("fault", "waits"),
    [
        ({"kind": "status", "status": 429, "retry_after": "1"}, [1.0]),
        ({"kind": "status", "status": 500}, [0.5]),
        ({"kind": "status", "status": 503, "times": 2, "retry_after": "0"}, []),
        ({"kind": "status", "status": 502, "times": 3}, [0.5, 1.0, 2.0]),
    ],
)
def test_slack_faults_are_retried(slack: FakeSlack, fault: dict, waits: list[float]) -> None:
    slack.inject(method="POST", **fault)
    fake = FakeClock()
    slack_webhook.post_slack(slack.webhook_url, {"text": "hello"}, slack_settings(), fake.clock)
    assert slack.posted() == [{"text": "hello"}]
    assert slack.count(method="POST") == 1 + fault.get("times", 1)
    assert fake.waits == waits


def test_slack_refused_connection_is_retried_then_reported(tmp_path: Path) -> None:
    with FakeSlack() as gone:
        url = gone.webhook_url  # a port that no longer listens
    fake = FakeClock()
    with pytest.raises(TrackerError) as raised:
        slack_webhook.post_slack(url, {"text": "hello"}, slack_settings(retries=2), fake.clock)
    assert str(raised.value) == "Slack webhook: could not connect: connection refused (is the server up, and the port right?), still after 2 retries"
    assert fake.waits == [0.5, 1.0]


def test_slack_unanswered_post_is_not_resent(repo_dir: Path, slack: FakeSlack) -> None:
    """The message went out and no reply came: sending it again could post it twice."""
    slack.inject("drop", method="POST", after=True)
    result = post_slack(repo_dir, slack.webhook_url)
    assert result.code == 1
    assert "may not have been posted, and was not re-sent" in result.err
    assert len(slack.posted()) == 1 and slack.count(method="POST") == 1
    assert "hooksecret" not in result.err + result.out
    assert_no_traceback(result)


def test_slack_refusal_names_the_reason_not_the_url(repo_dir: Path, slack: FakeSlack) -> None:
    result = post_slack(repo_dir, slack.url + "/services/T0001/B0001/wrongsecret")
    assert result.code == 1
    assert "Slack webhook refused the message: HTTP 404 no_service" in result.err
    assert "wrongsecret" not in result.err + result.out


def test_slack_persistent_rate_limit_fails(repo_dir: Path, slack: FakeSlack) -> None:
    slack.inject("status", method="POST", status=429, retry_after="0", times=10)
    result = post_slack(repo_dir, slack.webhook_url)
    assert result.code == 1
    assert "HTTP 429 rate_limited, still after 3 retries" in result.err
    assert slack.count(method="POST") == 4  # the first try and 3 retries (the default)


# --- Secrets and bad answers: no secret printed, no internal error ----------------------------


def test_slack_reply_echoing_the_webhook_is_masked_and_cut_short(repo_dir: Path, slack: FakeSlack) -> None:
    """A relay that echoes the request: the webhook path is the secret, and Actions' masking of
    the whole URL does not cover it."""
    echo = b"invalid_payload for POST /services/T0001/B0001/hooksecret (hooksecret)\n::notice::x " + b"y" * 5000
    slack.inject("status", method="POST", status=400, body=echo)
    result = post_slack(repo_dir, slack.webhook_url)
    assert result.code == 1
    assert "Slack webhook refused the message: HTTP 400 invalid_payload for POST *** (***) ::notice::x yyy" in result.err
    assert "hooksecret" not in result.err + result.out and "T0001/B0001" not in result.err
    assert len(result.err) < 300  # the reply is quoted, not printed whole
    assert_no_traceback(result)


def test_a_token_echoed_into_the_issue_url_is_masked(repo_dir: Path) -> None:
    with FakeGitHub(html_base=f"https://github.example/{TOKEN}") as echoing:
        result = post_issue(repo_dir, echoing)
    assert result.code == 0, result.err
    assert TOKEN not in result.out + result.err
    assert result.out == f"{REPO}: opened issue #1: https://github.example/***/{REPO}/issues/1\n"


def test_an_issue_url_cannot_forge_a_log_line(repo_dir: Path) -> None:
    with FakeGitHub(html_base="https://github.example/x\n::warning::forged") as forging:
        result = post_issue(repo_dir, forging)
    assert result.code == 0, result.err
    assert result.out.count("\n") == 1 and "x\\n::warning::forged" in result.out


@pytest.mark.parametrize("where", ["env", "setting"])
def test_an_api_url_with_credentials_is_refused_without_showing_them(repo_dir: Path, github: FakeGitHub, where: str) -> None:
    url = github.api.replace("http://", "http://robot:pw-s3cret-99@")
    env = {"GITHUB_TOKEN": TOKEN}
    if where == "env":
        env["GITHUB_API_URL"] = url
    else:
        config = repo_dir / "mkdocs.yml"
        config.write_text(config.read_text().replace("repository: acme/ops\n", f"repository: acme/ops\n        api_url: {url}\n"))
    result = run_cli("report", "overdue", "--post", "github-issue", "--today", TODAY, cwd=repo_dir, env=env)
    assert result.code == 2
    name = "GITHUB_API_URL" if where == "env" else "plugins.followthrough.report.api_url"
    assert f"{name}: holds a user name or password ({github.api}); put credentials in the environment" in result.err
    assert "pw-s3cret-99" not in result.err + result.out
    assert github.count() == 0
    assert_no_traceback(result)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::1", "Invalid IPv6 URL"),
        ("http://127.0.0.1:99999", "Port out of range"),
        ("https://", "no host name"),
        ("ftp://files.example/api", "expected an https:// URL"),
        ("http://api.example.com", "expected an https:// URL"),
    ],
)
def test_an_unusable_api_url_is_a_configuration_error(repo_dir: Path, url: str, reason: str) -> None:
    result = run_cli("report", "overdue", "--post", "github-issue", "--today", TODAY, cwd=repo_dir, env={"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": url})
    assert result.code == 2, result.err
    assert result.err.startswith("followthrough: GITHUB_API_URL: ") and reason in result.err
    assert "internal error" not in result.err
    assert_no_traceback(result)


@pytest.mark.parametrize("url", ["http://[::1", "http://127.0.0.1:99999/services/T1/B1/hooksecret", "https:///services/T1/B1/hooksecret", "http://chat.example/services/T1/B1/hooksecret", "https://u:hooksecret@hooks.example/x"])
def test_an_unusable_webhook_url_is_a_configuration_error_that_does_not_show_it(repo_dir: Path, url: str) -> None:
    result = post_slack(repo_dir, url)
    assert result.code == 2, result.err
    assert result.err.startswith("followthrough: SLACK_WEBHOOK_URL: ")
    assert "hooksecret" not in result.err and "[::1" not in result.err and "99999" not in result.err
    assert_no_traceback(result)


@pytest.mark.parametrize(
    ("method", "path", "fault"),
    [
        ("GET", "", {"status": 200, "body": b"<html><body>Sign in to your proxy</body></html>", "times": 50}),
        ("GET", r"/issues$", {"status": 200, "body": b"<html><body>Sign in</body></html>"}),
        ("POST", r"/issues$", {"status": 200, "body": b"<html><body>Sign in</body></html>"}),
        ("GET", r"/repos/acme/ops$", {"status": 301, "body": b"", "headers": {"Location": "https://elsewhere.example/repos/acme/ops"}}),
        ("GET", r"/issues$", {"status": 502, "body": b"<html>" + b"Bad gateway " * 2000 + b"</html>", "times": 10}),
    ],
)
def test_an_answer_that_is_not_the_api_is_a_clear_error(repo_dir: Path, github: FakeGitHub, method: str, path: str, fault: dict) -> None:
    github.inject("status", method=method, path=path, **fault)
    result = post_issue(repo_dir, github)
    assert result.code == 1, result.err
    assert result.err.startswith(f"followthrough: {github.api}: ")
    assert "GitHub" in result.err and "internal error" not in result.err
    assert len(result.err) < 500
    assert_no_traceback(result)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ({"status": 200, "body": b"<html>Sign in to the proxy</html>"}, "Slack webhook answered HTTP 200 but not Slack's `ok`: <html>Sign in to the proxy</html>; the message may not have been posted"),
        ({"status": 302, "body": b"", "headers": {"Location": "/services/T0001/B0001/hooksecret"}}, "Slack webhook answered with a redirect (HTTP 302), which is not followed; check SLACK_WEBHOOK_URL"),
    ],
)
def test_a_slack_answer_that_is_not_ok_is_a_clear_error(repo_dir: Path, slack: FakeSlack, fault: dict, message: str) -> None:
    slack.inject("status", method="POST", **fault)
    result = post_slack(repo_dir, slack.webhook_url)
    assert result.code == 1, result.err
    assert result.err.startswith(f"followthrough: {message}") and result.err.count("\n") == 1
    assert slack.count(method="POST") == 1  # a redirect is not followed: the message would go where it points
    assert_no_traceback(result)


def test_a_secret_cut_by_the_end_of_what_was_read_is_not_shown_in_part(repo_dir: Path, slack: FakeSlack) -> None:
    """Only the start of a reply is read (4 KB): a secret running past it cannot be masked
    whole, so what might hold its start is left out too."""
    slack.inject("status", method="POST", status=400, body=b"invalid_payload" + b" " * (4096 - 20) + b"/services/T0001/B0001/hooksecret" + b" " * 100)
    result = post_slack(repo_dir, slack.webhook_url)
    assert result.code == 1
    assert result.err == "followthrough: Slack webhook refused the message: HTTP 400 invalid_payload\n"


def test_the_target_never_shows_its_token() -> None:
    target = post.github_target(ReportSettings(repository=REPO), {"GITHUB_TOKEN": TOKEN})
    assert TOKEN not in repr(target) + str(target) and target.token.reveal() == TOKEN
