"""The weekly review at the edges of its inputs: the calendar's first week, hostile text in every
format it prints, through the real CLI on tests/data/review."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from followthrough.core.report import review

from .conftest import DATA, assert_no_traceback, run_cli


def test_the_default_period_stops_at_the_first_day_of_the_calendar() -> None:
    assert review.default_since(date(2026, 6, 15)) == date(2026, 6, 8)
    assert review.default_since(date(1, 1, 3)) == date(1, 1, 1)
    assert review.default_since(date(1, 1, 1)) == date(1, 1, 1)
    result = run_cli("report", "review", "--today", "0001-01-03", cwd=DATA / "review")
    assert result.code == 0, result.err
    assert result.out.startswith("Weekly review as of 0001-01-03, changes since 0001-01-01\n")
    assert_no_traceback(result)


def hostile_copy(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(DATA / "review", target)
    people = target / "postmortems/people.yml"
    text = people.read_text()
    text = text.replace("payments: {name: Payments,", 'payments: {name: "Pay\\e[2J\\rments\\u202e",')
    text = text.replace("e.berg: {name: Emil Berg,", 'e.berg: {name: "Emil\\e]0;owned\\a Berg",')
    text = text.replace("d.ito: {name: Daichi Ito,", 'd.ito: {name: "Dai\\e[1mchi Ito",')
    people.write_text(text)
    return target


@pytest.mark.parametrize("report", ["review", "overdue", "reminders"])
def test_the_text_format_holds_no_control_character(tmp_path: Path, report: str) -> None:
    """A terminal or a job log reads an escape sequence (a colour, a window title, a clipboard
    write), a carriage return that hides the line, or a bidirectional override: the text format
    shows each escaped, as the log lines do."""
    repo = hostile_copy(tmp_path)
    result = run_cli("report", report, "--today", "2026-06-15", "--format", "text", cwd=repo)
    assert result.code == 0, result.err
    assert not re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202e]", result.out), result.out
    assert "Dai\\x1b[1mchi Ito" in result.out
    if report != "reminders":
        assert "Emil\\x1b]0;owned\\x07 Berg" in result.out
    if report == "review":
        assert "== Pay\\x1b[2J\\rments\\u202e (manager: Emil\\x1b]0;owned\\x07 Berg)" in result.out


def with_policy(tmp_path: Path, escalate_to: str) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(DATA / "review", target)
    config = target / "mkdocs.yml"
    levels = f"""      severities:
        - {{name: SEV-0, escalate_after_days: 0, non_negotiable: true}}
        - {{name: SEV-1, escalate_after_days: 0, non_negotiable: true, escalate_to: {escalate_to}}}
        - {{name: SEV-2, escalate_after_days: 14}}
        - {{name: SEV-3}}
        - {{name: SEV-4}}
"""
    config.write_text(config.read_text().replace("      report:\n", levels + "      report:\n"))
    return target


UNKNOWN_CONTACT = "mkdocs.yml: plugins.followthrough.severities[1].escalate_to: 'z.nobody' is not a person of postmortems/people.yml; add them under 'people:' or escalate SEV-1 items to manager"


@pytest.mark.parametrize("report", ["overdue", "review", "reminders"])
def test_an_escalation_contact_the_directory_lacks_is_a_configuration_error(tmp_path: Path, report: str) -> None:
    """As a team's unknown manager is (FT604): the escalations would name someone nobody can reach."""
    result = run_cli("report", report, "--today", "2026-06-15", cwd=with_policy(tmp_path, "z.nobody"))
    assert result.code == 2
    assert result.err.strip() == f"followthrough: {UNKNOWN_CONTACT}"
    assert_no_traceback(result)


def test_an_escalation_contact_in_the_directory_is_named_and_mentioned(tmp_path: Path) -> None:
    result = run_cli("report", "overdue", "--today", "2026-06-15", "--format", "markdown", cwd=with_policy(tmp_path, "a.nguyen"))
    assert result.code == 0, result.err
    assert "**escalated to @anguyen (An Nguyen)**" in result.out


def test_lint_in_the_pull_request_refuses_an_escalation_contact_the_directory_lacks(tmp_path: Path) -> None:
    """Every command reads the directory the same way: the pull request's lint stops on it, so it
    is not the publish build after the merge that finds it first."""
    result = run_cli("lint", "--today", "2026-06-15", cwd=with_policy(tmp_path, "z.nobody"))
    assert result.code == 2
    assert result.err.strip() == f"followthrough: {UNKNOWN_CONTACT}"
    assert_no_traceback(result)


def test_the_site_refuses_an_escalation_contact_the_directory_lacks(tmp_path: Path) -> None:
    from .site_builds import build_site

    built = build_site(with_policy(tmp_path, "z.nobody"), today="2026-06-15")
    assert built.returncode != 0
    assert UNKNOWN_CONTACT in built.stderr


