"""`followthrough report`: the figures are the site's (metrics), the formats, the exit codes.

The fixture repo (tests/data/report) holds, as of 2026-06-15: a SEV-1 incident with an item
overdue by the tracker's word (front-matter open, state file in-progress), one the state
file says is done, one done in the front-matter and one due in 3 days; a SEV-3 with an
overdue item, a won't-do and one due in 5 days; a game day with an overdue item; a draft
with an overdue item (counted nowhere).
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from followthrough.core import metrics
from followthrough.workspace import load_workspace

from .conftest import assert_no_traceback, run_cli

TODAY = "2026-06-15"


def report_json(repo_dir: Path, kind: str = "overdue", today: str = TODAY) -> dict:
    result = run_cli("report", kind, "--format", "json", "--today", today, cwd=repo_dir)
    assert result.code == 0, result.err
    return json.loads(result.out)


def site_views(repo_dir: Path, today: str = TODAY):
    """The items as the site's code sees them: the same loader, state file and metrics."""
    day = date.fromisoformat(today)
    workspace = load_workspace(repo_dir / "mkdocs.yml", today=day, refuse_errors="no figures")
    views = metrics.item_views(workspace.repo.valid_postmortems(), workspace.states, day, workspace.repo.directory)
    return workspace.repo, views


# --- the figures are the site's --------------------------------------------------------------


@pytest.mark.parametrize("today", ["2026-03-01", "2026-03-17", TODAY, "2026-07-01", "2027-01-01"])
def test_overdue_figures_agree_with_metrics(repo_dir: Path, today: str) -> None:
    data = report_json(repo_dir, today=today)
    repo, views = site_views(repo_dir, today)
    settings = repo.config.settings
    incident = metrics.counted(views)
    expected = metrics.overdue_items(incident, settings)
    head = metrics.headline(list(repo.valid_postmortems()), views, date.fromisoformat(today), settings)

    reported = [item for owner in data["owners"] for item in owner["items"]]
    assert data["overdue_count"] == head.overdue_items == len(expected)
    assert sorted(i["key"] for i in reported) == sorted(v.key for v in expected)
    assert {i["key"]: i["days_overdue"] for i in reported} == {v.key: v.overdue_days for v in expected}
    assert [i["key"] for i in data["due_soon"]] == [v.key for v in metrics.due_soon_items(incident, metrics.DUE_SOON_DAYS, settings)]
    assert data["due_soon_count"] == head.due_soon_items
    drills = metrics.overdue_items(metrics.counted(views, kind="game-day"), settings)
    assert [i["key"] for i in data["game_days"]] == [v.key for v in drills]


@pytest.mark.parametrize("today", ["2026-03-17", TODAY, "2026-07-01"])
def test_overdue_figures_agree_with_the_published_site(repo_dir: Path, tmp_path: Path, today: str) -> None:
    """The site's own data export (action-items.json), written by `followthrough pages` for the same day."""
    out = tmp_path / "site-docs"
    pages = run_cli("pages", "--out", str(out), "--today", today, cwd=repo_dir)
    assert pages.code == 0, pages.err
    site = json.loads((out / "action-items.json").read_text())
    data = report_json(repo_dir, today=today)

    counted = [row for row in site["action_items"] if row["counted_in_figures"]]
    site_overdue = {f"{r['postmortem_id']}/{r['id']}": r["overdue_days"] for r in counted if r["overdue_days"] > 0 and r["kind"] == "incident"}
    reported = {i["key"]: i["days_overdue"] for o in data["owners"] for i in o["items"]}
    assert reported == site_overdue
    site_soon = {f"{r['postmortem_id']}/{r['id']}" for r in counted if r["due_soon"] and r["kind"] == "incident"}
    assert {i["key"] for i in data["due_soon"]} == site_soon
    drills = [r for r in site["action_items"] if r["kind"] == "game-day" and r["postmortem_status"] != "draft"]
    site_drills = {f"{r['postmortem_id']}/{r['id']}" for r in drills if r["overdue_days"] > 0}
    assert {i["key"] for i in data["game_days"]} == site_drills
    urls = {f"{r['postmortem_id']}/{r['id']}": r["postmortem_url"] for r in site["action_items"]}
    for item in [i for o in data["owners"] for i in o["items"]]:
        assert item["postmortem"]["url"] == urls[item["key"]]


def test_completion_figures_agree_with_metrics(repo_dir: Path) -> None:
    data = report_json(repo_dir, "completion")
    repo, views = site_views(repo_dir)
    day = date.fromisoformat(TODAY)
    overall = metrics.completion(metrics.counted(views), day)
    got = data["overall"]
    assert (got["total"], got["done"], got["wont_do"], got["overdue"], got["on_time"], got["late"]) == (
        overall.total, overall.done, overall.wont_do, overall.overdue, overall.on_time, overall.late,
    )  # fmt: skip
    assert got["completion_rate"] == overall.rate
    assert got["on_time_rate"] == overall.on_time_rate
    by_severity = metrics.completion_by_severity(metrics.counted(views), day, repo.config.settings)
    assert list(data["by_severity"]) == list(by_severity)
    assert {k: v["done"] for k, v in data["by_severity"].items()} == {k: v.done for k, v in by_severity.items()}
    assert data["game_days"]["total"] == metrics.completion(metrics.counted(views, kind="game-day"), day).total


