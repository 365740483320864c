"""`followthrough report overdue|completion|reminders|review`: the follow-through figures, printed or posted.

The weekly review (`report review`) lives in `cli.report_review`.

Exit codes:
  0  the report was printed or delivered (whether or not anything is overdue)
  1  --fail-on-overdue and at least one incident action item is overdue; or a postmortem
     has lint errors; or GitHub or Slack refused or did not answer (the message says which)
  2  usage or configuration error (bad option, missing GITHUB_TOKEN / SLACK_WEBHOOK_URL, bad setting)
  3  a bug, reported as one by `cli.main`, which maps every error to its code

Every line written passes through the filter `cli.main` sets up: the token, the webhook URL
(and its path, which alone is the secret) and any password in a URL are masked.
"""

from __future__ import annotations

import argparse
from typing import TextIO

from followthrough.core.errors import UsageError
from followthrough.config.load import report_of, site_of
from followthrough.files.repo import Repo
from followthrough.core import metrics
from followthrough.core.report import build, render, slack
from followthrough.trackers import report_issue as issue
from followthrough.trackers import slack_webhook
from followthrough.trackers.retry import SYSTEM_CLOCK, Clock
from followthrough.core.report.settings import ReportSettings
from followthrough.cli.common import add_config_options, workspace_from
from followthrough.cli import report_review as review_cli
from followthrough.workspace import Workspace

KINDS = ("overdue", "completion", "reminders", "review")
FORMATS = ("text", "markdown", "json", "slack")
POSTS = ("github-issue", "slack")
EXIT_OVERDUE = 1


def add_parser(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "report",
        help="overdue items, completion rates, reminders or the weekly review per team, printed or posted",
        description="Print a report as of today, or post it to GitHub issues or Slack. overdue: items past due, escalated first; "
        "completion: completion and on-time rates; reminders: open items due within their severity's reminder window (a daily post); "
        "review: the weekly review agenda of each team. The figures are the site's. Exit 0 when printed or posted, "
        "1 with --fail-on-overdue when anything is overdue or when delivery failed, 2 on usage or configuration errors.",
    )
    p.add_argument("kind", choices=KINDS, help="overdue, completion, reminders or review")
    p.add_argument("--format", choices=FORMATS, default="text", help="text (default), markdown, json, or slack (the Block Kit message as JSON)")
    p.add_argument(
        "--post", choices=POSTS, default=None,
        help="github-issue: keep the report's issue (review: one per team) up to date ($GITHUB_TOKEN); "
        "slack: send to $SLACK_WEBHOOK_URL (review: each team's channel, with $SLACK_BOT_TOKEN)",
    )  # fmt: skip
    p.add_argument("--team", default=None, help="review: only this team's agenda (a team handle of the people directory, or '(no team)')")
    p.add_argument("--since", default=None, metavar="YYYY-MM-DD", help="review: what changed since this day (default: 7 days before today)")
    p.add_argument("--fail-on-overdue", action="store_true", help="exit 1 when any incident action item is overdue (for a red check)")
    add_config_options(p)
    p.set_defaults(run=run)


def _load(args: argparse.Namespace) -> tuple[Workspace, ReportSettings]:
    # The site refuses to build on lint errors too; a report must not show other figures than the site.
    workspace = workspace_from(args, refuse_errors="no report made")
    return workspace, report_of(workspace.config)


def _links(repo: Repo) -> build.Links:
    return build.site_links(repo.config.site_url, repo.config.settings, repo.config.use_directory_urls)


def _due_soon_days(repo: Repo) -> int:
    # The site's setting, so "due soon" means the same in the report as on the site.
    return site_of(repo.config).due_soon_days


def run(args: argparse.Namespace, out: TextIO, err: TextIO, clock: Clock = SYSTEM_CLOCK) -> int:
    if args.kind in ("completion", "reminders") and args.post == "github-issue":
        raise UsageError(f"--post github-issue keeps the overdue issue or the teams' review issues; post the {args.kind} report with --post slack or print it")
    if args.kind != "review" and (args.team is not None or args.since is not None):
        raise UsageError("--team and --since are options of `report review`")
    workspace, rs = _load(args)
    repo, states = workspace.repo, workspace.states
    postmortems = list(repo.valid_postmortems())
    settings = repo.config.settings
    links = _links(repo)
    views = metrics.item_views(postmortems, states, repo.today, repo.directory)

    if args.kind == "review":
        return review_cli.run_review(args, out, err, repo, views, rs, links, clock)
    if args.kind == "reminders":
        rreport = build.reminders_report(views, repo.today, settings, repo.directory, links)
        if args.post == "slack":
            url = slack_webhook.slack_url()
            slack_webhook.post_slack(url, slack.reminders_message(rreport), rs, clock)
            out.write(f"posted the reminders to Slack ({len(rreport.items)} due soon)\n")
        else:
            renderers = {"text": render.reminders_text, "markdown": render.reminders_markdown, "json": render.reminders_json, "slack": lambda r: _json(slack.reminders_message(r))}
            out.write(renderers[args.format](rreport))
        return 0

    if args.kind == "completion":
        creport = build.completion_report(views, repo.today, settings, links)
        if args.post == "slack":
            url = slack_webhook.slack_url()
            slack_webhook.post_slack(url, slack.completion_message(creport), rs, clock)
            out.write("posted the completion report to Slack\n")
        else:
            out.write({"text": render.completion_text, "markdown": render.completion_markdown, "json": render.completion_json}.get(args.format, _slack_completion)(creport))
        return EXIT_OVERDUE if (args.fail_on_overdue and creport.overall.overdue) else 0

    report = build.overdue_report(views, repo.today, settings, repo.directory, links, _due_soon_days(repo))
    if args.post == "github-issue":
        target = issue.github_target(rs)
        body = None
        if report.overdue_count:
            body = issue.issue_body(render.overdue_markdown(report, rs.issue_title), _footer(report))
        closing = issue.issue_body(f"Nothing is overdue as of {report.today}. This issue reopens as a new one when an item falls overdue.", _footer(report))
        outcome = issue.post_github_issue(target, rs, body, closing, clock)
        out.write(f"{target.repository}: {outcome.describe()}\n")
    elif args.post == "slack":
        url = slack_webhook.slack_url()
        slack_webhook.post_slack(url, slack.overdue_message(report, rs.issue_title), rs, clock)
        out.write(f"posted the overdue report to Slack ({report.overdue_count} overdue)\n")
    else:
        renderers = {"text": render.overdue_text, "markdown": lambda r: render.overdue_markdown(r, rs.issue_title), "json": render.overdue_json, "slack": _slack_overdue(rs)}
        out.write(renderers[args.format](report))
    if report.overdue_count and args.post is None and args.format == "text":
        err.write(f"{report.overdue_count} overdue action item(s)\n")
    return EXIT_OVERDUE if (args.fail_on_overdue and report.overdue_count) else 0


def _footer(report: build.OverdueReport) -> str:
    return f"_Written by `followthrough report overdue --post github-issue` as of {report.today}. The next run replaces this text; comment below instead of editing it._"


def _json(value: object) -> str:
    import json

    return json.dumps(value, indent=2, ensure_ascii=False) + "\n"


def _slack_overdue(rs: ReportSettings):
    return lambda r: _json(slack.overdue_message(r, rs.issue_title))


def _slack_completion(r: build.CompletionReport) -> str:
    return _json(slack.completion_message(r))
