"""Text output stays one line per message whatever a file is called: a newline in a file name
cannot break a job summary's code fence, and `::notice::` after it cannot become a GitHub
workflow command in the lint output, the build log or another command's errors."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from followthrough.core.logline import safe_line, safe_lines

from .conftest import assert_no_traceback, run_cli

TODAY = "2026-06-15"
FORGED = "2026-04-07-evil\n::notice title=forged::owned.md"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("postmortems/2026/a.md", "postmortems/2026/a.md"),
        ("a\nb", "a\\nb"),
        ("a\r\nb\tc", "a\\r\\nb\\tc"),
        ("\x1b[31mred\x07", "\\x1b[31mred\\x07"),
        ("del\x7f next\x85 csi\x9b", "del\\x7f next\\x85 csi\\x9b"),
        ("line\u2028para\u2029", "line\\u2028para\\u2029"),
        ("abc\u202edcba\u2066x\u2069", "abc\\u202edcba\\u2066x\\u2069"),
        ("::notice::x", "\\x3a:notice::x"),
        ("  ::warning::x", "  \\x3a:warning::x"),
        ("C:\\path\\n is a backslash and an n", "C:\\path\\n is a backslash and an n"),
        ("ünïcödé — fine 🙂", "ünïcödé — fine 🙂"),
    ],
)
def test_safe_line(raw: str, shown: str) -> None:
    assert safe_line(raw) == shown
    assert safe_line(shown) == shown  # escaping twice changes nothing
    assert "\n" not in safe_line(raw) and not safe_line(raw).lstrip().startswith("::")


def test_safe_lines_keeps_a_message_s_own_lines_only() -> None:
    assert safe_lines("2 errors:\n  a\u2028b.md:1:1: x\n::error::y") == "2 errors:\n  a\\u2028b.md:1:1: x\n\\x3a:error::y"


@pytest.fixture
def forged_repo(repo_dir: Path) -> Path:
    root = repo_dir
    source = root / "postmortems/2026/2026-04-07-search-slow.md"
    target = source.with_name(FORGED)
    target.write_text(source.read_text().replace("id: 2026-04-07-search-slow", "id: 2026-04-07-evil"))
    return root


def no_forged_lines(text: str) -> None:
    for line in text.splitlines():
        assert not line.lstrip().startswith("::"), line


def test_lint_text_prints_a_newline_in_a_file_name_escaped(forged_repo: Path) -> None:
    result = run_cli("lint", "--today", TODAY, cwd=forged_repo)
    assert result.code == 1
    escaped = "postmortems/2026/2026-04-07-evil\\n::notice title=forged::owned.md:1:1: FT107 "
    assert any(line.startswith(escaped) for line in result.out.splitlines()), result.out
    assert all(line.startswith("postmortems/2026/") for line in result.out.splitlines())
    no_forged_lines(result.out + result.err)


def test_lint_github_format_still_escapes_its_own_way(forged_repo: Path) -> None:
    result = run_cli("lint", "--format", "github", "--today", TODAY, cwd=forged_repo)
    lines = result.out.splitlines()
    assert all(line.startswith(("::error file=postmortems/2026/", "::warning file=postmortems/2026/")) for line in lines), lines
    assert any("evil%0A%3A%3Anotice title=forged%3A%3Aowned.md" in line for line in lines)


def test_the_build_log_names_the_file_on_one_line(forged_repo: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env.update(FOLLOWTHROUGH_TODAY=TODAY, NO_MKDOCS_2_WARNING="1")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=forged_repo, env=env, capture_output=True, text=True, timeout=300)
    assert build.returncode == 1
    assert "  postmortems/2026/2026-04-07-evil\\n::notice title=forged::owned.md:1:1: FT107" in build.stderr
    no_forged_lines(build.stdout + build.stderr)


@pytest.mark.parametrize("command", [("report", "overdue"), ("pages", "--out", "generated")])
def test_other_commands_name_the_file_on_one_line(forged_repo: Path, command: tuple[str, ...]) -> None:
    result = run_cli(*command, "--today", TODAY, cwd=forged_repo)
    assert result.code == 1
    assert "postmortems/2026/2026-04-07-evil\\n::notice title=forged::owned.md:1:1: FT107" in result.err
    no_forged_lines(result.out + result.err)
    assert_no_traceback(result)


def test_sync_progress_and_summary_lines_are_one_line_each() -> None:
    import io

    from followthrough.cli.sync import print_summary
    from followthrough.trackers.engine import Summary
    from followthrough.cli.progress import Progress

    out = io.StringIO()
    progress = Progress(out, io.StringIO(), {"GITHUB_ACTIONS": "true"}, tty=False)
    with progress.group("jira\n::error::forged"):
        progress.line("created PAY-1 for postmortems/2026/x\n::notice::y.md")
    summary = Summary()
    summary.failures.append("postmortems/2026/x\n::warning::z.md: HTTP 500: down\r\n::error::quoted")
    print_summary(summary, out, dry_run=False)
    lines = out.getvalue().splitlines()
    assert lines[:3] == ["::group::jira\\n::error::forged", "created PAY-1 for postmortems/2026/x\\n::notice::y.md", "::endgroup::"]
    assert "  postmortems/2026/x\\n::warning::z.md: HTTP 500: down\\r\\n::error::quoted" in lines


def test_mkdocs_own_log_lines_cannot_forge_a_workflow_command(repo_dir: Path) -> None:
    """MkDocs names a page's file as it is in its own warnings; the plugin's filter on MkDocs'
    log handlers keeps the part after a newline from reading as a command."""
    root = repo_dir
    (root / "postmortems" / "notes\n::notice title=forged::x.md").write_text("# Notes\n\n[a link](missing.md)\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_")}
    env.update(FOLLOWTHROUGH_TODAY=TODAY, NO_MKDOCS_2_WARNING="1")
    build = subprocess.run([sys.executable, "-m", "mkdocs", "build"], cwd=root, env=env, capture_output=True, text=True, timeout=300)
    assert "title=forged" in build.stderr  # the file was named: by MkDocs' warning or by a finding
    no_forged_lines(build.stdout + build.stderr)
