"""Sync end to end with what a postmortem may hold: CR-only and CRLF files, ids that are not slugs,
titles that would mention or link. The real CLI and clients against the loopback fakes."""

from __future__ import annotations

from pathlib import Path

import pytest

from .fakes.postmortem_repo import Item, Pm, build_repo
from .github_page import MENTION, REFERENCE, Page, gfm
from .sync_setup import FAST, env_for, gh_dest, jira_dest, sync, tickets_in


def one_item(title: str = "Alert when the payments pool is above 90% for five minutes") -> Pm:
    return Pm("payments", [Item("pool-alert", title), Item("pool-size", "Size the pool from measured peak load", owner="nia.sme", due="2026-06-15")], teams=("web",))


def with_line_ends(root: Path, pm: Pm, newline: str) -> bytes:
    path = root / pm.path
    path.write_bytes(path.read_bytes().replace(b"\n", newline.encode()))
    return path.read_bytes()


def destination(kind: str, fake) -> dict:
    return gh_dest(fake) if kind == "github" else jira_dest(fake)


@pytest.mark.parametrize("newline", ["\r", "\r\n"])
@pytest.mark.parametrize("kind", ["github", "jira"])
def test_a_cr_only_or_crlf_file_synced_twice_makes_one_ticket_each(tmp_path, request, kind, newline):
    fake = request.getfixturevalue(kind)
    pm = one_item()
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": destination(kind, fake)}, **FAST}, [pm])
    before = with_line_ends(root, pm, newline)
    env = env_for(**{kind: fake})
    first = sync(root, env=env)
    assert first.code == 0, first.out + first.err
    after = (root / pm.path).read_bytes()
    # Only the two `ticket:` lines were added, each in the file's own line end.
    assert after.replace(b"ticket: acme/web#1" if kind == "github" else b"ticket: PAY-1", b"").count(newline.encode()) == before.count(newline.encode()) + 2
    assert b"\n" not in after if newline == "\r" else after.count(b"\r\n") == after.count(b"\n")
    assert tickets_in(root, pm) == (["acme/web#1", "acme/web#2"] if kind == "github" else ["PAY-1", "PAY-2"])
    writes = fake.count("write")
    again = sync(root, env=env)
    assert again.code == 0, again.out + again.err
    assert fake.count("write") == writes  # nothing created the second time
    assert len(fake.issues("acme/web") if kind == "github" else fake.issues) == 2


def test_an_id_with_a_space_is_refused_before_anything_is_created(tmp_path, github):
    # Its marker could not be read back, so every run that failed to write `ticket:` (a CR-only
    # file, say) made one more issue. Now lint refuses the id and sync creates nothing.
    pm = one_item()
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    path = root / pm.path
    path.write_bytes(path.read_bytes().replace(b"---\n", b'---\nid: "card outage"\n', 1).replace(b"\n", b"\r"))
    for _ in range(2):
        result = sync(root, env=env_for(github=github))
        assert result.code == 1
        assert "skipped: 1 lint error(s)" in result.out + result.err
    assert github.issues("acme/web") == []


HOSTILE_TITLE = "Page @acme/everyone about #1 and GH-2, see [this](https://evil.example) <img src=x> https://evil.example &#64;oncall `x"


def test_github_issues_sync_creates_mention_and_link_nothing_from_the_postmortem(tmp_path, github):
    pm = one_item(HOSTILE_TITLE)
    pm.title = "Outage @acme/sre ](https://evil.example) <https://evil.example/a> <a href=https://evil.example/b>b</a> --> <!--"
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": gh_dest(github)}, **FAST}, [pm])
    result = sync(root, env=env_for(github=github))
    assert result.code == 0, result.out + result.err
    issue = github.issues("acme/web")[0]
    page = Page(gfm(issue.body or ""))
    assert MENTION.findall(page.outside) == [] and REFERENCE.findall(page.outside) == []
    assert set(page.hrefs) == {"https://pm.example.com/2026/2026-05-20-payments/"} | {h for h in page.hrefs if h and h.startswith("https://github.com/")}
    # The title is the link's text, shown as written (the zero-width breaks are invisible).
    assert pm.title in [text.replace("\u200b", "") for text in page.code]
    assert len(page.comments) == 1


def test_jira_data_center_descriptions_escape_wiki_markup(tmp_path, jira_dc):
    pm = one_item()
    pm.title = "Outage [~admin] [win|https://evil.example] !https://evil.example/x.png! {color:red}x{color}"
    root = build_repo(tmp_path, {"default": "d", "destinations": {"d": jira_dest(jira_dc)}, **FAST}, [pm])
    result = sync(root, env=env_for(jira=jira_dc))
    assert result.code == 0, result.out + result.err
    description = jira_dc.issues["PAY-1"].description
    assert "[Outage \\[\\~admin\\] \\[win\\|https\u200b://evil.example\\] \\!https\u200b://evil.example/x.png\\! \\{color:red\\}x\\{color\\}|https://pm.example.com/2026/2026-05-20-payments/]" in description
