"""The review issues over the life of a people directory: handles that differ only in case or
punctuation keep issues of their own, a team that is removed or renamed has its issue closed
instead of left open forever, and many teams cost one listing, not one per team.

Through PyGithub against the fake GitHub, on the tests/data/review fixture.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from followthrough.cli.report_review import marker

from .conftest import DATA
from .fakes.github_server import FakeGitHub
from .test_report_review_post import REPO, empty_search_agenda, post_review, review_issues


@pytest.fixture
def review_dir(tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(DATA / "review", target)
    return target


def edit_people(repo_dir: Path, old: str, new: str) -> None:
    people = repo_dir / "postmortems/people.yml"
    text = people.read_text()
    assert old in text
    people.write_text(text.replace(old, new))


@pytest.mark.parametrize("handles", [("Search", "search"), ("a b", "a-b"), ("données", "donn-es"), ("日本", "中国"), ("no-team", "(no team)")])
def test_no_two_handles_share_a_marker(handles: tuple[str, str]) -> None:
    from followthrough.cli.report_review import team_of_marker

    one, two = (marker(h) for h in handles)
    assert one != two and one not in two and two not in one
    for h in handles:
        assert team_of_marker(marker(h)) == h
        inner = marker(h)[len("<!--") : -len("-->")]
        assert "-->" not in inner and ">" not in inner and " " not in inner.strip()


def test_teams_whose_handles_differ_in_case_keep_one_issue_each(review_dir: Path, github: FakeGitHub) -> None:
    # "Search" has nothing on its agenda; "search" has. Folded to one marker, every run closed
    # search's issue as Search's and opened a new one.
    edit_people(review_dir, "  search: {name: Search}\n", "  Search: {name: Search upper}\n  search: {name: Search}\n")
    assert post_review(review_dir, github).code == 0
    number = review_issues(github)["Weekly review: Search"].number
    github.reset_counts()
    again = post_review(review_dir, github)
    assert again.code == 0, again.err
    assert github.counts()["write"] == 0, again.out
    assert review_issues(github)["Weekly review: Search"].number == number
    assert f"team search: issue #{number} already up to date" in again.out


def test_a_removed_team_has_its_issue_closed(review_dir: Path, github: FakeGitHub) -> None:
    assert post_review(review_dir, github).code == 0
    number = review_issues(github)["Weekly review: Search"].number
    edit_people(review_dir, "  search: {name: Search}\n", "")
    edit_people(review_dir, "team: search", "team: platform")
    # One team's run leaves the others' issues alone: it does not know their agendas.
    one = post_review(review_dir, github, "--team", "payments")
    assert one.code == 0, one.err
    assert "Weekly review: Search" in review_issues(github)
    everyone = post_review(review_dir, github)
    assert everyone.code == 0, everyone.err
    assert f"{REPO}: team 'search' is not a team any more: closed issue #{number}" in everyone.out
    assert "Weekly review: Search" not in review_issues(github)
    gone = github.repo(REPO).issues[number]
    assert (gone.state, gone.state_reason) == ("closed", "completed")
    assert "Team search has no weekly review any more as of 2026-06-15" in gone.body
    assert marker("search") in gone.body
    assert sorted(review_issues(github)) == ["Weekly review: (no team)", "Weekly review: Payments", "Weekly review: Platform"]
    # Closed once: the next run finds nothing to close.
    github.reset_counts()
    assert post_review(review_dir, github).code == 0
    assert github.counts()["write"] == 0


def test_a_renamed_team_moves_to_a_new_issue_and_the_old_one_closes(review_dir: Path, github: FakeGitHub) -> None:
    assert post_review(review_dir, github).code == 0
    old = review_issues(github)["Weekly review: Search"].number
    edit_people(review_dir, "  search: {name: Search}\n", "  discovery: {name: Discovery}\n")
    edit_people(review_dir, "team: search", "team: discovery")
    result = post_review(review_dir, github)
    assert result.code == 0, result.err
    issues = review_issues(github)
    assert "Weekly review: Search" not in issues and issues["Weekly review: Discovery"].number != old
    assert github.repo(REPO).issues[old].state == "closed"


def test_the_overdue_issue_is_not_taken_for_a_gone_team(review_dir: Path, github: FakeGitHub) -> None:
    config = review_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("      report:\n", "      report:\n        review_label: overdue-report\n"))
    from .conftest import run_cli

    env = {"GITHUB_TOKEN": "gh-test-token", "GITHUB_API_URL": github.api}
    assert run_cli("report", "overdue", "--post", "github-issue", "--today", "2026-06-15", cwd=review_dir, env=env).code == 0
    assert post_review(review_dir, github).code == 0
    overdue = [i for i in github.issues(REPO) if i.title == "Overdue postmortem action items"]
    assert [i.state for i in overdue] == ["open"]


def test_many_teams_cost_one_listing(review_dir: Path, github: FakeGitHub) -> None:
    teams = "".join(f"  team{n:03}: {{name: Team {n}}}\n" for n in range(500))
    edit_people(review_dir, "teams:\n", "teams:\n" + teams)
    github.reset_counts()
    result = post_review(review_dir, github)
    assert result.code == 0, result.err
    assert result.out.count("and no report issue open; nothing written") == 500
    created = github.count(method="POST", path=r"/issues$")
    assert created == 4
    # One listing for all 504 teams, and one more after each create (a racing run's duplicate).
    assert github.count(method="GET", path=r"/issues$") == 1 + created
    assert github.count(method="GET", path=r"/labels/") == 1  # read once for the four issues made
    assert github.count(method="GET") == 1 + 1 + 1 + created  # the repo, the listing, the label, the looks


def test_a_long_team_name_gives_a_title_github_takes(review_dir: Path, github: FakeGitHub) -> None:
    """GitHub refuses a title over 256 characters; the refusal stopped every team after it."""
    long_name = "Payments " + "and more " * 40
    edit_people(review_dir, "payments: {name: Payments,", f"payments: {{name: {long_name.strip()},")
    result = post_review(review_dir, github)
    assert result.code == 0, result.err
    titles = sorted(review_issues(github))
    assert len(titles) == 4
    [title] = [t for t in titles if t.startswith("Weekly review: Payments and more")]
    assert len(title) == 256 and title.endswith("…")
    github.reset_counts()
    assert post_review(review_dir, github).code == 0
    assert github.counts()["write"] == 0  # the cut title is the same each run: nothing to edit


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("review_label", "review, weekly", "plugins.followthrough.report.review_label: must not hold a comma: GitHub's issue listing reads one as between two labels, so the issue would never be found again; got 'review, weekly'"),
        ("issue_label", "overdue,report", "plugins.followthrough.report.issue_label: must not hold a comma"),
        ("review_label", "r" * 51, "plugins.followthrough.report.review_label: at most 50 characters, as GitHub takes; got 51"),
    ],
)
def test_a_label_github_cannot_list_by_is_a_configuration_error(review_dir: Path, github: FakeGitHub, setting: str, value: str, message: str) -> None:
    """Listed by `labels=review, weekly`, the issue was never found again: a new one every run."""
    config = review_dir / "mkdocs.yml"
    config.write_text(config.read_text().replace("      report:\n", f"      report:\n        {setting}: '{value}'\n"))
    result = post_review(review_dir, github, "--team", "payments")
    assert result.code == 2
    assert message in result.err
    assert github.issues(REPO) == []


def test_what_the_run_prints_holds_no_control_character(review_dir: Path, github: FakeGitHub) -> None:
    """The run's lines go to the workflow's log: a team's name with an escape sequence or a carriage
    return is shown escaped there, as every other log line is."""
    edit_people(review_dir, "  search: {name: Search}\n", '  search: {name: "Se\\e[2K\\rarch"}\n')
    result = post_review(review_dir, github, "--team", "search")
    assert result.code == 0, result.err
    assert "\x1b" not in result.out and "\r" not in result.out
    created = review_issues(github)
    assert len(created) == 1
    # Emptied, the closing line names the team: escaped too.
    empty_search_agenda(review_dir)
    closed = post_review(review_dir, github, "--team", "search")
    assert closed.code == 0, closed.err
    assert "nothing on the agenda of Se\\x1b[2K\\rarch: closed issue" in closed.out


def test_a_marker_written_in_a_report_line_does_not_make_it_another_teams_issue(review_dir: Path, github: FakeGitHub) -> None:
    """A ticket key is shown as written (in a code span): one holding platform's marker put that
    marker into payments' issue, so platform's run took payments' issue for its own, rewrote it
    and closed its own as a duplicate, and payments opened a new issue every run."""
    import json

    state_file = review_dir / ".followthrough/state.json"
    state = json.loads(state_file.read_text())
    state["items"]["2026-05-01-checkout-outage/canary"]["ticket"] = marker("platform")
    state_file.write_text(json.dumps(state))
    assert post_review(review_dir, github).code == 0
    issues = review_issues(github)
    assert sorted(issues) == ["Weekly review: (no team)", "Weekly review: Payments", "Weekly review: Platform", "Weekly review: Search"]
    assert marker("platform") in issues["Weekly review: Payments"].body  # as the ticket's text
    github.reset_counts()
    again = post_review(review_dir, github)
    assert again.code == 0, again.err
    assert github.counts()["write"] == 0, again.out
    assert {t: i.number for t, i in review_issues(github).items()} == {t: i.number for t, i in issues.items()}
