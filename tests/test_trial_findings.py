"""What a first use of the follow-through loop found, end to end, each pinned by a test."""

from __future__ import annotations

import json

from .test_sync_push import jira_repo, redate, state_file
from .conftest import DATA, run_cli
from .sync_setup import env_for, sync


def test_dry_run_does_not_call_a_change_it_would_push_drift(tmp_path, jira):
    # A reviewed re-date that the dry run says it would push is not also "drift (not changed on
    # either side)": the real run pushes it and reports no drift, so the dry run says the same.
    pm, root = jira_repo(tmp_path, jira)
    assert sync(root, env=env_for(jira)).code == 0
    redate(root, pm, "pool-size", "2026-06-15", "2026-07-01")
    saved = state_file(root).read_bytes()

    dry = sync(root, "--dry-run", env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert dry.code == 0, dry.out + dry.err
    assert "pool-size (PAY-2): would update: due 2026-06-15 -> 2026-07-01" in dry.out
    assert "drift" not in dry.out, dry.out
    assert state_file(root).read_bytes() == saved and jira.issues["PAY-2"].duedate == "2026-06-15"

    real = sync(root, env=env_for(jira, FOLLOWTHROUGH_TODAY="2026-06-09"))
    assert real.code == 0, real.out + real.err
    assert "drift" not in real.out


def test_review_slack_notification_counts_one_decision_in_the_singular():
    # The notification line of a team's agenda counted "1 won't-do decisions".
    result = run_cli("report", "review", "--team", "payments", "--format", "slack", "--today", "2026-06-15", cwd=DATA / "review")
    assert result.code == 0, result.out + result.err
    [message] = [m["message"] for m in json.loads(result.out)]
    assert "1 won't-do decision, " in message["text"] and "decisions" not in message["text"], message["text"]


def test_review_names_the_approver_and_the_decider_as_the_site_does():
    # The site's pages say "Emil Berg" in the "Approved by" column and "decided by Emil Berg";
    # the review agenda, which names owners and managers by name, said "e.berg" for both.
    result = run_cli("report", "review", "--team", "payments", "--today", "2026-06-15", cwd=DATA / "review")
    assert result.code == 0, result.out + result.err
    assert "(approved by Emil Berg)" in result.out
    assert "decided by Emil Berg on 2026-06-12" in result.out
