"""`followthrough report review`: each team's weekly review agenda, printed, kept as one GitHub
issue per team, or posted to each team's own Slack channel.

Called by `cli.report` once the workspace is loaded; errors are raised for `cli.main` to turn
into exit codes (a usage error 2; a delivery that failed for any team 1, after the others went).
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Sequence, TextIO
from urllib.parse import quote, unquote

from followthrough.core import metrics
from followthrough.core.dates import date_problem, parse_day
from followthrough.core.errors import TrackerError, UsageError
from followthrough.core.logline import safe_line
from followthrough.core.report import review, review_render, slack
from followthrough.core.report.build import Links
from followthrough.core.report.settings import ReportSettings
from followthrough.files.repo import Repo
from followthrough.trackers import report_issue as issue
from followthrough.trackers import slack_api
from followthrough.trackers.retry import Clock

EXIT_OVERDUE = 1


def parse_since(value: str | None, today: date) -> date:
    if value is None:
        return review.default_since(today)
    try:
        since = parse_day(value.strip())
    except ValueError:
        raise UsageError(f"--since {value!r}: {date_problem(value)}") from None
    if since > today:
        raise UsageError(f"--since {since}: after today ({today}); the review looks back from today")
    return since


def chosen_teams(team: str | None, handles: list[str]) -> list[str]:
    if team is None:
        return handles
    if team not in handles:
        listed = ", ".join(handles) if handles else "none (the people directory lists no teams and no item has one)"
        raise UsageError(f"--team {team!r}: not a team; the teams are: {listed}")
    return [team]


MARKER_PREFIX = "<!-- followthrough:review:"


def marker(team: str) -> str:
    """The hidden comment that tells a team's review issue apart: the handle percent-encoded
    (letters keep their case). Two handles never share a marker, as `Search` and `search`, or
    `a b` and `a-b`, would if folded to a slug, each run then closing the other's issue and
    opening a new one; and no encoded handle holds a space or `>`, so none can end the comment."""
    return f"{MARKER_PREFIX}{quote(team, safe='')} -->"


def team_of_marker(mark: str) -> str:
    return unquote(mark[len(MARKER_PREFIX) : -len(" -->")])


def run_review(args: argparse.Namespace, out: TextIO, err: TextIO, repo: Repo, views: Sequence[metrics.ItemView], rs: ReportSettings, links: Links, clock: Clock) -> int:
    today = repo.today
    since = parse_since(args.since, today)
    teams = chosen_teams(args.team, review.team_handles(views, repo.directory))
    report = review.review_report(views, today, since, repo.config.settings, repo.directory, links, teams)
    if args.post == "github-issue":
        post_issues(report, rs, out, clock, every_team=args.team is None)
    elif args.post == "slack":
        post_slack(report, rs, out, clock)
    else:
        renderers = {
            "text": review_render.review_text,
            "markdown": review_render.review_markdown,
            "json": review_render.review_json,
            "slack": slack_messages,
        }
        out.write(renderers[args.format](report))
    pressing = any(a.escalated or a.overdue for a in report.teams)
    return EXIT_OVERDUE if (args.fail_on_overdue and pressing) else 0


def slack_messages(report: review.ReviewReport) -> str:
    import json

    data = [{"team": a.team, "channel": a.slack_channel, "message": slack.review_message(a, report)} for a in report.teams]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _footer(report: review.ReviewReport) -> str:
    return (
        f"_Written by `followthrough report review --post github-issue` as of {report.today}. "
        "The next run replaces this text; comment below instead of editing it._"
    )


def issue_specs(report: review.ReviewReport, rs: ReportSettings) -> list[issue.IssueSpec]:
    specs = []
    for agenda in report.teams:
        title = rs.review_title.replace("{team}", " ".join(agenda.name.split()))
        mark = marker(agenda.team)
        body = None if agenda.is_empty else issue.issue_body(review_render.team_markdown(agenda, report), _footer(report), mark)
        closing = issue.issue_body(
            f"Nothing on the agenda of {review_render.md(agenda.name)} as of {report.today}. "
            "This issue reopens as a new one when something comes up.",
            _footer(report),
            mark,
        )
        specs.append(issue.IssueSpec(title, rs.review_label, body, closing, mark, empty=f"nothing on the agenda of {agenda.name}", label_description="A team's weekly review agenda, kept up to date by followthrough"))
    return specs


def retired_teams(report: review.ReviewReport, rs: ReportSettings) -> issue.Retire:
    """The review issues of teams this run has no agenda for (removed from the people directory,
    renamed, or no item names them any more): closed rather than left open forever."""

    def closing(mark: str) -> str:
        team = team_of_marker(mark)
        return issue.issue_body(
            f"Team {review_render.md(team)} has no weekly review any more as of {report.today}: it is not in the "
            "people directory and no action item names it (renamed or removed?). Its agenda, if any, is in its new team's issue.",
            _footer(report),
            mark,
        )

    return issue.Retire(rs.review_label, MARKER_PREFIX, closing, lambda mark: f"team {team_of_marker(mark)!r} is not a team any more")


def post_issues(report: review.ReviewReport, rs: ReportSettings, out: TextIO, clock: Clock, every_team: bool = True) -> None:
    """`every_team`: the run holds every team's agenda (no --team), so an open review issue of any
    other team is one whose team is gone, and is closed."""
    target = issue.github_target(rs)
    retire = retired_teams(report, rs) if every_team else None
    outcomes = issue.post_issues(target, rs, issue_specs(report, rs), clock, retire)
    for agenda, outcome in zip(report.teams, outcomes):
        out.write(f"{safe_line(target.repository)}: team {safe_line(agenda.team)}: {safe_line(outcome.describe())}\n")
    for outcome in outcomes[len(report.teams) :]:
        out.write(f"{safe_line(target.repository)}: {safe_line(outcome.describe())}\n")
    if not report.teams:
        out.write("no teams: the people directory lists none and no item has one; nothing written\n")


def post_slack(report: review.ReviewReport, rs: ReportSettings, out: TextIO, clock: Clock) -> None:
    target = slack_api.slack_target(rs)
    posts = [slack_api.ChannelPost(a.team, a.slack_channel, slack.review_message(a, report)) for a in report.teams if a.slack_channel]
    for agenda in report.teams:
        if not agenda.slack_channel:
            out.write(slack_api.describe_skipped(agenda.team) + "\n")
    outcomes = slack_api.post_to_channels(target, posts, rs, clock) if posts else []
    for outcome in outcomes:
        if outcome.error is None:
            out.write(outcome.describe() + "\n")
    failed = [o for o in outcomes if o.error is not None]
    if failed:
        posted = len(outcomes) - len(failed)
        lines = [f"Slack: the review of {len(failed)} of {len(outcomes)} team(s) was not posted ({posted} posted):"]
        lines += ["  " + o.describe() for o in failed]
        raise TrackerError("\n".join(lines))