def test_a_redirect_from_the_slack_api_is_not_followed_with_the_token() -> None:
    """urllib, under slack_sdk, follows a 302 with the Authorization header on: the bot token went
    to wherever the redirect pointed, and that server's {"ok": true} passed for a post."""
    from followthrough.core.report.settings import ReportSettings
    from followthrough.core.sync.config import Secret
    from followthrough.trackers import slack_api

    from .fakes.slack_server import BOT_TOKEN, FakeSlack

    with FakeSlack(channels={"C0PAYMENTS": True}) as elsewhere, FakeSlack(channels={"C0PAYMENTS": True}) as fake:
        fake.inject("status", "POST", r"chat\.postMessage", status=302, headers={"Location": elsewhere.api_url + "chat.postMessage"}, body=b"")
        target = slack_api.SlackTarget(fake.api_url, Secret(BOT_TOKEN))
        [outcome] = slack_api.post_to_channels(target, [slack_api.ChannelPost("payments", "C0PAYMENTS", {"text": "one"})], ReportSettings(retries=0))
        assert elsewhere.count() == 0
        assert fake.posts_to("C0PAYMENTS") == []
    assert outcome.error == "not posted: the API URL answered with a redirect (HTTP 302), which is not followed: the token would go wherever it points; check SLACK_API_URL"


def test_a_game_days_item_never_escalates(tmp_path: Path) -> None:
    """A drill's overdue item is listed apart, and its manager is not called on: only an
    incident's items escalate (the list at the top of the report already held none of them)."""
    repo = tmp_path / "repo"
    shutil.copytree(DATA / "review", repo)
    page = repo / "postmortems/2026/2026-05-20-db-latency.md"
    page.write_text(page.read_text().replace("severity: SEV-2\n", "severity: SEV-2\nkind: game-day\n", 1))
    result = run_cli("report", "overdue", "--today", "2026-06-15", "--format", "markdown", cwd=repo)
    assert result.code == 0, result.err
    drills = result.out.split("## Game-day items overdue", 1)[1]
    assert "Alert on connection pool saturation" in drills
    assert "escalated" not in drills
    data = json.loads(run_cli("report", "overdue", "--today", "2026-06-15", "--format", "json", cwd=repo).out)
    assert [i["escalated"] for i in data["game_days"]] == [False, False]
    assert all(i["postmortem"]["severity"] != "SEV-2" for i in data["escalated"])


def test_the_completion_report_gives_both_on_time_rates() -> None:
    """As the site does. Payments' SEV-1 items as of 2026-06-15: `alert` done 06-10, due 06-12, on
    time against both dates; `canary` overdue, late against both; `rollback` due 06-20 but first
    committed to 06-10: late against the original date only. So 1 of 2 on time, 1 of 3 originally."""
    json_out = run_cli("report", "completion", "--today", "2026-06-15", "--format", "json", cwd=DATA / "review")
    assert json_out.code == 0, json_out.err
    sev1 = json.loads(json_out.out)["by_severity"]["SEV-1"]
    assert (sev1["on_time"], sev1["late"], sev1["on_time_rate"]) == (1, 1, 0.5)
    assert (sev1["on_time_original"], sev1["late_original"], sev1["on_time_rate_original"]) == (1, 2, 1 / 3)
    text = run_cli("report", "completion", "--today", "2026-06-15", cwd=DATA / "review").out
    assert "  SEV-1   17% done (1/6),  50% on time (33% original), 1 overdue\n" in text
    markdown = run_cli("report", "completion", "--today", "2026-06-15", "--format", "markdown", cwd=DATA / "review").out
    assert "| on time | on time (original due) |" in markdown
    assert "| SEV-1 | 6 | 1 | 2 | 3 | 1 | 17% | 50% | 33% |" in markdown
    slack = json.loads(run_cli("report", "completion", "--today", "2026-06-15", "--format", "slack", cwd=DATA / "review").out)
    assert "20% on time (17% against the original due dates)" in slack["text"]


@pytest.mark.parametrize("after", [False, True])
def test_a_post_that_got_no_answer_is_not_sent_again(after: bool) -> None:
    """Through the client that follows no redirects: a dropped connection, before or after Slack
    took the message, is one request and a failure that says it may have been posted."""
    from followthrough.core.report.settings import ReportSettings
    from followthrough.core.sync.config import Secret
    from followthrough.trackers import slack_api

    from .fakes.slack_server import BOT_TOKEN, FakeSlack
    from .test_report_post import FakeClock

    with FakeSlack(channels={"C0PAYMENTS": True}) as fake:
        fake.inject("drop", "POST", r"chat\.postMessage", after=after)
        target = slack_api.SlackTarget(fake.api_url, Secret(BOT_TOKEN))
        [outcome] = slack_api.post_to_channels(target, [slack_api.ChannelPost("payments", "C0PAYMENTS", {"text": "one"})], ReportSettings(retries=3), FakeClock().clock)
        assert fake.count(method="POST", path=r"chat\.postMessage") == 1
    assert outcome.error is not None and "may have been posted, and was not re-sent" in outcome.error
