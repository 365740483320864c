"""The Slack message stays within Block Kit's limits however large the report, and the
loopback webhook (which checks those limits as Slack does) accepts it."""

from __future__ import annotations

from datetime import date, timedelta

import requests

from followthrough.core.report import slack
from followthrough.core.model import Person
from followthrough.core.report.build import Links, OverdueReport, OwnerGroup, ReportItem

from .fakes.slack_server import FakeSlack

TODAY = date(2026, 6, 15)


def item(owner: Person, n: int, title: str = "Replace the nightly extract with change-data capture & <alerts>") -> ReportItem:
    return ReportItem(
        key=f"pm-{n}/item-{n}", postmortem_id=f"pm-{n}", postmortem_title=f"Incident {n}", postmortem_url=f"https://site.example/pm-{n}/",
        severity="SEV-1", game_day=False, item_id=f"item-{n}", title=title, owner=owner, team="platform", status="open",
        due=TODAY - timedelta(days=n + 1), days_overdue=n + 1, due_in_days=-(n + 1), ticket=f"OPS-{n}", ticket_url=f"https://jira.example/browse/OPS-{n}",
    )  # fmt: skip


def big_report(owners: int, items_each: int, title_words: int = 8) -> OverdueReport:
    groups = []
    for o in range(owners):
        owner = Person(f"person{o}", f"Person {o}", slack=f"U{o:08d}" if o % 2 else None)
        title = " ".join(["word"] * title_words)
        groups.append(OwnerGroup(owner, tuple(item(owner, o * 1000 + i, title) for i in range(items_each))))
    return OverdueReport(TODAY, 7, tuple(groups), (), (), Links(overdue_page="https://site.example/overdue/"))


def check_limits(message: dict) -> None:
    blocks = message["blocks"]
    assert len(blocks) <= 50
    for block in blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= 3000
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150


def test_many_owners_are_summed_up_in_one_line() -> None:
    message = slack.overdue_message(big_report(owners=120, items_each=2))
    check_limits(message)
    assert "…and 78 more owners with 156 items" in message["blocks"][-2]["text"]["text"]
    fallback = message["text"].splitlines()
    assert len(message["text"]) <= 3200
    assert fallback[1] == "Person 0: 2 items, worst SEV-1 1 day overdue"
    assert fallback[-2].startswith("…and ") and fallback[-2].endswith(" more owners")
    assert fallback[-1] == "https://site.example/overdue/"


def test_an_owner_with_many_long_items_is_cut_at_a_line() -> None:
    message = slack.overdue_message(big_report(owners=1, items_each=200, title_words=40))
    check_limits(message)
    section = message["blocks"][3]["text"]["text"]
    assert "more lines on <https://site.example/overdue/|the site>" in section


def test_a_single_enormous_title_is_clipped() -> None:
    message = slack.overdue_message(big_report(owners=1, items_each=1, title_words=2000))
    check_limits(message)


def test_long_header_is_clipped() -> None:
    message = slack.overdue_message(big_report(1, 1), title="x" * 400)
    assert len(message["blocks"][0]["text"]["text"]) == 150


def test_escaping_and_mentions() -> None:
    message = slack.overdue_message(big_report(owners=2, items_each=1, title_words=1))
    text = message["blocks"][3]["text"]["text"] + message["blocks"][4]["text"]["text"]
    assert "*Person 0*" in text and "<@U00000001> (Person 1)" in text
    assert slack.esc("a & <b> c") == "a &amp; &lt;b&gt; c"
    assert slack.link("https://x.example/a|b>", "t") == "<https://x.example/a%7Cb%3E|t>"


def test_nothing_overdue_message() -> None:
    message = slack.overdue_message(OverdueReport(TODAY, 7, (), (), (), Links()))
    check_limits(message)
    assert "Nothing is overdue" in message["blocks"][2]["text"]["text"]


def test_the_webhook_accepts_the_largest_messages() -> None:
    with FakeSlack() as fake:
        for report in (big_report(120, 2), big_report(1, 200, 40), big_report(1, 1, 2000)):
            reply = requests.post(fake.webhook_url, json=slack.overdue_message(report), timeout=10)
            assert (reply.status_code, reply.text) == (200, "ok")
        too_many = {"text": "x", "blocks": [{"type": "divider"}] * 51}
        reply = requests.post(fake.webhook_url, json=too_many, timeout=10)
        assert (reply.status_code, reply.text) == (400, "invalid_blocks")
