"""The follow-through reports: the weekly review agenda per team, escalation in the overdue
report, reminders, against hand-computed expectations on tests/data/review, and every format
through the real CLI.

The fixture, as of 2026-06-15 (the review looks back to 2026-06-08 by default):
- payments (manager e.berg, channel C0PAYMENTS), SEV-1 incident: `canary` 14 days overdue by the
  tracker's word (escalated: SEV-1 escalates once overdue; re-dated 2026-05-15 -> 06-01 on 05-14),
  `rollback` due 06-20 (re-dated 06-10 -> 06-20 on 06-09, approved by e.berg), `legacy` won't do
  with a decision of 06-12, `flags` closed as won't do in the tracker with no decision, `alert`
  done on 06-10, `dashboards` due 06-17;
- platform (manager a.nguyen, channel C0PLATFORM), SEV-2: `pool` 21 days overdue (escalated:
  SEV-2 escalates after 14), `pool-size` 10 days overdue (not yet);
- search (no manager, no channel), SEV-3: `index` 45 days overdue (SEV-3 never escalates),
  `capacity` moved in Jira 06-30 -> 07-15, seen 06-11, no file entry;
- no team: a SEV-4 item of g.moss (no team) due 06-16.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from followthrough.core import metrics, policy
from followthrough.core.report import build, review
from followthrough.workspace import load_workspace

from .conftest import DATA, assert_no_traceback, run_cli

TODAY = "2026-06-15"
DAY = date(2026, 6, 15)
FIXTURE = DATA / "review"


@pytest.fixture
def review_dir(tmp_path: Path) -> Path:
    import shutil

    target = tmp_path / "repo"
    shutil.copytree(FIXTURE, target)
    return target


def loaded(today: date = DAY):
    workspace = load_workspace(FIXTURE / "mkdocs.yml", today=today, refuse_errors="no figures")
    repo = workspace.repo
    views = metrics.item_views(list(repo.valid_postmortems()), workspace.states, today, repo.directory)
    return repo, views


def agenda_of(today: date = DAY, since: date | None = None, settings=None):
    repo, views = loaded(today)
    since = since or review.default_since(today)
    return review.review_report(views, today, since, settings or repo.config.settings, repo.directory)


def ids(entries) -> list[str]:
    return [(e.item if isinstance(e, review.RedateEntry) else e).item_id for e in entries]


# --- the agenda, by hand -------------------------------------------------------------------------


def test_the_agenda_of_every_team_by_hand() -> None:
    report = agenda_of()
    assert report.since == date(2026, 6, 8) and report.due_within == 14
    teams = {a.team: a for a in report.teams}
    assert list(teams) == ["payments", "platform", "search", "(no team)"]  # the directory's order, no team last
    sections = {t: {s.key: ids(s.entries) for s in a.sections(report.since, report.due_within)} for t, a in teams.items()}
    assert sections["payments"] == {
        "escalated": ["canary"],
        "overdue": [],
        "due_soon": ["dashboards", "rollback"],  # soonest first
        "redated": ["rollback"],  # canary's move was on 05-14, before the period
        "closed": ["alert"],
        "decisions": ["legacy"],
        "undecided": ["flags"],
    }
    assert sections["platform"] == {"escalated": ["pool"], "overdue": ["pool-size"], "due_soon": [], "redated": [], "closed": [], "decisions": [], "undecided": []}
    assert sections["search"] == {"escalated": [], "overdue": ["index"], "due_soon": [], "redated": ["capacity"], "closed": [], "decisions": [], "undecided": []}
    assert sections["(no team)"]["due_soon"] == ["warmup"]
    assert (teams["payments"].manager.handle, teams["payments"].slack_channel) == ("e.berg", "C0PAYMENTS")
    assert teams["search"].manager is None and teams["search"].slack_channel is None
    [moved] = teams["search"].redated
    assert (moved.redate.from_, moved.redate.to, moved.redate.on, moved.redate.source, moved.redate.reason) == (date(2026, 6, 30), date(2026, 7, 15), date(2026, 6, 11), "jira", "")
    [canary] = teams["payments"].escalated
    assert (canary.days_overdue, canary.original_due, canary.slip_days, canary.escalate_to.handle) == (14, date(2026, 5, 15), 17, "e.berg")


@pytest.mark.parametrize(
    ("since", "redated", "closed", "decisions"),
    [
        (date(2026, 6, 9), ["rollback"], ["alert"], ["legacy"]),  # the first day of the period counts
        (date(2026, 6, 10), [], ["alert"], ["legacy"]),
        (date(2026, 6, 11), [], [], ["legacy"]),
        (date(2026, 6, 13), [], [], []),
        (date(2026, 5, 1), ["canary", "rollback"], ["alert"], ["legacy"]),
    ],
)
def test_the_period_decides_what_was_re_dated_closed_and_decided(since: date, redated, closed, decisions) -> None:
    payments = agenda_of(since=since).teams[0]
    assert (ids(payments.redated), ids(payments.closed), ids(payments.decisions)) == (redated, closed, decisions)
    # What is open is not a matter of the period.
    assert ids(payments.escalated) == ["canary"] and ids(payments.undecided) == ["flags"]


def test_a_team_filter_keeps_one_agenda_and_an_empty_one_is_empty() -> None:
    repo, views = loaded()
    report = review.review_report(views, DAY, date(2026, 6, 12), repo.config.settings, repo.directory, teams=["search"])
    [search] = report.teams
    assert ids(search.overdue) == ["index"] and not search.is_empty
    # A day when the search item is not due yet and the Jira move is outside the period.
    early = date(2026, 4, 10)
    repo, views = loaded(early)
    [quiet] = review.review_report(views, early, date(2026, 4, 3), repo.config.settings, repo.directory, teams=["search"]).teams
    assert quiet.is_empty


# --- escalation ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "escalated"),
    [
        ("2026-06-01", []),  # canary due today: not overdue
        ("2026-06-02", ["canary"]),  # SEV-1: overdue at all is escalated (escalate_after_days 0)
        ("2026-06-08", ["canary"]),  # pool 14 days overdue: SEV-2 escalates only after 14
        ("2026-06-09", ["canary", "pool"]),  # 15 days
        # Every SEV-1 and SEV-2 item open: SEV-1 first, then most overdue (flags is closed as won't do).
        ("2026-08-01", ["canary", "dashboards", "rollback", "pool", "pool-size"]),
    ],
)
def test_escalated_items_come_first_and_by_severity(today: str, escalated: list[str]) -> None:
    day = date.fromisoformat(today)
    repo, views = loaded(day)
    report = build.overdue_report(views, day, repo.config.settings, repo.directory)
    expected = escalated
    assert [i.item_id for i in report.escalated] == expected
    # SEV-3 and SEV-4 never escalate, however late.
    assert all(i.severity in ("SEV-1", "SEV-2") for i in report.escalated)
    assert {i.item_id for i in report.overdue} >= set(expected)


def test_escalation_goes_to_the_team_manager_or_the_person_the_policy_names() -> None:
    repo, views = loaded()
    settings = repo.config.settings
    report = build.overdue_report(views, DAY, settings, repo.directory)
    assert [(i.item_id, i.escalate_to.handle) for i in report.escalated] == [("canary", "e.berg"), ("pool", "a.nguyen")]
    # A SEV-2 policy that names a person instead of the manager.
    levels = tuple(replace(s, escalate_to="c.diaz") if s.name == "SEV-2" else s for s in settings.severities)
    named = replace(settings, severities=levels)
    report = build.overdue_report(views, DAY, named, repo.directory)
    assert [(i.item_id, i.escalate_to.name) for i in report.escalated] == [("canary", "Emil Berg"), ("pool", "Carla Díaz")]
    # A policy that never escalates SEV-1, and one that waits 20 days at SEV-2.
    levels = tuple(replace(s, escalate_after_days=None) if s.name == "SEV-1" else replace(s, escalate_after_days=20) if s.name == "SEV-2" else s for s in settings.severities)
    report = build.overdue_report(views, DAY, replace(settings, severities=levels), repo.directory)
    assert [i.item_id for i in report.escalated] == ["pool"]  # 21 > 20


def test_an_escalated_item_of_a_team_without_a_manager_says_so(review_dir: Path) -> None:
    people = review_dir / "postmortems" / "people.yml"
    people.write_text(people.read_text().replace("manager: a.nguyen, ", ""))
    result = run_cli("report", "overdue", "--today", TODAY, cwd=review_dir)
    assert result.code == 0, result.err
    assert "escalated: no manager named for team platform" in result.out
    assert "escalated to Emil Berg" in result.out


def test_wont_do_without_decision_is_the_policys_word() -> None:
    repo, views = loaded()
    settings = repo.config.settings
    undecided = [v.item.id for v in metrics.counted(views) if policy.wont_do_without_decision(v, settings)]
    report = build.overdue_report(views, DAY, settings, repo.directory)
    assert [i.item_id for i in report.undecided] == undecided == ["flags"]


# --- reminders -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        ("2026-06-15", ["warmup", "dashboards"]),  # 1 and 2 days: within 3
        ("2026-06-14", ["warmup", "dashboards"]),  # 2 and 3 days: the window's last day counts
        ("2026-06-13", ["warmup"]),  # dashboards 4 days away
        ("2026-06-17", ["dashboards", "rollback"]),  # due today counts; warmup overdue is not a reminder
        ("2026-06-22", []),  # flags is due 06-25 but closed as won't do in the tracker: never a reminder
    ],
)
def test_reminders_within_each_severitys_window(today: str, expected: list[str]) -> None:
    day = date.fromisoformat(today)
    repo, views = loaded(day)
    report = build.reminders_report(views, day, repo.config.settings, repo.directory)
    assert [i.item_id for i in report.items] == expected


def test_a_wider_window_for_one_severity() -> None:
    repo, views = loaded()
    settings = repo.config.settings
    levels = tuple(replace(s, remind_before_days=7) if s.name == "SEV-1" else s for s in settings.severities)
    report = build.reminders_report(views, DAY, replace(settings, severities=levels), repo.directory)
    assert [i.item_id for i in report.items] == ["warmup", "dashboards", "rollback"]  # rollback 5 days away


# --- the command -----------------------------------------------------------------------------------


def cli_json(*args: str, cwd: Path = FIXTURE) -> dict:
    result = run_cli("report", *args, "--format", "json", "--today", TODAY, cwd=cwd)
    assert result.code == 0, result.err
    return json.loads(result.out)


def test_review_json() -> None:
    data = cli_json("review")
    assert (data["report"], data["today"], data["since"], data["due_within_days"]) == ("review", TODAY, "2026-06-08", 14)
    payments = data["teams"][0]
    assert payments["manager"] == {"handle": "e.berg", "name": "Emil Berg", "github": "eberg"}
    assert [i["id"] for i in payments["escalated"]] == ["canary"]
    assert payments["escalated"][0]["escalated_to"]["handle"] == "e.berg"
    assert payments["escalated"][0]["original_due"] == "2026-05-15" and payments["escalated"][0]["slip_days"] == 17
    [moved] = payments["redated"]
    assert moved["item"]["id"] == "rollback"
    assert moved["redate"] == {"from": "2026-06-10", "to": "2026-06-20", "on": "2026-06-09", "reason": "the runbook needs the new deploy tool first", "approved_by": "e.berg", "source": "file", "slip_days": 10}
    assert payments["decisions"][0]["decision"] == {"by": "e.berg", "on": "2026-06-12", "reason": "the legacy path is switched off on 2026-06-30 anyway"}
    assert [i["id"] for i in payments["undecided"]] == ["flags"]
    assert data["teams"][2]["redated"][0]["redate"]["source"] == "jira"
    assert [t["team"] for t in data["teams"]] == ["payments", "platform", "search", "(no team)"]
    assert data["teams"][2]["manager"] is None


def test_review_since_and_team_options() -> None:
    data = cli_json("review", "--team", "payments", "--since", "2026-06-11")
    [payments] = data["teams"]
    assert data["since"] == "2026-06-11"
    assert payments["redated"] == [] and payments["closed"] == [] and [i["id"] for i in payments["decisions"]] == ["legacy"]
    env_today = run_cli("report", "review", "--format", "json", cwd=FIXTURE, env={"FOLLOWTHROUGH_TODAY": "2026-06-20"})
    assert json.loads(env_today.out)["since"] == "2026-06-13"  # 7 days before the injected today


def test_review_text_and_markdown() -> None:
    text = run_cli("report", "review", "--today", TODAY, cwd=FIXTURE)
    assert text.code == 0, text.err
    assert "== Payments (manager: Emil Berg)" in text.out
    assert "== Search (manager: no manager named for team search)" in text.out
    assert "Escalated: none" in text.out  # an empty section says so
    assert "2026-06-30 → 2026-07-15 (+15 days) on 2026-06-11 in jira: no reason recorded" in text.out
    assert "decided by Emil Berg on 2026-06-12: the legacy path is switched off on 2026-06-30 anyway" in text.out
    md = run_cli("report", "review", "--format", "markdown", "--today", TODAY, cwd=FIXTURE).out
    assert "## Weekly review: Payments" in md
    assert "Manager: @eberg (Emil Berg)." in md
    assert "**escalated to @eberg (Emil Berg)**" in md
    assert "### Closed as won't do without a decision (1)" in md
    assert "### Overdue (0)\n\nnone" in md
    assert "done 2026-06-10 (due 2026-06-12)" in md


def test_review_slack_messages_mention_owner_and_manager_by_member_id() -> None:
    result = run_cli("report", "review", "--format", "slack", "--today", TODAY, cwd=FIXTURE)
    assert result.code == 0, result.err
    messages = json.loads(result.out)
    assert [(m["team"], m["channel"]) for m in messages] == [("payments", "C0PAYMENTS"), ("platform", "C0PLATFORM"), ("search", None), ("(no team)", None)]
    payments = json.dumps(messages[0]["message"])
    assert "Manager: <@U0EEEEEEE> (Emil Berg)" in payments
    assert "<@U0BBBBBBB> (Bola Okafor)" in payments and "escalated to <@U0EEEEEEE>" in payments
    platform = json.dumps(messages[1]["message"], ensure_ascii=False)
    assert "escalated to <@U0AAAAAAA> (An Nguyen)" in platform
    assert "*Carla Díaz*" in platform  # no member id: a name, no mention
    for m in messages:
        assert len(m["message"]["blocks"]) <= 50


def test_overdue_report_puts_escalated_first_and_names_the_manager() -> None:
    data = cli_json("overdue")
    assert [(i["id"], i["escalated_to"]["handle"]) for i in data["escalated"]] == [("canary", "e.berg"), ("pool", "a.nguyen")]
    assert [i["id"] for i in data["wont_do_without_decision"]] == ["flags"]
    first = data["owners"][0]["items"][0]
    assert (first["id"], first["escalated"], first["original_due"], first["slip_days"]) == ("canary", True, "2026-05-15", 17)
    assert first["redates"][0]["reason"] == "waiting on the vendor's fix for the deploy hooks"
    md = run_cli("report", "overdue", "--format", "markdown", "--today", TODAY, cwd=FIXTURE).out
    escalated = md.index("## Escalated: 2 items")
    assert escalated < md.index("## @bokafor (Bola Okafor): 1 item overdue")
    assert "**escalated to @eberg (Emil Berg)**" in md
    assert "## Closed as won't do without a decision" in md
    assert "re-dated 1 time, 17 days later than first committed \\(2026-05-15\\)" in md
    slack = run_cli("report", "overdue", "--format", "slack", "--today", TODAY, cwd=FIXTURE).out
    assert "escalated to <@U0EEEEEEE> (Emil Berg)" in slack
    text = run_cli("report", "overdue", "--today", TODAY, cwd=FIXTURE).out
    assert text.index("Escalated: 2") < text.index("Bola Okafor (1 item)")


def test_a_tracker_move_shows_as_no_reason_recorded_in_the_overdue_report(review_dir: Path) -> None:
    # Three weeks later the Jira-moved item is overdue against the file's date, the commitment.
    result = run_cli("report", "overdue", "--today", "2026-07-06", cwd=review_dir)
    assert result.code == 0, result.err
    assert "6 days overdue (due 2026-06-30): Load-test search at twice the peak" in result.out
    assert "re-dated 1 time; 1 in jira, no reason recorded" in result.out


@pytest.mark.parametrize("fmt", ["text", "markdown", "json", "slack"])
def test_reminders_in_every_format(fmt: str) -> None:
    result = run_cli("report", "reminders", "--format", fmt, "--today", TODAY, cwd=FIXTURE)
    assert result.code == 0, result.err
    assert_no_traceback(result)
    if fmt == "json":
        data = json.loads(result.out)
        assert [i["id"] for i in data["items"]] == ["warmup", "dashboards"]
        assert data["count"] == 2
    elif fmt == "slack":
        message = json.loads(result.out)
        assert "2 open action items due soon" in message["text"]
        assert "<@" not in result.out  # neither owner has a member id: names, no mention
        assert "*Daichi Ito*" in result.out
    elif fmt == "markdown":
        assert "@dito (Daichi Ito)" in result.out and "Gil Moss" in result.out
    else:
        assert result.out.splitlines()[0] == "Action items due soon as of 2026-06-15: 2"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["review", "--team", "billing"], "--team 'billing': not a team; the teams are: payments, platform, search, (no team)"),
        (["review", "--since", "2026-13-01"], "--since '2026-13-01': not a day of the calendar"),
        (["review", "--since", "last week"], "--since 'last week': expected a date as YYYY-MM-DD"),
        (["review", "--since", "2026-06-16"], "--since 2026-06-16: after today (2026-06-15)"),
        (["overdue", "--team", "payments"], "--team and --since are options of `report review`"),
        (["reminders", "--post", "github-issue"], "post the reminders report with --post slack or print it"),
    ],
)
def test_usage_errors(args: list[str], message: str) -> None:
    result = run_cli("report", *args, "--today", TODAY, cwd=FIXTURE)
    assert result.code == 2, result.out + result.err
    assert message in result.err
    assert_no_traceback(result)


def test_the_follow_up_policies_are_checked_in_the_config(review_dir: Path) -> None:
    config = review_dir / "mkdocs.yml"
    config.write_text(
        config.read_text()
        + "      severities:\n"
        + "        - {name: SEV-1, remind_before_days: -1, escalate_to: \"@anguyen\"}\n"
        + "        - {name: SEV-2, escalate_after_days: -3, escalate_to: a.nguyen}\n"
        + "        - {name: SEV-3}\n        - {name: SEV-4}\n"
    )
    result = run_cli("report", "review", "--today", TODAY, cwd=review_dir)
    assert result.code == 2
    assert "plugins.followthrough.severities[0].remind_before_days: must be 0 or more days, got -1" in result.err
    assert "plugins.followthrough.severities[0].escalate_to: expected manager (the owner's team's manager) or a person's handle such as a.nguyen, got '@anguyen'" in result.err
    assert "plugins.followthrough.severities[1].escalate_after_days: must be 0 or more days, got -3" in result.err
    assert "severities[1].escalate_to" not in result.err
    assert_no_traceback(result)


def test_team_names_and_reasons_are_escaped_for_where_they_go(review_dir: Path) -> None:
    people = review_dir / "postmortems" / "people.yml"
    people.write_text(people.read_text().replace("{name: Payments,", '{name: "Pay @everyone <!channel> [x](https://evil.example)",'))
    pm = review_dir / "postmortems" / "2026" / "2026-05-01-checkout-outage.md"
    pm.write_text(pm.read_text().replace("reason: the runbook needs the new deploy tool first", "reason: \"waiting on @oncall <!here> *now*\""))
    md = run_cli("report", "review", "--team", "payments", "--format", "markdown", "--today", TODAY, cwd=review_dir)
    assert md.code == 0, md.err
    assert "@everyone" not in md.out and "@oncall" not in md.out  # a zero-width space breaks each mention
    assert "@\u200beveryone" in md.out and "@\u200boncall" in md.out
    assert "](https://evil.example)" not in md.out
    slack = run_cli("report", "review", "--team", "payments", "--format", "slack", "--today", TODAY, cwd=review_dir)
    [message] = [m["message"] for m in json.loads(slack.out)]
    # Every text Slack reads as mrkdwn (the header is plain_text, which mentions no one).
    mrkdwn = [message["text"]] + [b["text"]["text"] for b in message["blocks"] if b["type"] == "section"]
    text = "\n".join(mrkdwn)
    assert "<!channel>" not in text and "<!here>" not in text
    assert "&lt;!channel&gt;" in text and "&lt;!here&gt;" in text
    assert message["blocks"][0]["text"]["type"] == "plain_text"
