"""`rules` and `rules_per_path` in mkdocs.yml: levels changed, rules switched off, mistakes named."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthrough.config.load import validate_plugin_section
from followthrough.config.rubric import settings_from_plugin
from followthrough.core.errors import ConfigError
from followthrough.core.findings import Finding, Level
from followthrough.core.catalog import RULES
from followthrough.core.levels import apply_levels

from .conftest import BASE, PEOPLE, assert_no_traceback, run_cli

BLAME = BASE.replace("A retry loop held", "It was human error. A retry loop held")  # FT503 on line 53


def levels_of(section: dict, docs_dir: str = "postmortems"):
    plugin = validate_plugin_section(section, None, "mkdocs.yml")
    return settings_from_plugin(plugin, docs_dir, "", "mkdocs.yml").rule_levels


def config_error(section: dict) -> str:
    with pytest.raises(ConfigError) as caught:
        levels_of(section)
    return str(caught.value)


def finding(code: str, path: str = "postmortems/2026/2026-05-20-x.md") -> Finding:
    return Finding(path, 3, 1, code, "m", RULES[code].level)


# --- reading the settings -------------------------------------------------------------


def test_no_settings_change_nothing():
    found = [finding("FT503"), finding("FT305")]
    assert apply_levels(found, levels_of({})) == found


def test_off_warning_and_error_set_the_level_everywhere():
    levels = levels_of({"rules": {"FT503": "off", "FT306": "error", "FT305": "warning"}})
    got = apply_levels([finding("FT503"), finding("FT306"), finding("FT305"), finding("FT502")], levels)
    assert [(f.code, f.level) for f in got] == [("FT306", Level.ERROR), ("FT305", Level.WARNING), ("FT502", Level.ERROR)]


def test_yaml_reads_unquoted_off_as_false_and_that_means_off():
    assert apply_levels([finding("FT503")], levels_of({"rules": {"FT503": False}})) == []


def test_per_path_globs_are_relative_to_docs_dir_and_the_last_match_wins():
    levels = levels_of(
        {
            "rules": {"FT306": "error"},
            "rules_per_path": {"2019/**": {"FT306": "off", "FT503": "off"}, "2019/2019-03-*": {"FT306": "warning"}},
        }
    )
    old = "postmortems/2019/2019-01-02-a.md"
    march = "postmortems/2019/2019-03-04-b.md"
    new = "postmortems/2026/2026-05-20-c.md"
    got = apply_levels([finding("FT306", old), finding("FT503", old), finding("FT306", march), finding("FT306", new)], levels)
    assert [(f.path, f.level) for f in got] == [(march, Level.WARNING), (new, Level.ERROR)]


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("2019/**", "2019/2019-01-02-a.md", True),
        ("2019/**", "2019/q1/2019-01-02-a.md", True),
        ("2019", "2019/2019-01-02-a.md", True),  # a folder: everything in it
        ("2019/", "2019/2019-01-02-a.md", True),
        ("2019/*.md", "2019/q1/2019-01-02-a.md", False),  # '*' stays within one folder
        ("2019/*.md", "2019/2019-01-02-a.md", True),
        ("*-drill.md", "2024/2024-02-03-region-drill.md", True),  # no '/': any depth, like .gitignore
        ("/2024-*.md", "2024/2024-02-03-region-drill.md", False),  # a leading '/' anchors at docs_dir
        ("2019/**", "2020/2019-01-02-a.md", False),
        ("20?9/**", "2019/x.md", True),
        ("**/legacy/*", "2019/legacy/x.md", True),
        ("**/legacy/*", "legacy/x.md", True),
    ],
)
def test_glob_shapes(pattern, path, matches):
    levels = levels_of({"rules_per_path": {pattern: {"FT503": "off"}}})
    assert (apply_levels([finding("FT503", "postmortems/" + path)], levels) == []) is matches


def test_a_year_folder_written_as_a_bare_number_is_a_path():
    levels = levels_of({"rules_per_path": {2019: {"FT503": "off"}}})
    assert apply_levels([finding("FT503", "postmortems/2019/2019-01-02-a.md")], levels) == []


def test_docs_dir_dot_means_paths_from_the_config_folder():
    levels = levels_of({"rules_per_path": {"2019/**": {"FT503": "off"}}}, docs_dir=".")
    assert apply_levels([finding("FT503", "2019/2019-01-02-a.md")], levels) == []


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ({"rules": {"FT999": "off"}}, "plugins.followthrough.rules.FT999: not a rule code"),
        ({"rules": {"FT5O3": "off"}}, "did you mean 'FT503'?"),
        ({"rules": {"ft503": "off"}}, "did you mean 'FT503'?"),
        ({"rules": {"blame-language": "off"}}, "rules are named by code; did you mean 'FT503'?"),
        ({"rules": {"FT503": "warn"}}, "plugins.followthrough.rules.FT503: 'warn' is not a level; use off, info, warning or error; did you mean 'warning'?"),
        ({"rules": {"FT503": True}}, "plugins.followthrough.rules.FT503: true is not a level"),
        ({"rules": ["FT503"]}, "plugins.followthrough.rules: expected a mapping of rule codes to off, info, warning or error"),
        ({"rules_per_path": {"2019/**": "off"}}, "plugins.followthrough.rules_per_path.'2019/**': expected a mapping of rule codes"),
        ({"rules_per_path": {"2019/**": {"FT35": "off"}}}, "plugins.followthrough.rules_per_path.'2019/**'.FT35: not a rule code"),
        ({"rules_per_path": {"": {"FT503": "off"}}}, "plugins.followthrough.rules_per_path.'': a path glob cannot be empty"),
        ({"rules_per_path": {"../x/**": {"FT503": "off"}}}, "relative to docs_dir"),
        ({"rulez": {"FT503": "off"}}, "plugins.followthrough.rulez: not a setting; did you mean 'rules'?"),
    ],
)
def test_mistakes_name_the_setting(section, expected):
    assert expected in config_error(section)


@pytest.mark.parametrize("code", ["FT005", "FT006", "FT008", "FT009", "FT003", "FT103", "FT010"])
def test_locked_rules_cannot_be_switched_off_and_say_why(code):
    assert RULES[code].locked
    message = config_error({"rules": {code: "off"}})
    assert f"plugins.followthrough.rules.{code}: cannot be switched off or changed: {RULES[code].locked}" in message
    assert f".'2019/**'.{code}: cannot be switched off" in config_error({"rules_per_path": {"2019/**": {code: "warning"}}})


def test_a_locked_rule_at_its_own_level_is_accepted():
    assert levels_of({"rules": {"FT005": "error"}}) is not None


def test_every_problem_is_reported_at_once():
    message = config_error({"rules": {"FT999": "off", "FT503": "loud"}, "rules_per_path": {"x/**": {"FT005": "off"}}})
    assert "FT999" in message and "'loud'" in message and "FT005" in message


# --- the real CLI ---------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    docs = tmp_path / "postmortems"
    (docs / "2026").mkdir(parents=True)
    (docs / "people.yml").write_text(PEOPLE)
    return tmp_path


def write_config(repo: Path, section: str = "") -> None:
    plugin = "  - followthrough\n" if not section else "  - followthrough:\n" + section
    (repo / "mkdocs.yml").write_text("site_name: T\ndocs_dir: postmortems\nplugins:\n" + plugin)


def test_cli_rules_off_and_raised(repo):
    (repo / "postmortems" / "2026" / "2026-05-20-payments.md").write_text(BLAME.replace("due: 2026-06-15", "due: 2026-09-30"))  # and FT306
    write_config(repo)
    before = run_cli("lint", cwd=repo)
    assert before.code == 0 and "FT503" in before.out and "FT306" in before.out
    write_config(repo, "      rules: {FT503: off, FT306: error}\n")
    after = run_cli("lint", cwd=repo)
    assert_no_traceback(after)
    assert after.code == 1
    assert "FT503" not in after.out
    assert "FT306" in after.out and "(warning)" not in after.out


def test_cli_rules_per_path(repo):
    old = repo / "postmortems" / "2019" / "2019-05-20-payments.md"
    old.parent.mkdir()
    old.write_text(BLAME.replace("2026-", "2019-"))
    (repo / "postmortems" / "2026" / "2026-05-20-payments.md").write_text(BLAME.replace("id: pool", "id: new-pool"))
    write_config(repo, '      rules: {FT503: error}\n      rules_per_path:\n        "2019/**": {FT503: off}\n')
    result = run_cli("lint", cwd=repo)
    assert result.code == 1
    assert [line.split(":")[0] for line in result.out.splitlines()] == ["postmortems/2026/2026-05-20-payments.md"]


def test_cli_bad_rule_setting_exits_2_naming_it(repo):
    write_config(repo, "      rules: {FT5O3: off}\n")
    result = run_cli("lint", cwd=repo)
    assert_no_traceback(result)
    assert result.code == 2
    assert "mkdocs.yml: plugins.followthrough.rules.FT5O3: not a rule code; did you mean 'FT503'?" in result.err


def test_cli_locked_rule_exits_2_with_the_reason(repo):
    write_config(repo, "      rules: {FT005: off}\n")
    result = run_cli("lint", cwd=repo)
    assert result.code == 2
    assert "rules.FT005: cannot be switched off or changed" in result.err
