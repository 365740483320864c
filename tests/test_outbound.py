"""Text we post elsewhere mentions no one and links nowhere, read by each destination's own rules.

GitHub is GitHub's own renderer (cmark-gfm, through `cmarkgfm`) plus what GitHub does to the
rendered text: mentions and issue references outside code and links. Slack and Jira wiki
markup have no renderer to run, so their rules are checked as Slack and Atlassian document
them: in mrkdwn every mention and link is `<...>`; in wiki markup `[`, `|`, `!`, `{` and the
text effects are backslash-escaped. Every case runs on arbitrary text built from the
characters and sequences each destination reads.
"""

from __future__ import annotations

import re
from datetime import date

from hypothesis import example, given, settings, strategies as st

from followthrough.core.escape import github, jira, slack as mrkdwn
from followthrough.core.escape.common import ZWSP, one_line, web_url
from followthrough.core.ids import is_github_login, is_slack_member
from followthrough.core.report import render, slack
from followthrough.core.model import Person
from followthrough.core.report.build import Links, OverdueReport, OwnerGroup, ReportItem
from followthrough.trackers.github_tracker import description_markdown
from followthrough.trackers.jira_tracker import description_adf, description_wiki
from followthrough.core.sync.markers import hidden_marker, marker_for, marker_line, markers_in
from followthrough.core.sync.tickets import Link

from .github_page import MENTION, REFERENCE, Page, gfm

# What each destination reads: mentions, references, links, code, comments, entities, breaks.
TOKENS = [
    "@", "@acme/everyone", "@here", "@channel", "a@b.example", "`", "``", "```", "<", ">", "<!channel>",
    "<!here>", "<!subteam^S1>", "<@U1>", "<#C1>", "](", "[", "]", "(", ")", "[x](https://evil.example)",
    "-->", "<!--", "--!>", "&", "&#64;", "&amp;", "&lt;", "#1", "GH-2", "acme/web#3", "https://", "http://x.example",
    "www.", "WWW.x.com", "mailto:", "|", "\\", "*", "_", "~", "!", "$", "\n", "\r", "\r\n", " ", "\t", ":", "/",
    "^", "{", "}", "!x.png!", "[~acc]", "U1", "{{", "}}", "?", "??", "+", "-", "=", "#", "\u200b", "\u2028", "\x00",
    "\u202e", "é", "<script>", "javascript:", "%3E", "'", '"',
]  # fmt: skip
hostile = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=4)), max_size=14).map("".join)


CONTEXTS = {
    "paragraph": ("x {}", {"p"}),
    "list item": ("- x {}", {"ul", "li"}),
    "heading": ("## x {}", {"h2"}),
    "table cell": ("| a | b |\n| --- | --- |\n| x {} | y |", {"table", "thead", "tbody", "tr", "th", "td"}),
}


def assert_inert(page: Page) -> None:
    assert page.hrefs == []
    assert MENTION.findall(page.outside) == []
    assert REFERENCE.findall(page.outside) == []


# --- GitHub ------------------------------------------------------------------------------------


@settings(max_examples=300)
@given(hostile)
def test_github_text_shows_as_written_and_does_nothing_in_every_context(value):
    for template, allowed in CONTEXTS.values():
        page = Page(gfm(template.format(github.text(value))))
        assert_inert(page)
        assert set(page.tags) <= allowed, page.tags
        assert page.comments == []
        shown = page.outside.replace(ZWSP, "")
        assert one_line(value).replace(ZWSP, "") in shown


@settings(max_examples=300)
@given(hostile)
def test_github_code_span_holds_the_text_exactly(value):
    page = Page(gfm("x " + github.code(value) + " y"))
    if not one_line(value):
        return
    assert page.tags == ["p", "code"]
    assert page.code == [one_line(value)]
    assert MENTION.findall(page.outside) == []


@settings(max_examples=300)
@given(hostile, hostile)
def test_github_link_goes_only_to_an_http_url_and_cannot_be_closed_by_it(label, url):
    for target in (url, "https://x.example/" + url):
        page = Page(gfm("x " + github.link(github.code(label) if label.strip() else label, target) + " y"))
        assert len(page.hrefs) <= 1
        if page.hrefs:
            assert page.hrefs == [web_url(target)]
        assert MENTION.findall(page.outside) == []


