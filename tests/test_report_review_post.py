"""`report review --post github-issue` and `--post slack` through the real clients (PyGithub,
slack_sdk's WebClient) against the loopback fakes: one issue per team kept in place and closed
when its agenda is empty; one post per team channel, a failing channel not stopping the others,
a 429 waited out on a recording clock; no token in any message.

The fixture is tests/data/review (see test_report_review.py for what is on each agenda).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from followthrough.core.report.settings import ReportSettings
from followthrough.core.sync.config import Secret
from followthrough.trackers import slack_api

from .conftest import DATA, assert_no_traceback, run_cli
from .fakes.github_server import FakeGitHub
from .fakes.slack_server import BOT_TOKEN, FakeSlack
from .test_report_post import FakeClock

TODAY = "2026-06-15"
REPO = "acme/ops"
TOKEN = "gh-test-token"


@pytest.fixture
def review_dir(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(DATA / "review", target)
    return target


def post_review(repo_dir: Path, github: FakeGitHub, *extra: str, today: str = TODAY):
    return run_cli("report", "review", "--post", "github-issue", "--today", today, *extra, cwd=repo_dir, env={"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": github.api})


def empty_search_agenda(review_dir: Path) -> None:
    """Search's items done long ago in the tracker (and its Jira move before the period): nothing
    left on the Search team's agenda."""
    state_file = review_dir / ".followthrough/state.json"
    state = json.loads(state_file.read_text())
    for key in ("2026-04-07-search-slow/index", "2026-04-07-search-slow/capacity"):
        state["items"][key] = {"ticket": "SRCH-1", "url": "", "status": "done", "tracker_status": "Done", "done_on": "2026-05-01", "assignee": None, "due": None, "checked": "2026-06-14"}
    state_file.write_text(json.dumps(state))


def review_issues(github: FakeGitHub, state: str = "open") -> dict[str, object]:
    """Open review issues by title."""
    return {i.title: i for i in github.issues(REPO) if i.state == state and "review-agenda" in i.labels}


# --- one GitHub issue per team ---------------------------------------------------------------------


def test_one_issue_per_team_updated_in_place_then_closed_when_empty(review_dir: Path, github: FakeGitHub) -> None:
    first = post_review(review_dir, github)
    assert first.code == 0, first.err
    issues = review_issues(github)
    assert sorted(issues) == ["Weekly review: (no team)", "Weekly review: Payments", "Weekly review: Platform", "Weekly review: Search"]
    payments = issues["Weekly review: Payments"]
    assert "<!-- followthrough:review:payments -->" in payments.body
    assert "Manager: @eberg (Emil Berg)." in payments.body
    assert "**escalated to @eberg (Emil Berg)**" in payments.body
    assert "## Closed as won't do without a decision (1)" in payments.body
    assert "<!-- followthrough:review:%28no%20team%29 -->" in issues["Weekly review: (no team)"].body
    assert f"{REPO}: team payments: opened issue #{payments.number}" in first.out
    assert github.count(method="POST", path=r"/issues$") == 4

    # The same day again: nothing written.
    github.reset_counts()
    again = post_review(review_dir, github)
    assert again.code == 0, again.err
    assert again.out.count("already up to date; nothing written") == 4
    assert github.counts()["write"] == 0

    # Two days later: the same four issues, edited in place.
    github.reset_counts()
    later = post_review(review_dir, github, today="2026-06-17")
    assert later.code == 0, later.err
    same = review_issues(github)
    assert {t: i.number for t, i in same.items()} == {t: i.number for t, i in issues.items()}
    assert "16 days overdue (due 2026-06-01)" in same["Weekly review: Payments"].body
    assert github.count(method="POST", path=r"/issues$") == 0 and github.count(method="PATCH") == 4

    # Search's agenda empties (its items done long ago, the Jira move before the period): closed.
    empty_search_agenda(review_dir)
    closed = post_review(review_dir, github, "--team", "search")
    assert closed.code == 0, closed.err
    number = issues["Weekly review: Search"].number
    assert f"nothing on the agenda of Search: closed issue #{number}" in closed.out
    assert "Weekly review: Search" not in review_issues(github)
    gone = github.repo(REPO).issues[number]
    assert (gone.state, gone.state_reason) == ("closed", "completed")
    assert "Nothing on the agenda of Search as of 2026-06-15" in gone.body
    assert len(review_issues(github)) == 3  # the other teams' issues are left as they were

    # It fills again: a new issue, not the closed one reopened.
    shutil.copy(DATA / "review/.followthrough/state.json", review_dir / ".followthrough/state.json")
    refilled = post_review(review_dir, github, "--team", "search")
    assert refilled.code == 0, refilled.err
    assert review_issues(github)["Weekly review: Search"].number != number


