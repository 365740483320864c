"""The exit codes, each through the real CLI: 0 success, 1 findings or failures, 2 usage or
configuration, 3 a bug, reported as one with what to file and no secret in it. `cli.main` is
the one place errors become codes; every error type at a boundary is a FollowthroughError."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from followthrough.cli.main import main
from followthrough.core.errors import EXIT_BUG, FollowthroughError, TrackerError
from followthrough.core.sync.tickets import TrackerFailure

from .conftest import assert_no_traceback, run_cli
from .fakes.postmortem_repo import Item, Pm, build_repo

TODAY = "2026-06-01"
TOKEN = "tok-named-by-the-settings-0123"


def repo(tmp_path: Path, trackers: dict | None = None) -> Path:
    return build_repo(tmp_path, trackers or {}, [Pm("payments", [Item("pool", "Fix the pool")])])


def web(token_env: str = "MY_TRACKER_TOKEN") -> dict:
    # Port 9 on loopback: nothing listens there, so a request (none is made) could not leave the machine.
    return {"default": "web", "retries": 0, "destinations": {"web": {"type": "github", "url": "http://127.0.0.1:9", "repo": "acme/web", "token_env": token_env}}}


def test_0_success(tmp_path: Path) -> None:
    root = repo(tmp_path)
    result = run_cli("lint", "--today", TODAY, cwd=root)
    assert result.code == 0, result.out + result.err
    assert run_cli("sync", cwd=root, env={"FOLLOWTHROUGH_TODAY": TODAY}).code == 0  # no trackers: said, not failed


def test_1_findings_and_failures(tmp_path: Path) -> None:
    root = repo(tmp_path)
    pm = next(root.rglob("*-payments.md"))
    pm.write_text(pm.read_text().replace("severity: SEV-2", "severity: SEV-9"))
    assert run_cli("lint", "--today", TODAY, cwd=root).code == 1
    refused = run_cli("report", "overdue", "--today", TODAY, cwd=root)
    assert refused.code == 1
    head, finding = refused.err.splitlines()[:2]
    assert head == "followthrough: 1 error(s) in postmortems or pages; no report made (run `followthrough lint`):"
    assert finding.startswith(f"  {pm.relative_to(root).as_posix()}:") and "SEV-9" in finding
    failed = run_cli("sync", cwd=repo(tmp_path / "b", web()), env={"FOLLOWTHROUGH_TODAY": TODAY, "MY_TRACKER_TOKEN": TOKEN})
    assert failed.code == 1 and "could not connect" in failed.out
    assert_no_traceback(failed)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("report", "overdue", "--format", "yaml"), "invalid choice: 'yaml'"),
        (("report", "overdue", "--today", "June"), "--today"),
        (("sync", "--config", "missing.yml"), "missing.yml"),
    ],
)
def test_2_usage_and_configuration(tmp_path: Path, args: tuple[str, ...], said: str) -> None:
    result = run_cli(*args, cwd=repo(tmp_path))
    assert result.code == 2 and said in result.err, result.err
    assert_no_traceback(result)


def test_2_a_misspelt_tracker_setting(tmp_path: Path) -> None:
    trackers = web()
    trackers["retires"] = 3
    result = run_cli("sync", cwd=repo(tmp_path, trackers), env={"FOLLOWTHROUGH_TODAY": TODAY})
    assert result.code == 2 and "plugins.followthrough.trackers.retires" in result.err


@pytest.fixture
def a_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """A sync that meets an error nothing expects, once the settings (and the token they name) are read."""
    from followthrough.trackers.engine import SyncEngine

    def broken(self: SyncEngine) -> None:
        raise KeyError(f"no such thing as {TOKEN}")

    monkeypatch.setattr(SyncEngine, "run", broken)


@pytest.mark.parametrize("debug", ["", "1"])
def test_3_a_bug_is_labelled_says_what_to_file_and_shows_no_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, a_bug: None, debug: str) -> None:
    root = repo(tmp_path, web())
    monkeypatch.chdir(root)
    monkeypatch.setenv("MY_TRACKER_TOKEN", TOKEN)
    monkeypatch.setenv("FOLLOWTHROUGH_TODAY", TODAY)
    monkeypatch.setenv("FOLLOWTHROUGH_DEBUG", debug)
    out, err = io.StringIO(), io.StringIO()
    assert main(["sync"], out, err) == EXIT_BUG == 3
    text = err.getvalue()
    assert text.count("followthrough: BUG: `followthrough sync` stopped on an error it does not expect: KeyError:") == 1
    assert "Please report it with:" in text and "the command line you ran" in text
    assert TOKEN not in text + out.getvalue() and "no such thing as ***" in text
    assert ("Traceback (most recent call last)" in text) == bool(debug)


def test_every_error_at_the_tracker_boundary_is_a_followthrough_error() -> None:
    from followthrough.files.writeback import WritebackError
    from followthrough.trackers.engine import _DestinationDown

    assert issubclass(TrackerFailure, TrackerError)
    assert issubclass(_DestinationDown, TrackerError)
    assert issubclass(WritebackError, FollowthroughError)
    assert TrackerFailure("x").exit_code == WritebackError("y").exit_code == 1


def test_3_a_command_that_fails_to_import_is_labelled_a_bug_without_its_secret(tmp_path: Path) -> None:
    # A broken install (here a `github` package shadowing PyGithub) breaks `sync` before it runs:
    # still the bug report, through the masking stream, not the interpreter's traceback.
    shadow = tmp_path / "shadow" / "github"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text(f"raise RuntimeError('broken install holding {TOKEN}')\n")
    root = repo(tmp_path / "repo")
    result = run_cli("sync", "--dry-run", cwd=root, env={"PYTHONPATH": str(shadow.parent), "GITHUB_TOKEN": TOKEN, "FOLLOWTHROUGH_TODAY": TODAY})
    assert result.code == EXIT_BUG
    assert "followthrough: BUG: `followthrough sync` stopped on an error it does not expect: RuntimeError: broken install holding ***" in result.err
    assert "Traceback" not in result.err and TOKEN not in result.err + result.out
