"""The pre-commit hook and the pull request template that ship with the repo."""

from __future__ import annotations

import re
import shlex
import tomllib

import yaml

from .conftest import ROOT, run_cli


def test_pre_commit_hook_runs_the_lint_on_postmortems() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "followthrough-lint"
    assert hook["entry"] == "followthrough lint"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert shlex.split(hook["entry"])[0] in scripts
    files = re.compile(hook["files"])
    samples = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "postmortems").rglob("*.md"))
    assert samples and all(files.search(p) for p in samples)
    assert not files.search("README.md") and not files.search("postmortems/people.yml")
    assert not files.search("postmortems/index.md") and not files.search("postmortems/about/team.md")
    # What pre-commit does: the entry, then the matching staged files.
    result = run_cli(*shlex.split(hook["entry"])[1:], *samples[:3], cwd=ROOT)
    assert result.code == 0, result.out + result.err


def test_pull_request_template_has_the_review_checklist() -> None:
    text = (ROOT / ".github" / "pull_request_template.md").read_text()
    boxes = re.findall(r"^- \[ \] (.+)$", text, re.M)
    assert len(boxes) >= 10
    for needle in ("UTC", "root cause", "ONE owner", "due date", "Blameless", "commitment"):
        assert any(needle.lower() in b.lower() for b in boxes), needle
