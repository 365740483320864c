"""The real `followthrough` command: exit codes, output formats, usage and config errors, `new`."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import BASE, DATA, assert_no_traceback, run_cli, lint_repo



@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return lint_repo(tmp_path)


def test_clean_repo_exits_0(repo):
    result = run_cli("lint", cwd=repo)
    assert (result.code, result.out) == (0, "")
    assert "1 postmortem(s) checked: 0 error(s), 0 warning(s)" in result.err


def test_errors_exit_1_with_path_line_col(repo):
    target = repo / "postmortems" / "2026" / "2026-05-20-payments.md"
    target.write_text(BASE.replace("due: 2026-06-15", "due: next sprint"))
    result = run_cli("lint", cwd=repo)
    assert result.code == 1
    assert result.out == (
        "postmortems/2026/2026-05-20-payments.md:33:10: FT303 action_items[1].due: 'next sprint' is a period, "
        "not a date; write the day it is due as YYYY-MM-DD\n"
    )


def test_warnings_pass_unless_strict(repo):
    target = repo / "postmortems" / "2026" / "2026-05-20-payments.md"
    target.write_text(BASE.replace("reviewed: 2026-05-22\n", ""))
    relaxed = run_cli("lint", cwd=repo)
    assert relaxed.code == 0 and "FT504" in relaxed.out and "(warning)" in relaxed.out
    assert run_cli("lint", "--strict", cwd=repo).code == 1


def test_github_and_json_formats(repo):
    target = repo / "postmortems" / "2026" / "2026-05-20-payments.md"
    target.write_text(BASE.replace("reviewed: 2026-05-22\n", "").replace("due: 2026-06-15", "due: Q3"))
    gh = run_cli("lint", "--format", "github", cwd=repo)
    assert gh.code == 1
    assert gh.out.splitlines() == [
        "::warning file=postmortems/2026/2026-05-20-payments.md,line=1,col=1,title=FT504::reviewed: a published SEV-2 postmortem records the date of its review meeting",
        "::error file=postmortems/2026/2026-05-20-payments.md,line=32,col=10,title=FT303::action_items[1].due: 'Q3' is a period, not a date; write the day it is due as YYYY-MM-DD",
    ]
    data = json.loads(run_cli("lint", "--format", "json", cwd=repo).out)
    assert [(d["code"], d["level"], d["line"]) for d in data] == [("FT504", "warning", 1), ("FT303", "error", 32)]


def test_one_bad_file_does_not_stop_the_others(repo):
    docs = repo / "postmortems" / "2026"
    (docs / "2026-05-21-broken.md").write_text("---\ntitle: [unclosed\n---\n")
    (docs / "2026-05-22-binary.md").write_bytes(b"---\ntitle: \xff\xfe\n---\n")
    (docs / "2026-05-23-other.md").write_text(BASE.replace("due: 2026-06-15", "due: ASAP"))
    result = run_cli("lint", cwd=repo)
    assert_no_traceback(result)
    assert result.code == 1
    codes = {line.split(": ")[1].split()[0] for line in result.out.splitlines()}
    assert {"FT003", "FT009", "FT303"} <= codes
    assert "2026-05-22-binary.md:1:1: FT009 the file is not UTF-8 text" in result.out
    assert "4 postmortem(s) checked" in result.err or "3 postmortem(s) checked" in result.err


def test_usage_errors_exit_2(repo):
    missing = run_cli("lint", "no/such/place", cwd=repo)
    assert missing.code == 2 and "no/such/place: no such file or folder" in missing.err
    bad_today = run_cli("lint", "--today", "tomorrow", cwd=repo)
    assert bad_today.code == 2 and "--today 'tomorrow'" in bad_today.err
    unknown = run_cli("lint", "--colour", cwd=repo)
    assert unknown.code == 2
    for r in (missing, bad_today, unknown):
        assert_no_traceback(r)


def test_bad_environment_today_names_the_variable(repo):
    result = run_cli("lint", cwd=repo, env={"FOLLOWTHROUGH_TODAY": "2026-13-01"})
    assert result.code == 2
    assert "FOLLOWTHROUGH_TODAY='2026-13-01'" in result.err


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("  - followthrough:\n      priorities: P1\n", "plugins.followthrough.priorities"),
        ("  - followthrough:\n      severities:\n        - {title: no name}\n", "plugins.followthrough.severities"),
        ("  - followthrough:\n      role_combinations:\n        - {roles: [commander, sme], allowed_at: [SEV-9]}\n", "allowed_at: ['SEV-9']"),
        ("  - followthrough:\n      sections: {postmortem: [Summary]}\n", "'postmortem' is not a kind"),
    ],
)
def test_config_errors_name_the_setting(repo, section, expected):
    (repo / "mkdocs.yml").write_text("site_name: T\ndocs_dir: postmortems\nplugins:\n" + section)
    result = run_cli("lint", cwd=repo)
    assert_no_traceback(result)
    assert result.code == 2
    assert "mkdocs.yml" in result.err and expected in result.err


def test_invalid_mkdocs_yaml_names_file_and_line(repo):
    (repo / "mkdocs.yml").write_text("site_name: T\nplugins: [followthrough\n")
    result = run_cli("lint", cwd=repo)
    assert result.code == 2
    assert_no_traceback(result)
    assert "mkdocs.yml:3:" in result.err


def test_custom_rubric_is_used(repo):
    (repo / "mkdocs.yml").write_text(
        "site_name: T\ndocs_dir: postmortems\nplugins:\n  - followthrough:\n      severities:\n"
        "        - {name: P0, followup_days: 7}\n        - {name: P1}\n"
    )
    result = run_cli("lint", cwd=repo)
    assert result.code == 1
    assert "severity: 'SEV-2' is not one of P0, P1" in result.out


def test_people_directory_errors_are_findings(repo):
    (repo / "postmortems" / "people.yml").write_text("people:\n  a: [not, a, mapping]\n  b: {name: B, tem: x}\n")
    result = run_cli("lint", cwd=repo)
    assert result.code == 1
    assert "postmortems/people.yml:2:1: FT103 people.a" in result.out
    assert "postmortems/people.yml:3:" in result.out and "'tem'" in result.out


def test_without_people_directory_any_single_handle_is_accepted(repo):
    (repo / "postmortems" / "people.yml").unlink()
    assert run_cli("lint", cwd=repo).code == 0
    target = repo / "postmortems" / "2026" / "2026-05-20-payments.md"
    target.write_text(BASE.replace("    owner: nia.sme", "    owner: nia and max"))
    result = run_cli("lint", cwd=repo)
    assert result.code == 1 and "FT301" in result.out


def test_new_creates_a_skeleton_whose_findings_say_what_to_fill_in(repo):
    result = run_cli("new", 'Checkout: "pay" button dead', "--severity", "SEV-2", "--date", "2026-11-20", cwd=repo)
    assert result.code == 0, result.err
    path = repo / result.out.strip()
    assert path == repo / "postmortems" / "2026" / "2026-11-20-checkout-pay-button-dead.md"
    front = yaml.safe_load(path.read_text().split("---\n")[1])
    assert front["title"] == 'Checkout: "pay" button dead' and front["status"] == "draft"
    lint = run_cli("lint", str(path.relative_to(repo)), cwd=repo)
    assert lint.code == 1
    codes = {line.split(": ")[1].split()[0] for line in lint.out.splitlines()}
    assert codes == {"FT505"}, lint.out
    assert "started: fill in when impact began" in lint.out
    for section in ("Summary", "Timeline", "Impact", "Root cause", "What went well", "What went poorly", "Action items"):
        assert f"## {section}\n" in path.read_text()


def test_new_refuses_to_overwrite_and_checks_severity(repo):
    first = run_cli("new", "db failover", "--date", "2026-11-20", cwd=repo)
    assert first.code == 0
    before = (repo / first.out.strip()).read_text()
    again = run_cli("new", "db failover", "--date", "2026-11-20", cwd=repo)
    assert again.code == 2 and "already exists" in again.err
    assert (repo / first.out.strip()).read_text() == before
    bad = run_cli("new", "x", "--severity", "SEV9", cwd=repo)
    assert bad.code == 2 and "use one of SEV-0" in bad.err


def test_new_game_day_uses_its_sections_and_today_from_env(repo):
    result = run_cli("new", "Region failover drill", "--kind", "game-day", cwd=repo, env={"FOLLOWTHROUGH_TODAY": "2026-03-04"})
    assert result.code == 0
    path = repo / result.out.strip()
    assert path.name == "2026-03-04-region-failover-drill.md"
    text = path.read_text()
    assert "kind: game-day" in text and "## Impact" not in text


def test_help_and_version(repo):
    assert run_cli("--version", cwd=repo).out.startswith("followthrough ")
    helped = run_cli("lint", "--help", cwd=repo)
    assert helped.code == 0 and "--format" in helped.out
    assert run_cli(cwd=repo).code == 2


def test_lint_from_a_subfolder_finds_the_config(repo):
    sub = repo / "postmortems" / "2026"
    result = run_cli("lint", ".", cwd=sub)
    assert result.code == 0, result.out + result.err


def test_default_config_when_there_is_no_mkdocs_yml(tmp_path):
    shutil.copytree(DATA / "rules" / "docs", tmp_path / "postmortems", ignore=shutil.ignore_patterns("*ft*"))
    result = run_cli("lint", cwd=tmp_path)
    assert result.code == 0, result.out


SECOND_SIGTERM = """
import os, signal, sys, time
import followthrough.cli.related as related
from followthrough.cli import main as m

def run(args, out, err):  # a command the first SIGTERM stops midway
    os.kill(os.getpid(), signal.SIGTERM)
    time.sleep(30)

related.run = run
write = m.Redacting.write
def again(self, text):  # a second SIGTERM (a cancelled CI job, `timeout`, a user) on the way out
    if "stopped (SIGTERM)" in text:
        os.kill(os.getpid(), signal.SIGTERM)
    return write(self, text)
m.Redacting.write = again
sys.argv = ["followthrough", "related", "x.md"]
m.run()
"""


def test_a_second_sigterm_on_the_way_out_is_no_traceback(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-c", SECOND_SIGTERM], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 143, proc.stderr
    assert proc.stderr == "followthrough: stopped (SIGTERM); what was done so far is kept\n"