@settings(max_examples=300)
@given(hostile.filter(bool), hostile.filter(bool))  # an id is never empty: it defaults to the file name or item-<n>
def test_the_hidden_marker_hides_any_ids_and_reads_back(pm_id, item_id):
    body = description_markdown([(Link("Owner: Max"),)], hidden_marker(pm_id, item_id))
    page = Page(gfm(body))
    assert len(page.comments) == 1 and "followthrough-item:" in page.comments[0]
    assert "followthrough-item" not in page.outside
    assert page.outside.strip() == "Owner: Max"
    assert markers_in(body) == {marker_for(pm_id, item_id)}


def test_markers_of_slug_ids_are_written_as_before():
    # Tickets created by earlier versions carry the raw ids: a slug's line must not change.
    assert marker_line("2026-05-20-payments", "pool-alert.v2_x") == f"followthrough-item: 2026-05-20-payments/pool-alert.v2_x {marker_for('2026-05-20-payments', 'pool-alert.v2_x')}"


def test_an_id_that_closes_the_comment_no_longer_posts_its_mention():
    # The reproduction: `id: "x --> @acme/everyone [win](https://evil.example) <!--"` put a team
    # mention and a link into every GitHub issue sync created for the postmortem.
    evil = "x --> @acme/everyone [win](https://evil.example) <!--"
    page = Page(gfm(description_markdown([(Link("Owner: Max"),)], hidden_marker(evil, "a"))))
    assert_inert(page)
    assert "acme" not in page.outside


@settings(max_examples=200)
@given(hostile, hostile, hostile)
def test_a_sync_description_links_only_the_sites_pages(title, owner, path):
    paragraphs = (
        (Link("Action item from the postmortem "), Link(title, "https://pm.example.com/2026/x/"), Link(".")),
        (Link(f"Owner: {owner}"),),
        (Link("Postmortem file: "), Link(path, "https://github.com/acme/pm/blob/main/" + path)),
    )
    page = Page(gfm(description_markdown(paragraphs, hidden_marker("pm", "a"))))
    assert MENTION.findall(page.outside) == [] and REFERENCE.findall(page.outside) == []
    assert set(page.hrefs) <= {"https://pm.example.com/2026/x/", web_url("https://github.com/acme/pm/blob/main/" + path)}


# --- the report issue (GitHub) and the Slack message ---------------------------------------------


def report_of(title: str, ticket: str, ticket_url: str, name: str, login: str, member: str, pm_title: str) -> OverdueReport:
    def item(n: int, owner: Person) -> ReportItem:
        return ReportItem(
            key=f"pm/{n}", postmortem_id="pm", postmortem_title=pm_title, postmortem_url="https://pm.example.com/pm/",
            severity="SEV-1", game_day=False, item_id=str(n), title=title, owner=owner, team=None, status="open",
            due=date(2026, 3, 1), days_overdue=3, due_in_days=None, ticket=ticket, ticket_url=ticket_url,
        )  # fmt: skip

    ours = Person("a.nguyen", "An Nguyen", github="anguyen", slack="U0123ABC")
    theirs = Person("x", name, github=login, slack=member)
    groups = (OwnerGroup(ours, (item(1, ours),)), OwnerGroup(theirs, (item(2, theirs),)))
    links = Links(site="https://pm.example.com/", overdue_page="https://pm.example.com/overdue/")
    return OverdueReport(date(2026, 3, 4), 7, groups, (item(3, theirs),), (), links)


@settings(max_examples=200)
@given(hostile, hostile, hostile, hostile, hostile, hostile, hostile)
@example("", "", "", "", "GH-2", "", "")
def test_the_report_issue_mentions_only_owners_logins_and_links_only_real_urls(title, ticket, url, name, login, member, pm_title):
    report = report_of(title, ticket or "x", url, name, login, member, pm_title)
    page = Page(gfm(render.overdue_markdown(report)))
    expected = {"anguyen"} | ({login} if is_github_login(login) else set())
    assert set(MENTION.findall(page.outside)) == expected
    assert REFERENCE.findall(MENTION.sub("", page.outside)) == []  # a login such as GH-2 is a mention, ours
    assert set(page.hrefs) <= {"https://pm.example.com/pm/", "https://pm.example.com/overdue/", web_url(url)}


