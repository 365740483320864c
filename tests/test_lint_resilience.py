"""A bug met while checking one file is a finding on that file; every other file is still checked."""

from __future__ import annotations

import io
import shutil
from datetime import date

import pytest

from followthrough import lint as lint_module
from followthrough.cli.main import main
from followthrough.lint import lint_texts
from followthrough.model import Directory
from followthrough.rules.context import Context
from followthrough.settings import DEFAULT_SETTINGS

from .conftest import DATA

BASE = (DATA / "rules" / "docs" / "2026" / "2026-05-20-pass-base.md").read_text()
CTX = Context(DEFAULT_SETTINGS, Directory(), date(2026, 11, 23))


class _BreaksOnB:
    """A rule with a bug that only one file triggers: a stand-in for any bug of ours."""

    @staticmethod
    def check(pm, ctx):
        if pm.path.endswith("-b.md"):
            raise KeyError("boom")
        return []


@pytest.fixture
def broken_rule(monkeypatch):
    monkeypatch.setattr(lint_module, "RULE_MODULES", (*lint_module.RULE_MODULES, _BreaksOnB))


def _texts():
    bad = BASE.replace("severity: SEV-2", "severity: SEV-9")
    return [("2026/2026-05-20-a.md", bad), ("2026/2026-05-20-b.md", BASE), ("2026/2026-05-20-c.md", bad)]


def test_the_broken_file_gets_ft000_and_the_others_keep_their_findings(broken_rule):
    result = lint_texts(_texts(), CTX)
    codes = {path: sorted({f.code for f in result.findings if f.path == path}) for path, _ in _texts()}
    assert codes == {"2026/2026-05-20-a.md": ["FT104"], "2026/2026-05-20-b.md": ["FT000"], "2026/2026-05-20-c.md": ["FT104"]}
    (message,) = [f.message for f in result.findings if f.code == "FT000"]
    assert "KeyError" in message and "please report" in message


def test_debugging_lets_the_bug_through(broken_rule):
    with pytest.raises(KeyError):
        lint_texts(_texts(), CTX, reraise=True)


def test_the_command_reports_every_file_and_exits_1_not_3(broken_rule, tmp_path, monkeypatch):
    shutil.copy(DATA / "rules" / "mkdocs.yml", tmp_path / "mkdocs.yml")
    docs = tmp_path / "docs"
    (docs / "2026").mkdir(parents=True)
    shutil.copy(DATA / "rules" / "docs" / "people.yml", docs / "people.yml")
    for path, text in _texts():
        (docs / path).write_text(text)
    monkeypatch.delenv("FOLLOWTHROUGH_DEBUG", raising=False)
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    code = main(["lint", "--today", "2026-11-23"], out, err)
    assert code == 1
    lines = out.getvalue().splitlines()
    assert sum("FT104" in line for line in lines) == 2
    assert any("-b.md" in line and "FT000" in line for line in lines)
    assert "internal error:" not in err.getvalue() and "Traceback" not in err.getvalue()
