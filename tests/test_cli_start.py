"""Starting the command is cheap: only the chosen subcommand is imported, and `--help` lists them all.

A pre-commit hook runs `followthrough lint FILE` on every commit; importing PyGithub, jira
and the site code first would cost most of its run time. What a command imported is read
from `sys.modules` in a fresh interpreter (this one has imported everything already).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from followthrough.cli.main import COMMANDS, build_parser, chosen_command

from .conftest import run_cli, lint_repo

# Each is imported by one subcommand only (sync: the tracker clients; pages, report, the plugin: MkDocs).
HEAVY = ("github", "jira", "mkdocs", "jinja2", "requests")

_PROBE = """
import contextlib, io, json, sys
from followthrough.cli.main import main
with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
    try:
        code = main(sys.argv[2:])
    except SystemExit as exit:
        code = exit.code
top = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps({"code": code, "top": top}), file=open(sys.argv[1], "w"))
"""


def imported_by(tmp_path: Path, *argv: str, cwd: Path | None = None) -> tuple[int, set[str]]:
    """(exit code, top-level packages in sys.modules) after `followthrough ARGV` in a fresh interpreter."""
    report = tmp_path / "modules.json"
    subprocess.run([sys.executable, "-c", _PROBE, str(report), *argv], cwd=cwd or tmp_path, check=True, timeout=120)
    data = json.loads(report.read_text())
    return data["code"], set(data["top"])


@pytest.mark.parametrize("argv", [("--help",), ("lint", "--help"), ("--version",)])
def test_help_imports_no_tracker_client_and_no_mkdocs(tmp_path: Path, argv: tuple[str, ...]) -> None:
    code, modules = imported_by(tmp_path, *argv)
    assert code == 0
    assert not modules & set(HEAVY), sorted(modules & set(HEAVY))


def test_the_probe_sees_what_a_command_imports(tmp_path: Path) -> None:
    """The check above can fail: `sync --help` does import the tracker clients."""
    code, modules = imported_by(tmp_path, "sync", "--help")
    assert code == 0
    assert {"github", "jira"} <= modules


def test_lint_of_one_file_imports_no_tracker_client_and_no_site_code(tmp_path: Path) -> None:
    root = lint_repo(tmp_path / "repo")
    code, modules = imported_by(tmp_path, "lint", "--today", "2026-11-23", "postmortems/2026/2026-05-20-payments.md", cwd=root)
    assert code == 0
    assert not modules & {"github", "jira", "requests"}, sorted(modules & {"github", "jira", "requests"})


def test_lint_of_one_file_imports_no_mkdocs_once_its_settings_are_kept(tmp_path: Path) -> None:
    # The first run reads mkdocs.yml with MkDocs' own classes and keeps the validated settings
    # (config_cache); every later run of a pre-commit hook starts without MkDocs or Jinja.
    root = lint_repo(tmp_path / "repo")
    args = ("lint", "--today", "2026-11-23", "postmortems/2026/2026-05-20-payments.md")
    code, first = imported_by(tmp_path, *args, cwd=root)
    assert code == 0 and "mkdocs" in first
    code, modules = imported_by(tmp_path, *args, cwd=root)
    assert code == 0
    assert not modules & {"mkdocs", "jinja2"}, sorted(modules & {"mkdocs", "jinja2"})


def test_the_listing_is_the_same_whichever_command_is_chosen() -> None:
    """The table's one-line help is what each subcommand's own add_parser says."""
    listing = build_parser([]).format_help()
    for name in COMMANDS:
        assert f"    {name} " in listing or f"    {name}\n" in listing  # a long name has its help on the next line
        assert build_parser([name]).format_help() == listing, name


def test_every_chosen_command_has_its_own_options_and_runs() -> None:
    for name in COMMANDS:
        parser = build_parser([name])
        with pytest.raises(SystemExit) as exited:
            parser.parse_args([name, "--help"])
        assert exited.value.code == 0
    args = build_parser(["lint"]).parse_args(["lint", "--strict", "x.md"])
    assert callable(args.run) and args.strict and args.paths == [Path("x.md")]


@pytest.mark.parametrize(
    ("argv", "chosen"),
    [((), None), (("--help",), None), (("lint", "x"), "lint"), (("--version", "sync"), "sync"), (("lnt",), None), (("x", "lint"), None)],
)
def test_chosen_command_is_the_first_word(argv: tuple[str, ...], chosen: str | None) -> None:
    assert chosen_command(argv) == chosen


def test_an_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("lnit", cwd=tmp_path)
    assert result.code == 2
    assert "lnit" in result.err and "Traceback" not in result.err
