"""review.yml compares a pull request with its base: the checkout fetches the history, the base
commit reaches both lint runs through the environment, and the step run as the runner would
run it fails on a silent re-date and a removed item, and passes a recorded re-date."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import BASE, ROOT, lint_repo
from .workflow_runner import Runner, clean_environ, load_workflow

WORKFLOW = ROOT / ".github" / "workflows" / "review.yml"
NAME = "2026-05-20-payments.md"
GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false"]


def steps() -> dict[str, dict]:
    return {s.get("name") or s["uses"].split("@")[0]: s for s in load_workflow(WORKFLOW)["jobs"]["check"]["steps"]}


def test_the_checkout_fetches_the_base_and_both_lint_runs_get_it() -> None:
    found = steps()
    assert found["actions/checkout"]["with"]["fetch-depth"] == 0
    lint = found["Lint postmortems"]
    assert lint["env"] == {"BASE_SHA": "${{ github.event.pull_request.base.sha }}"}
    runs = [line.strip() for line in lint["run"].splitlines() if line.strip().startswith("followthrough lint")]
    assert runs == ['followthrough lint --format github "${base[@]}"', 'followthrough lint --format text "${base[@]}" 2>&1 | head -n 300']
    assert 'base=(--base "$BASE_SHA")' in lint["run"]


def git(root: Path, *args: str) -> str:
    return subprocess.run([*GIT, *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def pull_request(tmp_path: Path, change) -> tuple[Path, str, str]:
    """A bare origin with the base commit and a pull request's head commit on top, made by `change`."""
    tree = tmp_path / "tree"
    lint_repo(tree, BASE.replace("severity: SEV-2", "severity: SEV-1", 1).replace("  deputy: dev.deputy\n  scribe: dev.deputy\n", "  deputy: dev.deputy\n  scribe: sam.scribe\n"), name=NAME)
    git(tree, "init", "-q")
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "-m", "base")
    base = git(tree, "rev-parse", "HEAD")
    pm = tree / "postmortems" / "2026" / NAME
    pm.write_text(change(pm.read_text()))
    git(tree, "commit", "-q", "-am", "the pull request")
    head = git(tree, "rev-parse", "HEAD")
    origin = tmp_path / "origin.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(tree), str(origin)], check=True)
    return origin, base, head


def run_lint_step(tmp_path: Path, origin: Path, head: str, base: str | None):
    """The checkout and the lint step of review.yml, with this interpreter's followthrough on PATH."""
    workflow = load_workflow(WORKFLOW)
    job = workflow["jobs"]["check"]
    wanted = [s for s in job["steps"] if str(s.get("uses", "")).startswith("actions/checkout@") or s.get("name") == "Lint postmortems"]
    event = {"pull_request": {"number": 7, **({"base": {"sha": base}} if base else {})}}
    env = clean_environ()
    env["PATH"] = f"{Path(sys.executable).parent}:{env.get('PATH', '')}"
    env["FOLLOWTHROUGH_TODAY"] = "2026-06-02"
    env["XDG_CACHE_HOME"] = str(tmp_path / "cache")
    runner = Runner(origin=origin, work=tmp_path / "run", github={"sha": head, "event_name": "pull_request", "event": event}, base_env=env)
    results = runner.run_workflow({"jobs": {"check": {**job, "steps": wanted}}})
    return results["check"]


ITEM = "  - id: pool-size\n    title: Investigate sizing the connection pool from measured peak load\n    owner: nia.sme\n    due: 2026-06-15\n"


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda text: text.replace("    due: 2026-06-15\n", "    due: 2026-06-22\n"), "FT315"),
        (lambda text: text.replace(ITEM, ""), "FT317"),
    ],
    ids=["silent re-date", "removed item"],
)
def test_the_step_fails_on_what_the_pull_request_did(tmp_path: Path, change, code: str) -> None:
    origin, base, head = pull_request(tmp_path, change)
    job = run_lint_step(tmp_path, origin, head, base)
    assert job.result == "failure"
    [lint] = [s for s in job.steps if s.name == "Lint postmortems"]
    annotations = re.findall(r"^::error file=([^,]+),line=(\d+),col=1,title=(FT\d+)::", lint.output, re.M)
    assert [(f, c) for f, _, c in annotations] == [(f"postmortems/2026/{NAME}", code)]
    assert f" {code} " in job.summary and base[:12] in job.summary


def test_the_step_passes_a_recorded_re_date(tmp_path: Path) -> None:
    recorded = "    due: 2026-06-22\n    redated:\n      - {from: 2026-06-15, to: 2026-06-22, on: 2026-06-01, reason: waiting on the vendor's fix for the leak}\n"
    origin, base, head = pull_request(tmp_path, lambda text: text.replace("    due: 2026-06-15\n", recorded))
    job = run_lint_step(tmp_path, origin, head, base)
    assert job.result == "success", [s.output for s in job.steps]
    assert f"compared with {base[:12]}: 1 postmortem file(s) changed" in job.summary


def test_without_a_base_the_step_says_the_checks_were_skipped(tmp_path: Path) -> None:
    origin, _, head = pull_request(tmp_path, lambda text: text.replace("    due: 2026-06-15\n", "    due: 2026-06-22\n"))
    job = run_lint_step(tmp_path, origin, head, None)
    assert job.result == "success"
    [lint] = [s for s in job.steps if s.name == "Lint postmortems"]
    assert "::warning title=No base commit::" in lint.output
    assert "title=FT315" not in lint.output