def test_the_review_issues_and_the_overdue_issue_live_side_by_side(review_dir: Path, github: FakeGitHub) -> None:
    env = {"GITHUB_TOKEN": TOKEN, "GITHUB_API_URL": github.api}
    assert run_cli("report", "overdue", "--post", "github-issue", "--today", TODAY, cwd=review_dir, env=env).code == 0
    assert post_review(review_dir, github).code == 0
    overdue = [i for i in github.issues(REPO) if "overdue-report" in i.labels]
    assert len(overdue) == 1 and len(review_issues(github)) == 4
    # Neither run takes the other's issues for its own.
    github.reset_counts()
    assert run_cli("report", "overdue", "--post", "github-issue", "--today", TODAY, cwd=review_dir, env=env).code == 0
    assert post_review(review_dir, github).code == 0
    assert github.counts()["write"] == 0
    assert "## Escalated: 2 items" in overdue[0].body
    assert "## Closed as won't do without a decision" in overdue[0].body


def test_an_issue_someone_else_labelled_is_left_alone(review_dir: Path, github: FakeGitHub) -> None:
    github.add_issue(REPO, "Weekly review: Payments", body="our own notes", labels=("review-agenda",))
    assert post_review(review_dir, github, "--team", "payments").code == 0
    titles = [i.title for i in github.issues(REPO) if i.state == "open"]
    assert titles.count("Weekly review: Payments") == 2
    assert [i.body for i in github.issues(REPO)][0] == "our own notes"


def test_github_refusing_is_exit_1_without_the_token(review_dir: Path, github: FakeGitHub) -> None:
    result = post_review(review_dir, github, "--team", "payments")
    assert result.code == 0
    bad = run_cli("report", "review", "--post", "github-issue", "--today", TODAY, cwd=review_dir, env={"GITHUB_TOKEN": "wrong-token-1234", "GITHUB_API_URL": github.api})
    assert bad.code == 1
    assert "GitHub refused GITHUB_TOKEN (401)" in bad.err
    assert "wrong-token-1234" not in bad.out + bad.err
    assert_no_traceback(bad)


# --- each team's Slack channel ---------------------------------------------------------------------


def post_slack(repo_dir: Path, fake: FakeSlack, *extra: str, token: str = BOT_TOKEN):
    env = {"SLACK_BOT_TOKEN": token, "SLACK_API_URL": fake.api_url}
    return run_cli("report", "review", "--post", "slack", "--today", TODAY, *extra, cwd=repo_dir, env=env)


def test_one_post_per_team_channel_and_teams_without_one_are_skipped(review_dir: Path) -> None:
    with FakeSlack(channels={"C0PAYMENTS": True, "C0PLATFORM": True}) as fake:
        result = post_slack(review_dir, fake)
        assert result.code == 0, result.err
        [payments] = fake.posts_to("C0PAYMENTS")
        [platform] = fake.posts_to("C0PLATFORM")
    assert payments["blocks"][0]["text"]["text"] == "Weekly review: Payments"
    assert "Manager: <@U0EEEEEEE> (Emil Berg)" in json.dumps(payments)
    assert payments["unfurl_links"] is False
    assert "escalated to <@U0AAAAAAA> (An Nguyen)" in json.dumps(platform)
    assert "team payments (channel C0PAYMENTS): posted the review" in result.out
    assert "team search: skipped, no slack_channel for it in the people directory" in result.out
    assert "team (no team): skipped" in result.out


