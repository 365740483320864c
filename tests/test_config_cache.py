"""`followthrough lint` keeps the validated settings of mkdocs.yml, so a pre-commit run does not
import MkDocs; any change to what the settings are computed from is a miss."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .conftest import run_cli, shipped_repo

PM = "postmortems/2024/2024-03-05-checkout-outage.md"
BLAME = "\nIt was human error, plain and simple.\n"


@pytest.fixture
def repo(tmp_path):
    root = shipped_repo(tmp_path / "repo")
    target = next((root / "postmortems").rglob("20*.md"))
    return root, target.relative_to(root).as_posix()


def _imports_after_lint(root, path) -> set[str]:
    code = (
        "import sys, io, json\n"
        "from followthrough.cli.main import main\n"
        f"main(['lint', {path!r}, '--today', '2026-11-23'], io.StringIO(), io.StringIO())\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True).stdout
    return set(json.loads(out.splitlines()[-1]))


def test_the_second_run_reads_the_settings_without_mkdocs(repo):
    root, path = repo
    first = _imports_after_lint(root, path)
    assert "mkdocs" in first  # nothing kept yet: MkDocs reads and validates mkdocs.yml
    cache = root / ".followthrough" / "cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"  # never committed by `git add -A`
    assert len(list(cache.glob("lint-config-*.pickle"))) == 1
    second = _imports_after_lint(root, path)
    assert not {m for m in second if m == "mkdocs" or m.startswith(("mkdocs.", "jinja2", "github", "jira"))}


def test_an_edit_of_mkdocs_yml_is_seen_at_once(repo):
    root, path = repo
    (root / path).write_text((root / path).read_text() + BLAME)
    before = run_cli("lint", path, "--today", "2026-11-23", cwd=root)
    assert "FT503" in before.out
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("      people: people.yml\n", "      people: people.yml\n      rules: {FT503: off}\n"))
    after = run_cli("lint", path, "--today", "2026-11-23", cwd=root)
    assert "FT503" not in after.out, after.out
    assert len(list((root / ".followthrough" / "cache").glob("lint-config-*.pickle"))) == 1  # the old one is gone


def test_settings_that_depend_on_the_environment_are_never_kept(repo):
    root, path = repo
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_url: ", "site_url: !ENV [SITE_URL, 'https://x.example/']\n# was: ", 1))
    assert run_cli("lint", path, "--today", "2026-11-23", cwd=root).code == 0
    assert not list((root / ".followthrough" / "cache").glob("lint-config-*.pickle"))


def test_a_damaged_cache_is_only_a_miss(repo):
    root, path = repo
    assert run_cli("lint", path, "--today", "2026-11-23", cwd=root).code == 0
    (kept,) = (root / ".followthrough" / "cache").glob("lint-config-*.pickle")
    kept.write_bytes(b"not a pickle")
    result = run_cli("lint", path, "--today", "2026-11-23", cwd=root)
    assert result.code == 0 and "Traceback" not in result.err
