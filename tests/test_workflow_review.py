"""The weekly review half of overdue-report.yml: what it runs, and its `run:` steps executed
as a runner would, on a fresh copy of the repo against a loopback GitHub and no secrets: one
issue per team with items on its agenda, the Slack step skipped without a bot token.

actionlint and zizmor run over every workflow in test_workflows.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .fakes.github_server import FakeGitHub
from .test_workflows import WORKFLOWS, failures, origin, python_env, runner_for
from .workflow_runner import load_workflow

# The shipped-repo origin and the runner's Python environment, as test_workflows.py builds them;
# imported, they are this module's fixtures too (listed so the import reads as used).
__all__ = ["origin", "python_env"]

WORKFLOW = WORKFLOWS / "overdue-report.yml"


def steps() -> dict[str, dict]:
    return {s["name"]: s for s in load_workflow(WORKFLOW)["jobs"]["report"]["steps"] if "name" in s}


def test_the_review_runs_after_the_overdue_report_with_both_deliveries() -> None:
    names = list(steps())
    review = ["Write the weekly review into the run summary", "Update each team's review issue", "Post each team's review to its Slack channel"]
    assert names[-3:] == review
    assert names.index("Post to Slack") < names.index(review[0])  # the overdue report's steps stay first
    found = steps()
    assert found[review[0]]["run"].strip() == 'followthrough report review --format markdown >> "$GITHUB_STEP_SUMMARY"'
    assert found[review[1]]["run"].strip() == "followthrough report review --post github-issue"
    assert found[review[1]]["env"] == {"GITHUB_TOKEN": "${{ github.token }}"}
    slack = found[review[2]]
    assert slack["env"] == {"SLACK_BOT_TOKEN": "${{ secrets.SLACK_BOT_TOKEN }}"}
    assert 'if [ -z "${SLACK_BOT_TOKEN:-}" ]' in slack["run"] and "followthrough report review --post slack" in slack["run"]
    job = load_workflow(WORKFLOW)["jobs"]["report"]
    assert job["environment"] == "overdue-report"  # the bot token is read only inside it
    assert job["permissions"] == {"contents": "read", "issues": "write"}


def test_the_review_and_its_secret_are_documented() -> None:
    guide = (WORKFLOWS.parents[1] / "guide" / "workflows.md").read_text()
    assert "`SLACK_BOT_TOKEN`" in guide and "report review --post github-issue" in guide
    report = (WORKFLOWS.parents[1] / "guide" / "report.md").read_text()
    assert "## The weekly review" in report and "### `report review --post slack`" in report


@pytest.mark.slow
def test_the_review_steps_pass_one_issue_per_team(origin: Path, python_env: Path, tmp_path: Path, github: FakeGitHub) -> None:
    runner = runner_for(origin, tmp_path, python_env, github, "workflow_dispatch", "overdue-report.yml")
    results = runner.run_workflow(load_workflow(WORKFLOW))
    assert results["report"].result == "success", failures(results)
    summary = results["report"].summary
    assert "# Weekly review of postmortem action items" in summary
    assert summary.index("# Overdue postmortem action items") < summary.index("# Weekly review of postmortem action items")
    ran = {s.name: s for s in results["report"].steps}
    assert "::notice title=Slack review skipped::" in ran["Post each team's review to its Slack channel"].output
    reviews = [i for i in github.issues("acme/ops") if "review-agenda" in i.labels]
    assert reviews, ran["Update each team's review issue"].output
    titles = [i.title for i in reviews]
    assert len(titles) == len(set(titles)) and all(t.startswith("Weekly review: ") for t in titles)
    assert all(i.state == "open" and "<!-- followthrough:review:" in i.body for i in reviews)
    # One line of output per team, each naming the issue it opened.
    assert ran["Update each team's review issue"].output.count("opened issue #") == len(reviews)
