"""One config: MkDocs and the CLI validate the plugin section with the same classes, a typo
anywhere in it is an error naming its path, and both ways of reading mkdocs.yml agree."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from followthrough.config.load import load_config

from .conftest import DATA, assert_no_traceback, run_cli

FIXTURE = DATA / "site" / "basic"
TODAY = "2024-07-01"
PAGE = "https://example.test/postmortems/2024/2024-03-05-checkout-outage/"


def repo(tmp_path: Path, settings: str = "", docs_dir: str = "docs") -> Path:
    root = tmp_path / "repo"
    shutil.copytree(FIXTURE, root)
    config = root / "mkdocs.yml"
    text = config.read_text().replace("docs_dir: docs\n", f"docs_dir: {docs_dir}\n")
    config.write_text(text.replace("      site:\n        latest: 3\n", "      site:\n        latest: 3\n" + settings))
    return root


def mkdocs_build(root: Path, today: str = TODAY) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FOLLOWTHROUGH_", "JIRA_", "GITHUB_"))}
    env.update(FOLLOWTHROUGH_TODAY=today, NO_MKDOCS_2_WARNING="1")
    return subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", "site"], cwd=root, env=env, capture_output=True, text=True, timeout=300)


TYPOS = {
    "trackers": (
        "      trackers:\n        destinations:\n          web: {type: github, repo: acme/web, token_evn: WEB_TOKEN}\n",
        "plugins.followthrough.trackers.destinations.web.token_evn: not a setting; did you mean 'token_env'?",
    ),
    "report": ("      report:\n        issue_lable: overdue\n", "plugins.followthrough.report.issue_lable: not a setting; did you mean 'issue_label'?"),
    "site": ("        lastest: 2\n", "plugins.followthrough.site.lastest: not a setting; did you mean 'latest'?"),
    "severities": (
        "      severities:\n        - {name: SEV-1, followup_dayz: 15}\n",
        "plugins.followthrough.severities[0].followup_dayz: not a setting; did you mean 'followup_days'?",
    ),
}


@pytest.mark.slow
@pytest.mark.parametrize("section", sorted(TYPOS))
def test_a_typo_fails_mkdocs_build_strict_naming_its_path(tmp_path, section):
    settings, message = TYPOS[section]
    root = repo(tmp_path, settings)
    result = mkdocs_build(root)
    assert result.returncode != 0, result.stderr
    assert f"mkdocs.yml: {message}" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (root / "site" / "index.html").exists()


@pytest.mark.parametrize("section", sorted(TYPOS))
def test_the_same_typo_stops_every_command_with_the_same_line(tmp_path, section):
    settings, message = TYPOS[section]
    root = repo(tmp_path, settings)
    for command in (["lint"], ["report", "overdue"], ["pages", "--out", str(tmp_path / "out")]):
        result = run_cli(*command, "--today", TODAY, cwd=root)
        assert_no_traceback(result)
        assert result.code == 2, (command, result.err)
        assert f"mkdocs.yml: {message}" in result.err, (command, result.err)


def named_people_file(tmp_path: Path, name: str) -> Path:
    root = repo(tmp_path)
    config = root / "mkdocs.yml"
    config.write_text(config.read_text().replace("  - followthrough:\n", f"  - followthrough:\n      people: {name}\n"))
    return root


def test_a_people_file_named_in_mkdocs_yml_that_is_not_there_stops_every_command(tmp_path):
    # A misspelt file name would otherwise switch off every owner and role check silently.
    root = named_people_file(tmp_path, "peple.yml")
    message = "mkdocs.yml: plugins.followthrough.people: docs/peple.yml does not exist"
    for command in (["lint"], ["report", "overdue"], ["pages", "--out", str(tmp_path / "out")]):
        result = run_cli(*command, "--today", TODAY, cwd=root)
        assert_no_traceback(result)
        assert result.code == 2, (command, result.err)
        assert message in result.err, (command, result.err)
    (root / "docs" / "people.yml").rename(root / "docs" / "peple.yml")
    assert run_cli("lint", "--today", TODAY, cwd=root).code == 0


def test_without_the_default_people_file_any_handle_is_still_accepted(tmp_path):
    root = named_people_file(tmp_path, "people.yml")  # named, but the default: as documented
    (root / "docs" / "people.yml").unlink()
    result = run_cli("lint", "--today", TODAY, cwd=root)
    assert result.code == 0, result.out + result.err


@pytest.mark.slow
def test_a_missing_named_people_file_fails_mkdocs_build(tmp_path):
    root = named_people_file(tmp_path, "peple.yml")
    result = mkdocs_build(root)
    assert result.returncode != 0
    assert "mkdocs.yml: plugins.followthrough.people: docs/peple.yml does not exist" in result.stderr
    assert "Traceback" not in result.stderr


def test_every_problem_of_the_section_is_named_at_once(tmp_path):
    root = repo(tmp_path, "        due_soon_days: soon\n      report:\n        timeout: -1\n        issue_lable: x\n      rulez: {}\n")
    lines = run_cli("lint", cwd=root).err.splitlines()
    for expected in (
        "plugins.followthrough.site.due_soon_days: expected a whole number, got text",
        "plugins.followthrough.report.timeout: must be more than 0 seconds, got -1",
        "plugins.followthrough.report.issue_lable: not a setting; did you mean 'issue_label'?",
        "plugins.followthrough.rulez: not a setting; did you mean 'rules'?",
    ):
        assert any(expected in line for line in lines), (expected, lines)


def test_a_value_of_the_wrong_type_is_named_in_words_not_python_classes(tmp_path):
    root = repo(tmp_path, "        due_soon_days: [7]\n      max_file_mb: big\n      enabled: maybe\n")
    result = run_cli("lint", cwd=root)
    assert result.code == 2
    for expected in (
        "mkdocs.yml: plugins.followthrough.site.due_soon_days: expected a whole number, got a list",
        "mkdocs.yml: plugins.followthrough.max_file_mb: expected a number, got text",
        "mkdocs.yml: plugins.followthrough.enabled: expected true or false, got text",
    ):
        assert expected in result.err, (expected, result.err)
    assert "<class" not in result.err


@pytest.mark.parametrize("docs_dir", ["docs", "./docs/", "docs//"])
def test_the_cli_and_the_site_build_read_docs_dir_alike(tmp_path, docs_dir):
    from mkdocs.config import load_config as mkdocs_config

    root = repo(tmp_path, docs_dir=docs_dir)
    config = mkdocs_config(str(root / "mkdocs.yml"))
    plugin = config.plugins["followthrough"]
    plugin.on_startup(command="serve", dirty=False)  # serve: the build is not sent to a folder beside site_dir
    plugin.on_config(config)
    ours = load_config(root / "mkdocs.yml")
    for field in ("root", "docs_dir", "use_directory_urls"):
        assert getattr(ours, field) == getattr(plugin.loaded, field), field
    assert ours.settings == plugin.loaded.settings
    assert ours.settings.docs_dir == "docs"


def test_report_links_reach_the_page_however_docs_dir_is_written(tmp_path):
    root = repo(tmp_path, docs_dir="./docs/")
    result = run_cli("report", "overdue", "--format", "json", "--today", TODAY, cwd=root)
    assert result.code == 0, result.err
    urls = {item["postmortem"]["url"] for owner in json.loads(result.out)["owners"] for item in owner["items"]}
    assert PAGE in urls, urls


def test_every_command_refuses_invalid_postmortems_with_one_message(tmp_path):
    root = repo(tmp_path)
    (root / "docs" / "2024" / "2024-04-01-bad.md").write_text("no front matter\n")
    finding = "docs/2024/2024-04-01-bad.md:1:1: FT001"
    pages = run_cli("pages", "--out", str(tmp_path / "out"), "--today", TODAY, cwd=root)
    report = run_cli("report", "overdue", "--today", TODAY, cwd=root)
    for result, consequence in ((pages, "no pages written"), (report, "no report made")):
        assert result.code == 1, result.err
        assert f"1 error(s) in postmortems or pages; {consequence} (run `followthrough lint`):\n  {finding}" in result.err


@pytest.mark.slow
def test_the_site_shows_the_figures_of_the_day_followthrough_today_names(tmp_path, monkeypatch):
    from mkdocs.commands.build import build
    from mkdocs.config import load_config as mkdocs_config

    root = repo(tmp_path)
    days = {}
    for today in ("2024-07-01", "2024-07-11"):
        monkeypatch.setenv("FOLLOWTHROUGH_TODAY", today)
        build(mkdocs_config(str(root / "mkdocs.yml"), site_dir=str(root / "site")))
        days[today] = (root / "site" / "overdue" / "index.html").read_text(encoding="utf-8")
    # The checkout outage's item was due 2024-03-18: 105 days overdue on 1 July, 115 on 11 July.
    assert ">105 d<" in days["2024-07-01"] and ">115 d<" not in days["2024-07-01"]
    assert ">115 d<" in days["2024-07-11"] and ">105 d<" not in days["2024-07-11"]


BOOLEANS_AS_NUMBERS = {
    "site.due_soon_days": "        due_soon_days: true\n",
    "report.retries": "      report:\n        retries: yes\n",
    "trackers.timeout": "      trackers:\n        timeout: true\n",
    "severities[0].min_people": "      severities:\n        - {name: SEV-1, min_people: true}\n",
    "severities[0].followup_days": "      severities:\n        - {name: SEV-1, followup_days: false}\n",
}


@pytest.mark.parametrize("path", sorted(BOOLEANS_AS_NUMBERS))
def test_true_or_false_is_not_a_number(tmp_path, path):
    # Python counts True as 1: `due_soon_days: true` was read as one day.
    root = repo(tmp_path, BOOLEANS_AS_NUMBERS[path])
    result = run_cli("lint", "--today", TODAY, cwd=root)
    assert_no_traceback(result)
    assert result.code == 2, result.err
    assert f"mkdocs.yml: plugins.followthrough.{path}: expected a number, got " in result.err, result.err
