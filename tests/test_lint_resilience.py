"""A bug met while checking one file is a finding on that file; every other file is still checked."""

from __future__ import annotations

import io
from pathlib import Path
import shutil
from datetime import date

import pytest

from followthrough.core import lint as lint_module
from followthrough.cli.main import main
from followthrough.core.lint import lint_texts

from .conftest import BASE, DATA, lint_context

CTX = lint_context()


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


def _corpus(tmp_path, n):
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    from gen_corpus import generate

    generate(tmp_path / "postmortems", n)
    (tmp_path / "mkdocs.yml").write_text("site_name: T\ndocs_dir: postmortems\nplugins:\n  - followthrough\n")
    return tmp_path


def test_a_symlink_loop_is_a_finding_on_it_and_the_rest_is_checked(tmp_path):
    from .conftest import run_cli

    root = _corpus(tmp_path, 3)
    broken = next((root / "postmortems").rglob("20*.md"))
    broken.write_text(broken.read_text().replace("severity: SEV-", "severity: SEV-9", 1))
    loop = root / "postmortems" / "2026" / "2026-01-01-loop.md"  # a link to itself, as git can store
    loop.parent.mkdir(exist_ok=True)
    loop.symlink_to(loop.name)
    result = run_cli("lint", "--today", "2026-11-23", cwd=root)
    assert result.code == 1, result.err
    assert "Traceback" not in result.err and "internal error" not in result.err
    # A link is refused (FT012) without being followed, so its loop is never met.
    assert any("2026-01-01-loop.md" in line and "FT012" in line for line in result.out.splitlines()), result.out
    assert "FT104" in result.out


def test_workers_give_the_same_report_as_one_process(tmp_path):
    from .conftest import run_cli

    root = _corpus(tmp_path, 260)
    files = sorted((root / "postmortems").rglob("20*.md"))
    files[3].write_text("---\ntitle: [unclosed\n---\n")  # FT003
    files[200].write_text(files[200].read_text().replace("id: ", "id: x", 1))
    dup = files[10].read_text()
    files[250].write_text(dup.replace("title: ", "id: shared\ntitle: ", 1))  # an id shared across chunks
    files[11].write_text(dup.replace("title: ", "id: shared\ntitle: ", 1))
    one = run_cli("lint", "-j", "1", "--format", "json", "--today", "2026-11-23", cwd=root)
    many = run_cli("lint", "-j", "2", "--format", "json", "--today", "2026-11-23", cwd=root)
    assert one.code == many.code == 1
    assert one.out == many.out and "FT106" in one.out and "FT003" in one.out


def test_a_worker_that_dies_fails_the_run_with_a_message_not_a_hang(tmp_path, monkeypatch):
    import os
    import signal

    from followthrough.files import repo as repo_module
    from followthrough.config.load import load_config
    from followthrough.core.errors import FollowthroughError

    root = _corpus(tmp_path, 220)
    real = repo_module._lint_part

    def dies_on_the_first_chunk(work, start, end):  # forked workers inherit this stand-in
        if start == 0 and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)  # what the out-of-memory killer does
        return real(work, start, end)

    parent = os.getpid()
    monkeypatch.setattr(repo_module, "_lint_part", dies_on_the_first_chunk)
    with pytest.raises(FollowthroughError, match="worker process died"):
        repo_module.lint_repo(load_config(root / "mkdocs.yml"), today=date(2026, 11, 23), jobs=2)
