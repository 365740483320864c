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


def _entries():
    from followthrough.config.cache import cache_dir

    return list(cache_dir().glob("lint-config-*.pickle"))


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


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
    assert not (root / ".followthrough" / "cache").exists()  # never in the checkout
    assert len(_entries()) == 1
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
    assert len(_entries()) == 1  # the old one is gone


def test_settings_that_depend_on_the_environment_are_never_kept(repo):
    root, path = repo
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_url: ", "site_url: !ENV [SITE_URL, 'https://x.example/']\n# was: ", 1))
    assert run_cli("lint", path, "--today", "2026-11-23", cwd=root).code == 0
    assert not _entries()


@pytest.mark.parametrize(
    "line",
    [
        "site_url: !!python/object/apply:os.getenv [SITE_URL]",  # MkDocs' loader runs it: never kept
        "site_url: !%45NV [SITE_URL]",  # !ENV spelled with a %-escape
        '"INHERI\\x54": base.yml',  # INHERIT spelled with an escape
    ],
)
def test_settings_spelled_to_look_constant_are_never_kept(line):
    from followthrough.config.cache import cacheable

    assert cacheable(b"site_name: T\n")
    assert not cacheable(f"site_name: T\n{line}\n".encode())


def test_an_edit_of_followthrough_itself_is_a_miss(repo, monkeypatch):
    from followthrough.config import cache as config_cache

    root, _ = repo
    before = config_cache._key(root / "mkdocs.yml", b"x")
    monkeypatch.setattr(config_cache, "_code_stamp", lambda: "another version of the code")
    assert config_cache._key(root / "mkdocs.yml", b"x") != before


def test_a_planted_or_shared_cache_file_is_not_read(repo, tmp_path):
    root, path = repo
    assert run_cli("lint", path, "--today", "2026-11-23", cwd=root).code == 0
    (kept,) = _entries()
    kept.chmod(0o666)  # writable by others: someone else could have written it
    from followthrough.config import cache as config_cache

    assert config_cache.load(root / "mkdocs.yml") is None


def test_a_damaged_cache_is_only_a_miss(repo):
    root, path = repo
    assert run_cli("lint", path, "--today", "2026-11-23", cwd=root).code == 0
    (kept,) = _entries()
    kept.write_bytes(b"not a pickle")
    result = run_cli("lint", path, "--today", "2026-11-23", cwd=root)
    assert result.code == 0 and "Traceback" not in result.err


def test_entries_unused_for_a_month_are_pruned(repo, tmp_path):
    import os
    import time

    from followthrough.config.cache import cache_dir

    root, path = repo
    cache_dir().mkdir(parents=True, mode=0o700)
    old = cache_dir() / "lint-config-000000000000-gone.pickle"
    old.write_bytes(b"x")
    month_ago = time.time() - 31 * 24 * 3600
    os.utime(old, (month_ago, month_ago))
    assert run_cli("lint", path, "--today", "2026-11-23", cwd=root).code == 0
    assert not old.exists() and len(_entries()) == 1