@pytest.mark.parametrize(
    ("channels", "error", "hint"),
    [
        ({"C0PAYMENTS": True, "C0PLATFORM": False}, "not_in_channel", "invite it"),
        ({"C0PAYMENTS": True}, "channel_not_found", "check teams.<team>.slack_channel"),
    ],
)
def test_one_channel_failing_does_not_stop_the_others(review_dir: Path, channels: dict, error: str, hint: str) -> None:
    with FakeSlack(channels=channels) as fake:
        result = post_slack(review_dir, fake)
        assert len(fake.posts_to("C0PAYMENTS")) == 1
        assert fake.posts_to("C0PLATFORM") == []
    assert result.code == 1
    assert "team payments (channel C0PAYMENTS): posted the review" in result.out
    assert "Slack: the review of 1 of 2 team(s) was not posted (1 posted):" in result.err
    assert f"team platform (channel C0PLATFORM): Slack refused the message ({error}): " in result.err
    assert hint in result.err
    assert_no_traceback(result)


def test_a_refused_token_is_named_per_team_and_never_shown(review_dir: Path) -> None:
    token = "xoxb-not-the-right-one-5678"
    with FakeSlack(channels={"C0PAYMENTS": True, "C0PLATFORM": True}) as fake:
        result = post_slack(review_dir, fake, token=token)
        assert fake.posts_to("C0PAYMENTS") == []
    assert result.code == 1
    assert "team payments (channel C0PAYMENTS): Slack refused the message (invalid_auth): Slack refused SLACK_BOT_TOKEN; check the token" in result.err
    assert "team platform (channel C0PLATFORM)" in result.err
    assert token not in result.out + result.err
    assert_no_traceback(result)


def test_no_bot_token_is_a_configuration_error(review_dir: Path) -> None:
    result = run_cli("report", "review", "--post", "slack", "--today", TODAY, cwd=review_dir)
    assert result.code == 2
    assert "SLACK_BOT_TOKEN is not set" in result.err


def test_a_429_is_waited_out_on_the_injected_clock() -> None:
    """In this process: the real WebClient, the fake's 429 with Retry-After, a clock that only records."""
    clock = FakeClock()
    with FakeSlack(channels={"C0PAYMENTS": True, "C0PLATFORM": True}) as fake:
        fake.rate_limit(retry_after="7", times=2)
        target = slack_api.SlackTarget(fake.api_url, Secret(BOT_TOKEN))
        posts = [slack_api.ChannelPost("payments", "C0PAYMENTS", {"text": "one", "blocks": None}), slack_api.ChannelPost("platform", "C0PLATFORM", {"text": "two", "blocks": None})]
        outcomes = slack_api.post_to_channels(target, posts, ReportSettings(retries=3), clock.clock)
        assert [o.error for o in outcomes] == [None, None]
        assert [p["text"] for p in fake.posts_to("C0PAYMENTS")] == ["one"]  # posted once, after the waits
        assert fake.count(method="POST", path=r"chat\.postMessage") == 4
    assert clock.waits == [7.0, 7.0]


def test_a_retry_after_longer_than_max_wait_gives_up_on_that_channel_only() -> None:
    clock = FakeClock()
    with FakeSlack(channels={"C0PAYMENTS": True, "C0PLATFORM": True}) as fake:
        fake.rate_limit(retry_after="600")
        target = slack_api.SlackTarget(fake.api_url, Secret(BOT_TOKEN))
        posts = [slack_api.ChannelPost("payments", "C0PAYMENTS", {"text": "one"}), slack_api.ChannelPost("platform", "C0PLATFORM", {"text": "two"})]
        outcomes = slack_api.post_to_channels(target, posts, ReportSettings(max_wait=60), clock.clock)
        assert fake.posts_to("C0PLATFORM") != []
    assert outcomes[0].error == "Slack answered 429 (rate limited) and asked to wait 600 s, longer than report.max_wait; not posted"
    assert outcomes[1].error is None
    assert clock.waits == []


def test_a_dead_server_is_a_clear_error(review_dir: Path) -> None:
    with FakeSlack() as fake:
        url = fake.api_url
    result = run_cli("report", "review", "--post", "slack", "--today", TODAY, cwd=review_dir, env={"SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": url})
    assert result.code == 1
    assert "not posted: could not connect" in result.err
    assert BOT_TOKEN not in result.err
    assert_no_traceback(result)