def mrkdwn_texts(message: dict) -> list[dict]:
    found = []
    for block in message["blocks"]:
        if isinstance(block.get("text"), dict) and block["text"]["type"] == "mrkdwn":
            found.append(block["text"])
        found.extend(e for e in block.get("elements", []) if e.get("type") == "mrkdwn")
    return found


ANGLE = re.compile(r"<([^<>]*)>")


def slack_tokens(text: str) -> list[str]:
    """What Slack reads as a mention or link; text outside them may hold no '<' or '>'."""
    rest = ANGLE.sub("", text)
    assert "<" not in rest and ">" not in rest, text
    assert re.sub(r"&(amp|lt|gt);", "", rest).count("&") == 0, text
    return ANGLE.findall(text)


@settings(max_examples=200)
@given(hostile, hostile, hostile, hostile, hostile, hostile, hostile)
def test_the_slack_message_mentions_only_member_ids_and_links_only_real_urls(title, ticket, url, name, login, member, pm_title):
    message = slack.overdue_message(report_of(title, ticket or "x", url, name, login, member, pm_title))
    members = {"U0123ABC"} | ({member} if is_slack_member(member) else set())
    urls = {"https://pm.example.com/pm/", "https://pm.example.com/overdue/", web_url(url)}
    objects = mrkdwn_texts(message)
    assert objects and all(o.get("verbatim") is True for o in objects)  # Slack links nothing on its own
    for text in [o["text"] for o in objects] + [message["text"]]:
        for token in slack_tokens(text):
            if token.startswith("@"):
                assert token[1:] in members, token
            else:
                target, bar, _ = token.partition("|")
                assert bar and target.replace("&amp;", "&") in urls, token
        assert "@" not in re.sub(r"<@[A-Z0-9]+>|@\u200b", "", text), text  # no bare @here either


def test_a_slack_id_that_is_not_one_mentions_no_one():
    # The reproduction: `slack: U1><!channel` became `<@U1><!channel>`, and a name `<!channel>`
    # went raw into the fallback text that notifications show.
    message = slack.overdue_message(report_of("t", "PAY-1", "https://x.example/", "<!channel>", "", "U1><!channel", "p"))
    everything = str(message)
    assert "<!channel>" not in everything and "<@U1>" not in everything
    assert "&lt;!channel&gt;" in message["text"]


def test_a_ticket_that_closes_its_code_span_stays_inside_it():
    # The reproduction: ticket: https://x.example/`@acme/sre`< escaped the code span and the link.
    report = report_of("t", "https://x.example/`@acme/sre`<", "https://x.example/`@acme/sre`<", "n", "", "", "p")
    page = Page(gfm(render.overdue_markdown(report)))
    assert "https://x.example/`@acme/sre`<" in page.code
    assert "acme/sre" not in MENTION.findall(page.outside)
    assert "https://x.example/%60@acme/sre%60%3C" in page.hrefs


def test_a_login_that_is_not_one_is_printed_as_a_name():
    report = report_of("t", "PAY-1", "https://x.example/", "Everyone", "acme/everyone", "", "p")
    page = Page(gfm(render.overdue_markdown(report)))
    assert set(MENTION.findall(page.outside)) == {"anguyen"}
    assert "## Everyone: 1 item overdue" in render.overdue_markdown(report)


@given(hostile)
def test_slack_text_has_no_control_characters_left(value):
    out = mrkdwn.text(value)
    assert slack_tokens(out) == []
    assert out.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&").replace(ZWSP, "") == one_line(value).replace(ZWSP, "")


@given(hostile, st.integers(0, 60))
def test_slack_text_cut_anywhere_leaves_no_half_token(value, limit):
    line = mrkdwn.text(value) + " " + mrkdwn.link("https://x.example/?a=1&b=2", value) + " " + mrkdwn.text(value)
    out = mrkdwn.cut(line, limit)
    assert len(out) <= max(limit, 0) and line.startswith(out)
    slack_tokens(out)


