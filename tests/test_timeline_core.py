"""The Slack timeline's pure core: mrkdwn -> Markdown, the Scribe's selection, rows that the
Timeline reader reads back to the same minute, role declarations, the channel name, and
writing into a Timeline section. The property test runs the real parser and renderer."""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import markdown
import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from followthrough.core.pages.sanitize import sanitize_html
from followthrough.core.parse import parse_postmortem
from followthrough.core.settings import DEFAULT_SETTINGS
from followthrough.core.text.blocks import DEFAULT_DIALECT
from followthrough.core.timeline.channel import parse_channel
from followthrough.core.timeline.entries import entries, rows
from followthrough.core.timeline.evidence import evidence_page
from followthrough.core.timeline.messages import BadMessage, Message, in_order, message_from
from followthrough.core.timeline.mrkdwn import to_markdown
from followthrough.core.timeline.names import Names, user_names
from followthrough.core.timeline.roles import declared_roles
from followthrough.core.timeline.section import SectionProblem, write_rows
from followthrough.core.timeline.select import Selection, selected

from .conftest import BASE

NAMES = Names(people={"U1": "Ana Commander", "U2": "Sam Scribe"}, users={"U9": "Gus Guest"}, channels={"C1": "support"})
T0 = datetime(2026, 5, 20, 23, 58, 30, tzinfo=timezone.utc)


def msg(text: str, user: str | None = "U2", at: datetime = T0, **raw) -> Message:
    return message_from({"ts": f"{int(at.timestamp())}.000100", "text": text, **({"user": user} if user else {}), **raw})


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("*bold* and _it_ and `co|de` and `x`", "**bold** and *it* and co\\|de and `x`"),
        ("<@U1> paged <@U9> and <@U7|gone.user>, <@U8>", "Ana Commander paged Gus Guest and gone.user, someone"),
        ("see <#C1|support> and <#C1>", "see #support and #support"),
        ("<https://x.example/a?b=1&amp;c=(2)|the graph> <https://y.example>", "[the graph](https://x.example/a?b=1&c=%282%29) [https://y.example](https://y.example)"),
        ("<javascript:alert(1)|click> &lt;script&gt;alert(1)&lt;/script&gt;", "click &lt;script&gt;alert(1)&lt;/script&gt;"),
        ("<!here> <!channel> <!subteam^S1|@oncall> <!date^1716215520^{time}|14:32 UTC>", "@here @channel @oncall 14:32 UTC"),
        ("line one\n- two\n\n# three", "line one / - two / # three"),
        ("a * b _ c | d [e](f) \\ {g}", "a \\* b \\_ c \\| d \\[e\\](f) \\\\ \\{g\\}"),
        ("~gone~", "~gone~"),
        ("```multi\nline | code```", "multi line \\| code"),
    ],
)
def test_mrkdwn_becomes_one_line_of_escaped_markdown(text, expected):
    assert to_markdown(text, NAMES) == expected


def test_strike_is_markdown_only_where_the_site_reads_it():
    assert to_markdown("~gone~", NAMES, tilde=True) == "~~gone~~"


def test_bad_messages_say_why():
    with pytest.raises(BadMessage, match="ts"):
        message_from({"ts": "yesterday", "text": "x"})
    with pytest.raises(BadMessage, match="text is int"):
        message_from({"ts": "1.0", "text": 5})
    with pytest.raises(BadMessage, match="message object"):
        message_from(["ts"])
    with pytest.raises(BadMessage, match="ts '999999999999' is not a Slack timestamp"):
        message_from({"ts": "999999999999", "text": "after the year 9999"})
    with pytest.raises(BadMessage, match="thread_ts"):
        message_from({"ts": "1.0", "thread_ts": "999999999999.1", "text": "x"})


@pytest.mark.parametrize(
    "text",
    [
        "<mailto:ops@corp.example|ops@corp.example>",
        "mail <mailto:ops@corp.example|ops@corp.example> now",
        "ops@corp.example typed, unlinked",
        "`ssh ops@corp.example`",
        "<https://x.example|ask ops@corp.example>",
        "<@U7|ops@corp.example>",
    ],
)
def test_an_e_mail_address_never_appears(text):
    got = to_markdown(text, NAMES)
    assert "corp.example" not in got and "mailto" not in got and "(an e-mail address)" in got
    assert to_markdown("write to <mailto:ops@corp.example|the ops list>", NAMES) == "write to the ops list"
    assert "corp.example" not in NAMES.name(None, msg("x", user="U7", user_profile={"real_name": "ops@corp.example"}).profile_name)


def test_control_and_bidirectional_characters_never_reach_the_page():
    m = msg("deploy\x00ed \u202egnp.exe\u202c\x1b[31m", files=[{"title": "log\u2066.txt"}], user_profile={"real_name": "Eve\u202e"})
    assert to_markdown(m.text, NAMES) == "deploy ed gnp.exe \\[31m" and m.files == ("log .txt",) and m.profile_name == "Eve"
    assert user_names([{"id": "U5", "real_name": "Mal\u202elory\x00"}]) == {"U5": "Mal lory"}


