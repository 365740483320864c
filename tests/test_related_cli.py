"""`followthrough related`: the real CLI on the fixture repo (tests/data/repo), a new postmortem
still being written, files that do not parse, and `--base` on a real git repository."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from followthrough.core.model import Postmortem

from .conftest import assert_no_traceback, run_cli, shipped_repo

TODAY = "2026-11-23"
CI = "2026-08-12-ci-runner-disk-exhaustion"
TILLPOINT = "2025-04-10-tillpoint-latency-duplicate-authorisations"
# A postmortem being written: no roles, no times but the start, no items; enough to compare.
DRAFT = """---
title: Deploys stalled as the CI runners ran out of disk again
status: draft
severity: SEV-4
services: [ci-runners]
teams: [platform]
factors: [capacity]
started: 2026-11-20T08:00:00Z
---
## Summary

Self-hosted CI runners ran out of disk and deploys queued behind them.
"""
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return shipped_repo(tmp_path / "repo")


def related(root: Path, *args: str):
    result = run_cli("related", "--today", TODAY, *args, cwd=root)
    assert_no_traceback(result)
    return result


def write(root: Path, text: str, name: str = "2026/2026-11-20-runners-again.md") -> str:
    path = root / "postmortems" / name
    path.write_text(text, encoding="utf-8")
    return f"postmortems/{name}"


def test_a_new_postmortem_gets_the_earlier_ones_with_why_and_the_line_to_add(repo: Path) -> None:
    result = related(repo, write(repo, DRAFT))
    assert result.code == 0, result.err
    lines = result.out.splitlines()
    assert lines[0] == "postmortems/2026/2026-11-20-runners-again.md: 2026-11-20-runners-again (Deploys stalled as the CI runners ran out of disk again)"
    assert lines[1].startswith(f"  1. {CI} (incident, 2026-08-12; score ")
    assert lines[2].startswith("     why: same service 'ci-runners'; same team 'platform'; similar wording: ")
    assert "'disk'" in lines[2] or "'ran out'" in lines[2] or "'runners'" in lines[2]
    # The same service but no factor in common (the earlier one names none): related, not a recurrence.
    assert lines[3] == f"     consider `related: [{CI}]`"


def test_json_names_each_reason_and_a_recurrence_when_service_and_factor_repeat(repo: Path) -> None:
    ci = repo / "postmortems" / "2026" / f"{CI}.md"
    ci.write_text(ci.read_text().replace("\nstarted:", "\nfactors: [capacity]\nstarted:", 1))
    result = related(repo, write(repo, DRAFT), "--format", "json", "--limit", "1")
    assert result.code == 0, result.err
    data = json.loads(result.out)
    [asked] = data["postmortems"]
    [top] = asked["suggestions"]
    assert top["id"] == CI and top["field"] == "recurrence_of" and top["line"] == f"recurrence_of: {CI}"
    assert [r["kind"] for r in top["reasons"]][:3] == ["service", "factor", "team"]
    assert top["reasons"][1]["text"] == "same factor 'capacity'" and top["linked"] is False
    assert top["score"] == round(sum(r["points"] for r in top["reasons"]), 2)


def test_already_linked_is_marked_not_suggested_again(repo: Path) -> None:
    result = related(repo, write(repo, DRAFT.replace("\nstarted:", f"\nrelated: [{CI}]\nstarted:", 1)))
    assert result.code == 0
    assert "     already linked" in result.out.splitlines()


def test_an_existing_postmortem_and_one_with_nothing_earlier(repo: Path) -> None:
    result = related(repo, f"postmortems/2025/{TILLPOINT}.md", "postmortems/2024/2024-09-24-game-day-payment-provider-outage.md")
    assert result.code == 0, result.err
    assert "  1. 2024-09-24-game-day-payment-provider-outage (game-day, 2024-09-24; score " in result.out  # the kind is said
    assert "same services 'payments-gateway', 'checkout-api'" in result.out
    assert result.out.rstrip().endswith("no earlier postmortem resembles it")  # the game day is the oldest


def test_a_file_that_does_not_parse_gets_its_findings_and_exit_1(repo: Path) -> None:
    result = related(repo, write(repo, "no front-matter here\n"))
    assert result.code == 1
    assert "no suggestions made" in result.err and "2026-11-20-runners-again.md:1:1: FT001" in result.err
    broken = related(repo, write(repo, "---\ntitle: [unclosed\n---\n"))
    assert broken.code == 1 and "FT00" in broken.err


def test_usage_errors_exit_2(repo: Path) -> None:
    assert related(repo).code == 2
    missing = related(repo, "postmortems/nope.md")
    assert missing.code == 2 and "postmortems/nope.md: no such file" in missing.err
    assert related(repo, "--limit", "0", f"postmortems/2026/{CI}.md").code == 2
    both = related(repo, "--base", "HEAD", f"postmortems/2026/{CI}.md")
    assert both.code == 2 and "not both" in both.err


def git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def test_base_asks_for_each_added_or_edited_postmortem_in_markdown(repo: Path) -> None:
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    untouched = related(repo, "--base", "main", "--format", "markdown")
    assert untouched.code == 0 and "No postmortem added or edited" in untouched.out
    as_text = related(repo, "--base", "main")  # the terminal gets a sentence too, not a blank line
    assert as_text.code == 0 and as_text.out == "no postmortem added or edited, so none to compare\n"
    write(repo, DRAFT.replace("Deploys stalled", "Deploys `stalled` <b>@someone</b>"))
    tillpoint = repo / "postmortems" / "2025" / f"{TILLPOINT}.md"
    tillpoint.write_text(tillpoint.read_text() + "\nOne more line.\n")
    result = related(repo, "--base", "main", "--format", "markdown", "--limit", "3")
    assert result.code == 0, result.err
    out = result.out
    assert out.startswith("## Related postmortems\n")
    assert out.count("\n**") == 2  # the new one and the edited one, not the untouched two
    assert f"- resembles `{CI}` (incident, 2026-08-12): same service 'ci-runners'" in out
    assert f"consider `related: [{CI}]`" in out
    assert "<b>" not in out and "\\<b\\>" in out and "@\u200bsomeone" in out  # the title is inert Markdown
    bad = related(repo, "--base", "no-such-ref")
    assert bad.code == 2 and "no such commit" in bad.err


def test_a_directory_is_named_as_one(repo: Path) -> None:
    result = related(repo, "postmortems/2025")
    assert result.code == 2
    assert "related: postmortems/2025: a directory; name a postmortem file in it" in result.err
    os.mkfifo(repo / "postmortems" / "pipe.md")  # never opened: reading it would block
    result = related(repo, "postmortems/pipe.md")
    assert result.code == 2 and "related: postmortems/pipe.md: not a regular file" in result.err


def test_a_change_adding_an_archive_gets_a_summary_that_fits(repo: Path) -> None:
    # A job summary holds 1 MiB and the step should take seconds: past SUMMARY_POSTMORTEMS added
    # files, the rest are counted, not compared.
    from followthrough.core.learning.render import SUMMARY_POSTMORTEMS

    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    added = SUMMARY_POSTMORTEMS + 3
    for n in range(added):
        day = f"2026-10-{n % 28 + 1:02d}"
        write(repo, DRAFT.replace("2026-11-20", day).replace("again", f"again ({n})"), f"2026/{day}-runners-{n:03d}.md")
    result = related(repo, "--base", "main", "--format", "markdown", "--limit", "1")
    assert result.code == 0, result.err
    assert result.out.count("\n**") == SUMMARY_POSTMORTEMS
    assert result.out.rstrip().endswith("And 3 more postmortems this change adds or edits, not compared here: run `followthrough related FILE` for each.")
    every = related(repo, "--base", "main", "--limit", "1")  # the terminal asked for them all
    assert every.out.count("\n  1. ") == added


def test_the_summary_stops_at_its_byte_budget() -> None:
    from followthrough.core.learning import render
    from followthrough.core.learning.similar import Reason, Suggestion

    earlier = Postmortem(path="postmortems/a.md", id="a", title="A", services=tuple(f"service-{i}" for i in range(200)))
    why = (Reason("service", earlier.services, 600.0),)
    asked = [render.Asked(Postmortem(path=f"postmortems/b{n}.md", id=f"b{n}", title=f"B{n}"), (Suggestion(earlier, 600.0, why, False, "related"),) * 3) for n in range(render.SUMMARY_POSTMORTEMS)]
    out = render.markdown(asked)
    assert len(out.encode()) <= render.SUMMARY_BYTES + 1024
    shown = out.count("\n**")
    assert 0 < shown < len(asked)
    assert f"And {len(asked) - shown} more postmortems" in out