def test_overdue_report_by_hand(repo_dir: Path) -> None:
    """The same fixture, counted by a person: the tracker's status wins, drafts and game days apart."""
    data = report_json(repo_dir)
    owners = [(o["owner"]["handle"], [i["id"] for i in o["items"]]) for o in data["owners"]]
    # SEV-1 first: canary is open by the tracker's word (in-progress), 91 days past 2026-03-16.
    # config-lint is open in the front-matter but done in the tracker: not overdue.
    assert owners == [("b.okafor", ["canary"]), ("a.nguyen", ["index"])]
    first = data["owners"][0]["items"][0]
    assert (first["days_overdue"], first["status"], first["due"]) == (91, "in-progress", "2026-03-16")
    assert first["ticket_url"] == "https://acme.atlassian.net/browse/PAY-1"
    assert first["postmortem"]["url"] == "https://postmortems.example.com/2026/2026-03-02-checkout-outage/"
    assert data["owners"][1]["items"][0]["days_overdue"] == 45
    assert [(i["id"], i["due_in_days"]) for i in data["due_soon"]] == [("runbook", 3), ("capacity", 5)]
    assert [i["id"] for i in data["game_days"]] == ["failover-doc"]
    assert data["url"] == "https://postmortems.example.com/overdue/"
    assert "item-1" not in json.dumps(data)  # the draft's item


def test_due_soon_window_is_the_sites_setting(repo_dir: Path) -> None:
    config = repo_dir / "mkdocs.yml"
    config.write_text(config.read_text() + "      site:\n        due_soon_days: 3\n")
    data = report_json(repo_dir)
    assert [i["id"] for i in data["due_soon"]] == ["runbook"]
    assert data["due_soon_days"] == 3


# --- formats -----------------------------------------------------------------------------------


def test_markdown_mentions_owners_and_escapes_titles(repo_dir: Path) -> None:
    result = run_cli("report", "overdue", "--format", "markdown", "--today", TODAY, cwd=repo_dir)
    assert result.code == 0
    md = result.out
    assert md.startswith("# Overdue postmortem action items\n")
    assert "**2 overdue action items** from 2 postmortems" in md
    assert "## @bokafor (Bola Okafor): 1 item overdue" in md
    assert md.index("@bokafor") < md.index("@anguyen")  # the SEV-1 item's owner first
    assert "<script>" not in md and "\\<script\\>" in md
    assert "@oncall" not in md and "@\u200boncall" in md  # a title mentions no one
    assert "[`PAY-1`](https://acme.atlassian.net/browse/PAY-1)" in md
    assert "## Due soon (within 7 days)" in md
    assert "Carla Díaz" in md  # no GitHub login: the name, no mention
    assert "## Game-day items overdue" in md


def test_text_format_and_overdue_count_on_stderr(repo_dir: Path) -> None:
    result = run_cli("report", "overdue", "--today", TODAY, cwd=repo_dir)
    assert result.code == 0
    assert result.out.splitlines()[0] == "Overdue action items as of 2026-06-15: 2 from 2 postmortems"
    assert "  SEV-1    91 days overdue (due 2026-03-16): Add a canary stage to the checkout deploy pipeline PAY-1 (2026-03-02-checkout-outage)" in result.out
    assert result.err == "2 overdue action item(s)\n"


def test_completion_markdown_and_text(repo_dir: Path) -> None:
    md = run_cli("report", "completion", "--format", "markdown", "--today", TODAY, cwd=repo_dir)
    assert md.code == 0
    # 7 incident items: alert + config-lint done, dashboards won't do, 4 open (2 overdue).
    assert "**29% done** (2 of 7 incident action items; 1 won't do)" in md.out
    assert "| SEV-1 | 4 | 2 | 0 | 2 | 1 | 50% |" in md.out
    text = run_cli("report", "completion", "--today", TODAY, cwd=repo_dir)
    assert "completion 29% (2/7), won't do 1" in text.out


def test_slack_format_is_block_kit_with_fallback(repo_dir: Path) -> None:
    result = run_cli("report", "overdue", "--format", "slack", "--today", TODAY, cwd=repo_dir)
    payload = json.loads(result.out)
    assert payload["text"].startswith("Overdue postmortem action items: 2 overdue action items from 2 postmortems")
    assert payload["blocks"][0] == {"type": "header", "text": {"type": "plain_text", "text": "Overdue postmortem action items", "emoji": False}}
    texts = "\n".join(b["text"]["text"] for b in payload["blocks"] if b["type"] == "section")
    assert "<@U0AAAAAAA> (An Nguyen)" in texts  # the Slack id from the people directory
    assert "&lt;script&gt;" in texts and "<script>" not in texts
    assert "<https://acme.atlassian.net/browse/PAY-1|PAY-1>" in texts


