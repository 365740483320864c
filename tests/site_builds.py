"""Building a fixture site as `mkdocs build` does.

`build_site` runs the build in this process with MkDocs' own pieces, as its `build` command
does: `config.load_config` (a real MkDocsConfig, the plugin loaded from its entry point), the
plugins' startup event, `commands.build.build` (real Files, Pages and every plugin event), then
shutdown. It gives back what the command would have printed and its exit status, so a test
reads the same words either way. `mkdocs` runs the real command in a subprocess, for the tests
where the process is what is tested (its exit status, its log stream, `serve`), and for
`--dirty`: MkDocs keeps one instance of each plugin per process, and mkdocs-material's search
keeps a dirty build's index for every later build of the process, whatever the site.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import click
import pytest
from mkdocs import config as mkdocs_config
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig

from .conftest import DATA, Result, assert_no_traceback, run_cli

SITE_FIXTURE = DATA / "site" / "basic"
SITE_TODAY = "2024-07-01"  # the day the fixture site's figures are computed for


def copy_fixture(tmp_path: Path) -> Path:
    """A copy of tests/data/site/basic at tmp_path/repo, to change."""
    root = tmp_path / "repo"
    shutil.copytree(SITE_FIXTURE, root)
    return root


def _environment(today: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("FOLLOWTHROUGH_") and k != "SOURCE_DATE_EPOCH"}
    env.update(FOLLOWTHROUGH_TODAY=today, NO_MKDOCS_2_WARNING="1")
    return env


def mkdocs(*args: str, cwd: Path, today: str = SITE_TODAY) -> subprocess.CompletedProcess[str]:
    """`python -m mkdocs ARGS` in `cwd`, in a subprocess."""
    return subprocess.run([sys.executable, "-m", "mkdocs", *args], cwd=cwd, env=_environment(today), capture_output=True, text=True, timeout=300)


@dataclass
class Build:
    """What `mkdocs build` would have ended with: its exit status and what it printed (MkDocs
    writes its log, and the reason it aborted, to stderr; stdout stays empty)."""

    returncode: int
    stderr: str
    stdout: str = ""
    config: MkDocsConfig | None = None  # as the build left it (None when loading it failed)


class _Log(logging.Handler):
    """MkDocs' log lines as its command prints them: `LEVEL    -  message`."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(f"{record.levelname:<8}-  {record.getMessage()}")


def build_site(root: Path, *, config_file: str | Path = "mkdocs.yml", site_dir: str | Path = "site", strict: bool = False, today: str = SITE_TODAY, command: str = "build") -> Build:
    """`mkdocs build [--strict] -f CONFIG_FILE -d SITE_DIR` run in `root`, in this process; `command`
    is the one the plugins are told of at startup (`gh-deploy` and `serve` build the same way).

    A failure MkDocs reports (a plugin's error, a configuration error, warnings under --strict)
    is a non-zero status with its message, as on the command line; anything else raises, as a
    traceback would end the command."""
    log = _Log()
    logger = logging.getLogger("mkdocs")
    level = logger.level
    config: MkDocsConfig | None = None
    with pytest.MonkeyPatch.context() as patch:
        for name in [k for k in os.environ if k.startswith("FOLLOWTHROUGH_") or k == "SOURCE_DATE_EPOCH"]:
            patch.delenv(name)
        patch.setenv("FOLLOWTHROUGH_TODAY", today)
        patch.setenv("NO_MKDOCS_2_WARNING", "1")
        patch.chdir(root)
        logger.addHandler(log)
        logger.setLevel(logging.INFO)
        try:
            config = mkdocs_config.load_config(config_file=str(config_file), site_dir=str(Path(root, site_dir)), strict=strict)
            config.plugins.on_startup(command=command, dirty=False)
            try:
                mkdocs_build.build(config, dirty=False)
            finally:
                config.plugins.on_shutdown()
        except click.ClickException as exc:  # MkDocs' Abort, ConfigurationError, PluginError
            return Build(exc.exit_code or 1, "\n".join([*log.lines, exc.format_message()]) + "\n", config=config)
        finally:
            logger.removeHandler(log)
            logger.setLevel(level)
    return Build(0, "\n".join(log.lines) + "\n" if log.lines else "", config=config)


def pages_out(root: Path, out: str, today: str = SITE_TODAY) -> Result:
    """`followthrough pages --out OUT` on the fixture site's day (or `today`)."""
    result = run_cli("pages", "--out", out, "--today", today, cwd=root)
    assert_no_traceback(result)
    return result


REDATES_FIXTURE = DATA / "site" / "redates"  # re-dates in the file and a tracker, decisions, a flagged won't-do
REDATES_TODAY = "2026-06-20"


def built_fixture(factory: pytest.TempPathFactory, fixture: Path, today: str) -> Path:
    """A copy of `fixture` built with `mkdocs build --strict` as of `today`: the copy's root, its
    site in `site/`. For a session- or module-scoped fixture, so one build serves every test."""
    root = factory.mktemp(fixture.name) / "repo"
    shutil.copytree(fixture, root)
    result = build_site(root, strict=True, today=today)
    assert result.returncode == 0, result.stderr
    assert "WARNING" not in result.stderr, result.stderr
    return root