def test_a_huge_message_is_converted_in_time_linear_in_its_length():
    # Runs of white space without a line break, and long words, once took time quadratic in
    # their length (minutes for a pasted log); now a few tenths of a second.
    started = time.perf_counter()
    for text in ("a" + " " * 200_000 + "b", "x" * 400_000 + "@", "\n" * 200_000, " \n" * 100_000 + "end"):
        to_markdown(text, NAMES)
    assert time.perf_counter() - started < 5


def test_the_selection_is_the_scribes_record():
    thread = f"{int(T0.timestamp())}.000100"
    messages = in_order([
        msg("scribe note"),
        msg("marked", user="U9", at=T0 + timedelta(seconds=2), reactions=[{"name": "memo", "users": ["U2"], "count": 1}]),
        msg("tl: prefixed", user="U1", at=T0 + timedelta(seconds=5)),
        msg("chatter", user="U1", at=T0 + timedelta(seconds=6)),
        msg("bot", user=None, at=T0 + timedelta(seconds=7), bot_id="B1", subtype="bot_message"),
        msg("<@U1> has joined the channel", user="U1", at=T0 + timedelta(seconds=8), subtype="channel_join"),
        msg("reply by the scribe", at=T0 + timedelta(seconds=9), thread_ts=thread),
    ])
    sel = Selection(scribes=frozenset({"U2"}))
    assert [m.text for m in selected(messages, sel)] == ["scribe note", "marked", "tl: prefixed", "reply by the scribe"]
    everything = Selection(scribes=frozenset({"U2"}), everything=True)
    assert "chatter" in [m.text for m in selected(messages, everything)]
    assert "bot" not in [m.text for m in selected(messages, everything)]
    found = entries(selected(messages, sel), sel, NAMES)
    assert [e.event for e in found] == ["scribe note", "Gus Guest: marked", "Ana Commander: prefixed", "reply by the scribe"]


def test_rows_carry_the_full_date_where_the_utc_day_changes():
    sel = Selection(scribes=frozenset({"U2"}))
    messages = [msg("before", at=T0), msg("after midnight", at=T0 + timedelta(minutes=3)), msg("later", at=T0 + timedelta(minutes=30))]
    assert rows(entries(messages, sel, NAMES)) == [
        "| Time (UTC) | Event |",
        "| --- | --- |",
        "| 2026-05-20 23:58 | before |",
        "| 2026-05-21 00:01 | after midnight |",
        "| 00:28 | later |",
    ]


def test_roles_from_declarations_hand_offs_and_conflicts():
    def at(minutes: int, text: str, user: str) -> Message:
        return msg(text, user=user, at=T0 + timedelta(minutes=minutes))

    handed = declared_roles([at(0, "Declaring an incident. I'm IC", "U1"), at(1, "<@U2> is scribe", "U1"), at(60, "Taking over: I am now IC", "U3")])
    assert handed.held == {"commander": "U1", "scribe": "U2"}
    assert handed.handoffs["commander"] == ["U1", "U3"]
    assert not handed.ambiguous
    clash = declared_roles([at(0, "I'm IC", "U1"), at(1, "I am IC", "U3"), at(2, "handing scribe to <@U2>", "U1")])
    assert "commander" not in clash.held and clash.ambiguous["commander"] == ["U1", "U3"]
    assert clash.held == {"scribe": "U2"}
    assert declared_roles([at(0, "who is IC? I'm not IC", "U1"), at(1, "I'm ICU trained", "U3")]).held == {}


def test_channel_names():
    c = parse_channel("#inc-2026-05-20-checkout-outage")
    assert (c.day.isoformat(), c.slug, c.description) == ("2026-05-20", "checkout-outage", "Checkout outage")
    for bad in ("incident-checkout", "inc-2026-02-30-x", "inc-2026-05-20-"):
        with pytest.raises(ValueError, match="inc-YYYY-MM-DD|calendar"):
            parse_channel(bad)


TIMELINE_ROWS = ["| Time (UTC) | Event |", "| --- | --- |", "| 2026-05-20 14:00 | one |"]


def _with_timeline(section: str) -> str:
    head, rest = BASE.split("## Timeline", 1)
    after = rest[rest.index("\n## "):]
    return f"{head}## Timeline\n\n{section}{after}"


def test_writing_keeps_prose_and_refuses_to_overwrite_entries():
    text = _with_timeline("All times UTC, from the Scribe.\n\n| Time (UTC) | Event |\n|---|---|\n| 13:00 | old |\n\nLater notes.\n\n")
    with pytest.raises(SectionProblem, match=r"line \d+: the Timeline already has 1 entry"):
        write_rows(text, TIMELINE_ROWS, DEFAULT_DIALECT, replace=False)
    written = write_rows(text, TIMELINE_ROWS, DEFAULT_DIALECT, replace=True, note="The record: [here](x.slack.md).")
    section = written.text.split("## Timeline\n", 1)[1].split("\n## ", 1)[0]
    assert section == "\nAll times UTC, from the Scribe.\n\nThe record: [here](x.slack.md).\n\n" + "\n".join(TIMELINE_ROWS) + "\n\nLater notes.\n"
    assert written.replaced == 1
    pm, _ = parse_postmortem(written.text, "postmortems/2026/2026-05-20-pass-base.md", DEFAULT_SETTINGS)
    assert [e.text for e in pm.timeline] == ["| 2026-05-20 14:00 | one |"]