# --- exit codes ----------------------------------------------------------------------------------


def test_fail_on_overdue(repo_dir: Path) -> None:
    assert run_cli("report", "overdue", "--today", TODAY, "--fail-on-overdue", cwd=repo_dir).code == 1
    assert run_cli("report", "completion", "--today", TODAY, "--fail-on-overdue", cwd=repo_dir).code == 1
    # Before anything fell due: nothing overdue, so even the flag passes.
    calm = run_cli("report", "overdue", "--today", "2026-03-10", "--fail-on-overdue", cwd=repo_dir)
    assert calm.code == 0, calm.err
    assert calm.out.startswith("Overdue action items as of 2026-03-10: 0")


def test_today_from_the_environment(repo_dir: Path) -> None:
    result = run_cli("report", "overdue", "--format", "json", cwd=repo_dir, env={"FOLLOWTHROUGH_TODAY": "2026-03-10"})
    assert json.loads(result.out)["today"] == "2026-03-10"


@pytest.mark.parametrize(
    ("args", "env", "message"),
    [
        (["--today", "2026-13-01"], {}, "--today '2026-13-01': not a day of the calendar"),
        (["--post", "github-issue"], {}, "GITHUB_TOKEN is not set"),
        (["--post", "slack"], {}, "SLACK_WEBHOOK_URL is not set"),
        (["--post", "slack"], {"SLACK_WEBHOOK_URL": "http://hooks.example.com/services/x"}, "SLACK_WEBHOOK_URL: expected an https:// URL"),
    ],
)
def test_usage_and_config_errors_exit_2(repo_dir: Path, args: list[str], env: dict[str, str], message: str) -> None:
    result = run_cli("report", "overdue", *args, cwd=repo_dir, env=env)
    assert result.code == 2
    assert message in result.err
    assert "hooks.example.com" not in result.err  # the webhook URL is a secret
    assert_no_traceback(result)


def test_completion_cannot_take_the_overdue_issue(repo_dir: Path) -> None:
    result = run_cli("report", "completion", "--post", "github-issue", cwd=repo_dir)
    assert result.code == 2
    assert "--post github-issue keeps the overdue issue" in result.err


def test_bad_report_setting_is_named(repo_dir: Path) -> None:
    config = repo_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("repository: acme/ops", "repository: acme/ops\n        due_son_days: 3\n        timeout: -1"))
    result = run_cli("report", "overdue", cwd=repo_dir)
    assert result.code == 2
    # Every bad setting is named, with MkDocs' reason (its wording is MkDocs', not asserted) or ours.
    lines = result.err.splitlines()
    assert any(re.search(r"mkdocs\.yml: plugins\.followthrough\.report\.due_son_days: \S", line) for line in lines), result.err
    assert any(line.endswith("mkdocs.yml: plugins.followthrough.report.timeout: must be more than 0 seconds, got -1") for line in lines), result.err
    assert_no_traceback(result)


def test_lint_errors_stop_the_report_with_file_and_line(repo_dir: Path) -> None:
    path = repo_dir / "postmortems/2026/2026-04-07-search-slow.md"
    path.write_text(path.read_text().replace("severity: SEV-3", "severity: SEV-9"))
    result = run_cli("report", "overdue", "--today", TODAY, cwd=repo_dir)
    assert result.code == 1
    assert "postmortems/2026/2026-04-07-search-slow.md:4:" in result.err
    assert_no_traceback(result)


def test_no_site_url_means_no_links(repo_dir: Path) -> None:
    config = repo_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_url: https://postmortems.example.com/\n", ""))
    data = report_json(repo_dir)
    assert data["url"] is None
    assert data["owners"][0]["items"][0]["postmortem"]["url"] is None


def test_site_links_follow_use_directory_urls():
    from followthrough.core.report.build import site_links
    from followthrough.core.settings import DEFAULT_SETTINGS

    assert site_links("https://x.test/pm", DEFAULT_SETTINGS).overdue_page == "https://x.test/pm/overdue/"
    assert site_links("https://x.test/pm/", DEFAULT_SETTINGS, False).overdue_page == "https://x.test/pm/overdue.html"


def test_issue_body_fits_github_limit_with_whole_lines():
    from followthrough.trackers.report_issue import MAX_BODY, MARKER, issue_body

    body = issue_body("| a | b |\n" * 20_000, "footer")
    assert len(body) <= MAX_BODY and body.endswith(MARKER + "\n")
    assert "| a | b |\n\n*The report is longer" in body