def test_a_reply_echoing_the_token_is_masked() -> None:
    clock = FakeClock()
    with FakeSlack(channels={"C0PAYMENTS": True}) as fake:
        fake.inject("status", "POST", r"chat\.postMessage", status=500, times=5, body={"ok": False, "error": f"internal_error for {BOT_TOKEN}"})
        target = slack_api.SlackTarget(fake.api_url, Secret(BOT_TOKEN))
        [outcome] = slack_api.post_to_channels(target, [slack_api.ChannelPost("payments", "C0PAYMENTS", {"text": "one"})], ReportSettings(retries=1, backoff=2), clock.clock)
    assert outcome.error == "Slack refused the message: HTTP 500 (internal_error for ***), still after 1 retry"
    assert clock.waits == [2.0]


def test_the_bot_token_is_masked_in_everything_printed(review_dir: Path) -> None:
    """cli.main's filter knows SLACK_BOT_TOKEN: a token that lands in printed text is masked."""
    token = "xoxb-leaked-into-a-title-9876"
    config = review_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("      report:\n", f"      report:\n        issue_title: 'Overdue {token}'\n"))
    result = run_cli("report", "overdue", "--format", "markdown", "--today", TODAY, cwd=review_dir, env={"SLACK_BOT_TOKEN": token})
    assert result.code == 0, result.err
    assert result.out.startswith("# Overdue ***\n"), result.out[:80]
    assert token not in result.out + result.err


def test_a_review_title_without_the_team_is_a_configuration_error(review_dir: Path) -> None:
    config = review_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("      report:\n", "      report:\n        review_title: Weekly review\n"))
    result = run_cli("report", "review", "--today", TODAY, cwd=review_dir)
    assert result.code == 2
    assert "plugins.followthrough.report.review_title: must hold {team}, the team's name" in result.err


def test_reminders_posted_to_the_webhook(review_dir: Path, slack: FakeSlack) -> None:
    result = run_cli("report", "reminders", "--post", "slack", "--today", TODAY, cwd=review_dir, env={"SLACK_WEBHOOK_URL": slack.webhook_url})
    assert result.code == 0, result.err
    assert result.out == "posted the reminders to Slack (2 due soon)\n"
    [message] = slack.posted()
    assert "Warm the cache before traffic shifts" in json.dumps(message)
    assert message["blocks"][0]["text"]["text"] == "Action items due soon"


def test_an_answer_that_is_not_the_web_api_says_so() -> None:
    with FakeSlack(channels={"C0PAYMENTS": True}) as fake:
        fake.inject("status", "POST", r"chat\.postMessage", status=200, body=b"<html><body>Sign in to the proxy</body></html>", headers={"Content-Type": "text/html"})
        target = slack_api.SlackTarget(fake.api_url, Secret(BOT_TOKEN))
        [outcome] = slack_api.post_to_channels(target, [slack_api.ChannelPost("payments", "C0PAYMENTS", {"text": "one"})], ReportSettings(), FakeClock().clock)
    assert outcome.error == "not posted: the answer was not Slack's Web API (a proxy or a login page?); check SLACK_API_URL"


def test_two_review_issues_of_one_team_are_made_one(review_dir: Path, github: FakeGitHub) -> None:
    """Two runs that raced left two open issues with the team's marker: the oldest is kept."""
    mark = "<!-- followthrough:review:payments -->"
    first = github.add_issue(REPO, "Weekly review: Payments", body=f"old\n\n{mark}\n", labels=("review-agenda",), user="sync-bot")
    second = github.add_issue(REPO, "Weekly review: Payments", body=f"older run\n\n{mark}\n", labels=("review-agenda",), user="sync-bot")
    result = post_review(review_dir, github, "--team", "payments")
    assert result.code == 0, result.err
    assert f"updated issue #{first.number} in place (closed 1 issue that duplicated it)" in result.out
    kept, dropped = github.repo(REPO).issues[first.number], github.repo(REPO).issues[second.number]
    assert kept.state == "open" and "Weekly review: Payments" in kept.body
    assert (dropped.state, dropped.state_reason) == ("closed", "not_planned")
    assert f"A duplicate of #{first.number}" in dropped.body