def test_the_templates_guidance_and_example_give_way():
    from followthrough.core.guidance import GUIDANCE

    text = _with_timeline(GUIDANCE["Timeline"] + "\n\n")
    section = write_rows(text, TIMELINE_ROWS, DEFAULT_DIALECT, replace=False).text.split("## Timeline\n", 1)[1].split("\n## ", 1)[0]
    assert section == "\n" + "\n".join(TIMELINE_ROWS) + "\n"


def test_no_timeline_section_is_named():
    with pytest.raises(SectionProblem, match="no Timeline section"):
        write_rows("---\ntitle: x\n---\n## Summary\n", TIMELINE_ROWS, DEFAULT_DIALECT, replace=False)


# ---------------------------------------------------------------- property: no text misleads lint or runs

_PIECES = st.sampled_from([
    "<", ">", "&", "&lt;", "&gt;", "&amp;", "|", "\\", "`", "```", "*", "_", "~", "#", "- ", "1. ", "> ", "\n", "  ", "[", "]", "(", ")", "!",
    "{", "}", ":", "14:32", "2026-05-20 14:32", "23:59:59Z", "T", "<@U1>", "<@U1|x>", "<#C1|c>", "<!here>", "<https://a.example/x?y=1|l>",
    "<javascript:alert(1)|j>", "<mailto:ops@corp.example|ops@corp.example>", "ops@corp.example", "\x00", "\u2066", "<script>", "</script>", "<img src=x onerror=alert(1)>", "onclick=", "javascript:", "&#x3c;", "{: onclick=\"alert(1)\" }",
    "<!-- ", " -->", "---", "===", "[x](javascript:alert(1))", "![i](x)", "<http://e.example>", "TL:", "\t", "é", "\u202e",
])  # fmt: skip
_TEXT = st.lists(st.one_of(_PIECES, st.text(max_size=3)), max_size=14).map("".join)
_EVIDENCE_RUNS = re.compile(r"<[^>]*\son\w+\s*=|<script|<(?!/?(?:h1|h2|p|ul|li|strong|em|code|a)\b)[a-z]|href=\"(?!https?://|mailto:|2026-05-20-x\.md\")", re.I)
_RENDER = ["tables", "attr_list", "md_in_html", "admonition", "toc", "fenced_code"]
# Markup that runs: a handler attribute, a script element, a link anywhere but http(s) and mailto.
_HANDLER = re.compile(r"<[^>]*\son\w+\s*=|<script|<(?!/?(?:table|thead|tbody|tr|th|td|strong|em|code|a)\b)[a-z]|href=\"(?!https?://|mailto:)", re.I)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_TEXT, st.integers(0, 3000)), min_size=1, max_size=6))
@example([("!<http://e.example>", 0)])  # a '!' before a link: an image to Markdown, once
@example([("see *!*<https://e.example|x> and !<#C1|ops>", 5)])
def test_no_message_text_misleads_the_timeline_reader_or_runs(texts):
    sel = Selection(scribes=frozenset({"U2"}), everything=True)
    moments, messages = T0, []
    for text, minutes in texts:
        moments += timedelta(minutes=minutes, seconds=7)
        messages.append(msg(text, user="U2", at=moments))
    found = entries(messages, sel, NAMES)
    table = rows(found)
    pm, _ = parse_postmortem(_with_timeline("\n".join(table) + "\n\n"), "postmortems/2026/2026-05-20-pass-base.md", DEFAULT_SETTINGS)
    assert [e.when for e in pm.timeline] == [e.when.replace(second=0) for e in found]
    html = sanitize_html(markdown.markdown("\n".join(table), extensions=_RENDER))
    assert not _HANDLER.search(html), html
    raw = markdown.markdown("\n".join(table), extensions=_RENDER)  # even before the sanitizer
    assert not _HANDLER.search(raw), raw
    # One table row per entry: no text ends its row early or adds a cell.
    assert raw.count("<tr>") == len(found) + 1 or not found
    assert all(row.count("<td") == 2 for row in raw.split("<tr>")[2:])
    # The evidence page: one list item per message, nothing that runs.
    page = evidence_page(messages, NAMES, channel="inc-2026-05-20-x <b>", source="a <i>test</i>", postmortem="2026-05-20-x.md")
    rendered = markdown.markdown(page, extensions=_RENDER)
    assert not _EVIDENCE_RUNS.search(rendered), rendered
    assert rendered.count("<li>") == len(messages)
    # No e-mail address, no control or bidirectional character, in either.
    for published in (raw, rendered):
        assert "corp.example" not in published and not re.search("[\x00-\x08\u202a-\u202e\u2066-\u2069]", published), published
