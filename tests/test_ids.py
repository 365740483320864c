"""Ids are ids: postmortem and item slugs (FT110), GitHub logins (FT601), Slack member ids (FT602)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, strategies as st

from followthrough.core.ids import is_github_login, is_slack_member, is_slug, suggest_slug
from followthrough.core.people import parse_directory

from .conftest import BASE, PEOPLE, assert_no_traceback, run_cli, lint_repo



def lint(root: Path):
    result = run_cli("lint", "--today", "2026-11-23", cwd=root)
    assert_no_traceback(result)
    return result


@pytest.mark.parametrize(
    "written",
    ['"card outage"', '"x --> @acme/everyone [link](https://x.example)"', "Checkout-Outage", '"a/b"', '"-leading"'],
)
def test_a_postmortem_id_that_is_not_a_slug_is_an_error_at_its_line(tmp_path, written):
    root = lint_repo(tmp_path, BASE.replace("---\ntitle:", f"---\nid: {written}\ntitle:", 1))
    result = lint(root)
    assert result.code == 1
    assert "postmortems/2026/2026-05-20-payments.md:2:5: FT110 id: " in result.out
    assert "is not a slug" in result.out


def test_an_item_id_with_a_space_is_an_error_at_its_value(tmp_path):
    root = lint_repo(tmp_path, BASE.replace("  - id: pool-alert", "  - id: pool alert", 1))
    result = lint(root)
    assert result.code == 1
    assert "FT110 action_items[0].id: 'pool alert' is not a slug" in result.out
    assert "e.g. id: pool-alert" in result.out


def test_a_file_name_that_is_not_a_slug_is_named_when_it_is_the_id(tmp_path):
    # Without an `id`, the file's stem is the id; FT107 says the name is wrong, FT110 what it breaks.
    root = lint_repo(tmp_path, name="2026-05-20-Card Outage.md")
    result = lint(root)
    assert result.code == 1
    assert "2026-05-20-Card Outage.md:1:1: FT110 the id defaults to the file name's stem '2026-05-20-Card Outage'" in result.out
    assert "add id: 2026-05-20-card-outage" in result.out


def test_slug_ids_in_use_stay_valid(tmp_path):
    root = lint_repo(tmp_path, BASE.replace("---\ntitle:", "---\nid: sec-2026-001.v2_b\ntitle:", 1))
    result = lint(root)
    assert (result.code, result.out) == (0, "")


def test_people_ids_that_are_not_ids_are_errors_at_their_values(tmp_path):
    people = PEOPLE.replace("teams:\n", '  bad.github: {name: Bad Login, github: "@acme/everyone"}\n  bad.slack: {name: Bad Slack, slack: "U1><!channel"}\n  at.login: {name: At, github: "@anguyen"}\nteams:\n', 1)
    root = lint_repo(tmp_path, people=people)
    result = lint(root)
    assert result.code == 1
    lines = [line for line in result.out.splitlines() if "people.yml" in line]
    assert lines == [
        "postmortems/people.yml:9:41: FT601 people.bad.github.github: '@acme/everyone' is not a GitHub login (1-39 letters, digits or single hyphens, no hyphen at either end)",
        "postmortems/people.yml:10:39: FT602 people.bad.slack.slack: 'U1><!channel' is not a Slack member id (U or W, then capital letters and digits, e.g. U0123ABC; Slack shows it under the profile's 'Copy member ID')",
        "postmortems/people.yml:11:32: FT601 people.at.login.github: '@anguyen' is not a GitHub login (1-39 letters, digits or single hyphens, no hyphen at either end); write it without the '@': github: anguyen",
    ]


def test_an_id_that_fails_is_never_kept_for_a_mention():
    directory, findings = parse_directory('people:\n  a: {name: A, github: "acme/sre", slack: "U1><!channel"}\n  b: {name: B, github: an-nguyen, slack: W0123ABC}\n', "people.yml")
    assert [f.code for f in findings] == ["FT601", "FT602"]
    assert (directory.people["a"].github, directory.people["a"].slack) == (None, None)
    assert (directory.people["b"].github, directory.people["b"].slack) == ("an-nguyen", "W0123ABC")


@pytest.mark.parametrize("login", ["a", "anguyen", "an-nguyen", "A1-b2-C3", "x" * 39])
def test_github_logins(login):
    assert is_github_login(login)


@pytest.mark.parametrize("login", ["", "-a", "a-", "a--b", "acme/sre", "@a", "a b", "x" * 40, "a_b", "a.b", "ü"])
def test_not_github_logins(login):
    assert not is_github_login(login)


@pytest.mark.parametrize("member, ok", [("U0123ABC", True), ("W012AB3CD", True), ("U1", False), ("U1><!channel", False), ("u0123abc", False), ("C0123ABC", False), ("@anguyen", False)])
def test_slack_member_ids(member, ok):
    assert is_slack_member(member) is ok


@given(st.text(max_size=60))
def test_every_suggested_slug_is_a_slug(text):
    assert is_slug(suggest_slug(text))


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
def test_cr_only_and_crlf_files_report_the_lines_an_editor_shows(tmp_path, newline):
    # Findings in the front-matter and in the body, at the same lines as in the LF file.
    text = BASE.replace("  - id: pool-alert", "  - id: pool alert", 1).replace("## Summary\n", "## Summary\n\nIt was human error.\n", 1)
    lf = lint(lint_repo(tmp_path / "lf", text))
    other = lint_repo(tmp_path / "other")
    (other / "postmortems" / "2026" / "2026-05-20-payments.md").write_bytes(text.replace("\n", newline).encode())
    result = lint(other)
    assert result.out == lf.out
    assert ":22:9: FT110" in result.out and ":37:8: FT503" in result.out


def test_a_team_channel_that_is_not_a_channel_id_is_an_error_and_never_kept():
    text = 'people:\n  a: {name: A}\nteams:\n  pay: {name: Payments, manager: a, slack_channel: "#payments"}\n  ops: {name: Ops, slack_channel: C0123OPS}\n'
    directory, findings = parse_directory(text, "people.yml")
    assert [(f.code, f.line) for f in findings] == [("FT603", 4)]
    assert "'#payments' is not a Slack channel id" in findings[0].message
    assert (directory.teams["pay"].slack_channel, directory.teams["pay"].manager) == (None, "a")
    assert directory.teams["ops"].slack_channel == "C0123OPS"
    assert directory.manager_of("pay") is not None and directory.manager_of("pay").name == "A"
    assert directory.manager_of("ops") is None