@given(hostile, hostile)
def test_slack_links_are_one_token_to_an_http_url(url, label):
    tokens = slack_tokens(mrkdwn.link(url, label))
    target = web_url(url)
    assert tokens == ([f"{target.replace('&', '&amp;')}|{mrkdwn.text(label)}"] if target else [])


# --- Jira ------------------------------------------------------------------------------------------

# Wiki markup's mentions ([~x]), links ([x|url]), images (!x!), macros ({x}) and effects.
WIKI_SPECIAL = set("[]{}|*_+^~!?#-\\")


def unescaped_specials(wiki: str) -> list[str]:
    found, i = [], 0
    while i < len(wiki):
        if wiki[i] == "\\" and i + 1 < len(wiki):
            i += 2
            continue
        if wiki[i] in WIKI_SPECIAL:
            found.append(wiki[i])
        i += 1
    return found


@given(hostile)
def test_jira_wiki_text_has_every_markup_character_escaped(value):
    out = jira.text(value)
    assert unescaped_specials(out) == []
    assert "\\\\" not in out  # the wiki's forced line break
    assert not re.search(r"[A-Za-z0-9]://", out)  # no bare URL for the wiki renderer to link
    assert "\n" not in out and "\r" not in out


@given(hostile, hostile)
def test_jira_wiki_description_links_only_http_urls(title, url):
    wiki = description_wiki([(Link(title, url),)], marker_line("pm", "a"))
    first = wiki.split("\n\n")[0]
    target = web_url(url)
    if target:
        assert first == f"[{jira.text(title)}|{target}]"
        assert unescaped_specials(target) == [] or set(unescaped_specials(target)) <= {"-", "!", "*", "+", "?", "#", "~", "_"}
        assert not set("[]|{} ") & set(target)
    else:
        assert unescaped_specials(first) == []


@given(hostile, hostile)
def test_atlassian_documents_link_only_http_urls(title, url):
    doc = description_adf([(Link(title, url),)], marker_line("pm", "a"))
    for para in doc["content"]:
        for node in para["content"]:
            assert "\n" not in node["text"]
            for mark in node.get("marks", []):
                if mark["type"] == "link":
                    assert mark["attrs"]["href"] == web_url(url) is not None


# --- a whole ticket, from a postmortem to each tracker ------------------------------------------------


def _ticket_from(title: str, pm_title: str, owner_name: str, severity: str, path: str):
    from followthrough.core.model import ActionItem, Directory, Person, Postmortem
    from followthrough.config.trackers import load_trackers
    from followthrough.core.sync.description import new_ticket

    trackers = load_trackers({"default": "web", "file_url": "https://github.com/acme/pm/blob/main/", "destinations": {"web": {"type": "github", "repo": "acme/web"}}}, "mkdocs.yml", {})
    pm = Postmortem(path=path, id="pm", title=pm_title, severity=severity)
    item = ActionItem(index=0, line=9, id="a", title=title, owner="max", due=date(2026, 6, 5))
    people = Directory(people={"max": Person("max", owner_name, github="maxsme")}, present=True)
    ticket, _ = new_ticket(pm, item, trackers.destinations["web"], trackers, people, site_url="https://pm.example.com/", docs_path="2026/x.md")
    return ticket


@settings(max_examples=200)
@given(hostile, hostile, hostile, hostile, hostile)
def test_a_new_ticket_says_what_the_postmortem_says_and_mentions_no_one(title, pm_title, owner_name, severity, path):
    ticket = _ticket_from(title, pm_title, owner_name, severity, path)
    page = Page(gfm(description_markdown(ticket.paragraphs, github.comment(ticket.marker_line))))
    assert MENTION.findall(page.outside) == [] and REFERENCE.findall(page.outside) == []
    assert set(page.hrefs) <= {"https://pm.example.com/2026/x/", web_url("https://github.com/acme/pm/blob/main/" + path)}
    assert one_line(owner_name).replace(ZWSP, "") in page.outside.replace(ZWSP, "")
    wiki = description_wiki(ticket.paragraphs, ticket.marker_line)
    assert re.findall(r"(?<!\\)\[~", wiki) == []  # no wiki mention ([~user])
