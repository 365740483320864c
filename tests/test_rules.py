"""Every lint rule shown by a failing file and kept quiet on passing ones (tests/data/rules)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from followthrough.config.load import load_config
from followthrough.files.repo import load_repo
from followthrough.core.catalog import RULES

from .conftest import DATA, assert_no_traceback, run_cli

RULES_DIR = DATA / "rules"
EXPECTED: dict[str, list[str]] = yaml.safe_load((RULES_DIR / "expectations.yml").read_text()) or {}
FIXTURES = sorted(p.name for p in (RULES_DIR / "docs" / "2026").glob("*.md"))
TODAY = date(2026, 11, 23)


@pytest.fixture(scope="module")
def repo():
    return load_repo(load_config(RULES_DIR / "mkdocs.yml"), today=TODAY)


def found_in(repo, name: str) -> list[str]:
    return [f"{f.code}:{f.line}" for f in repo.findings if Path(f.path).name == name]


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture_findings_are_exactly_the_expected_ones(repo, name):
    assert found_in(repo, name) == EXPECTED.get(name, [])


def test_passing_fixtures_exist_and_are_clean(repo):
    passing = [n for n in FIXTURES if "-pass-" in n]
    assert len(passing) >= 5
    for name in passing:
        assert found_in(repo, name) == []


def test_every_rule_has_a_failing_fixture():
    shown = {entry.split(":")[0] for codes in EXPECTED.values() for entry in codes}
    # FT009 (unreadable file) is shown by a test that writes invalid UTF-8 at run time,
    # FT000 (a bug of ours) by tests/test_lint_resilience.py, which injects one, and the people
    # directory's FT6xx by tests/test_ids.py and tests/test_followup_rules.py (every fixture here
    # shares one clean directory), and the comparisons with a base revision (FT315-FT318) by
    # tests/test_lint_base.py, on real git repositories.
    missing = set(RULES) - shown - {"FT009", "FT000", "FT601", "FT602", "FT603", "FT604", "FT315", "FT316", "FT317", "FT318"}
    assert not missing, f"rules without a failing fixture: {sorted(missing)}"


def test_each_failing_fixture_shows_its_own_rule():
    for name, codes in EXPECTED.items():
        stem = name.removeprefix("2026-05-20-")
        own = stem.split("-")[0].upper()
        assert any(c.startswith(own + ":") for c in codes) or own == "FT106", name


def test_every_rule_is_documented():
    doc = (Path(__file__).resolve().parents[1] / "guide" / "rules.md").read_text()
    for code, rule in RULES.items():
        assert f"`{code}`" in doc, f"{code} ({rule.name}) is not in guide/rules.md"


def test_unsafe_tag_is_never_run(tmp_path):
    marker = tmp_path / "pwned"
    text = (RULES_DIR / "docs" / "2026" / "2026-05-20-ft005-unsafe-tag.md").read_text()
    text = text.replace("/tmp/followthrough-pwned", str(marker))
    target = tmp_path / "2026" / "2026-05-20-tag.md"
    target.parent.mkdir()
    target.write_text(text)
    result = run_cli("lint", str(target), cwd=tmp_path)
    assert result.code == 1
    assert "FT005" in result.out
    assert not marker.exists()


def test_real_cli_reports_the_same_findings_as_json():
    result = run_cli("lint", "--format", "json", "--today", "2026-11-23", cwd=RULES_DIR)
    assert_no_traceback(result)
    assert result.code == 1
    got: dict[str, list[str]] = {}
    for f in json.loads(result.out):
        got.setdefault(Path(f["path"]).name, []).append(f"{f['code']}:{f['line']}")
    assert got == {k: v for k, v in EXPECTED.items()}
