"""The pre-commit hook and the pull request template that ship with the repo."""

from __future__ import annotations

import re
import shlex
import shutil
import tomllib
from pathlib import Path

import yaml

from .conftest import ROOT, run_cli


def test_pre_commit_hook_runs_the_lint_on_postmortems(shipped: Path, tmp_path: Path) -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["id"] == "followthrough-lint"
    assert hook["entry"] == "followthrough lint"
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert shlex.split(hook["entry"])[0] in scripts
    files = re.compile(hook["files"])
    staged = sorted(p.relative_to(shipped).as_posix() for p in (shipped / "postmortems").rglob("*.md"))
    assert staged and all(files.search(p) for p in staged)
    assert files.search("postmortems/2026-05-20-undated-folder.md")
    assert not files.search("README.md") and not files.search("postmortems/people.yml")
    assert not files.search("postmortems/index.md") and not files.search("postmortems/about/team.md")
    # What pre-commit does: the entry, then the matching staged files, from the repo's top folder.
    entry = shlex.split(hook["entry"])[1:]
    result = run_cli(*entry, *staged, cwd=shipped)
    assert result.code == 0, result.out + result.err
    # ...and a commit with a broken postmortem is stopped, the file and line named.
    repo = tmp_path / "repo"
    shutil.copytree(shipped, repo)
    broken = repo / staged[-1]
    broken.write_text(broken.read_text().replace("\nseverity: ", "\nseverity: SEV-9\nsevrity: ", 1))
    refused = run_cli(*entry, staged[-1], cwd=repo)
    assert refused.code == 1
    assert f"{staged[-1]}:4:11: FT104" in refused.out and f"{staged[-1]}:5:1: FT101" in refused.out


def test_pull_request_template_has_the_review_checklist() -> None:
    text = (ROOT / ".github" / "pull_request_template.md").read_text()
    boxes = re.findall(r"^- \[ \] (.+)$", text, re.M)
    assert len(boxes) >= 10
    for needle in ("UTC", "root cause", "ONE owner", "due date", "Blameless", "commitment"):
        assert any(needle.lower() in b.lower() for b in boxes), needle
