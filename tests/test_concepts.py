"""Concepts with one home each: the UTC date, page URLs, ticket patterns, slugs, "due soon"."""

from __future__ import annotations

import io
import os
import stat
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from followthrough.core import metrics
from followthrough.core.dates import is_due_soon, utc_date
from followthrough.core.escape import actions
from followthrough.core.model import ActionItem, Directory, Postmortem, TimelineEntry
from followthrough.core.rules import items as item_rules
from followthrough.core.rules.body import check as body_check
from followthrough.core.rules.context import Context
from followthrough.core.settings import DEFAULT_SETTINGS
from followthrough.core.slugs import slug, unique_slugs
from followthrough.config.trackers import load_trackers
from followthrough.core.sync.description import new_ticket
from followthrough.core.sync.routing import route_linked
from followthrough.core.text.frontmatter import split
from followthrough.core.ticket_refs import ticket_reference
from followthrough.core.urls import page_url, published_page, published_url
from followthrough.files.atomic import current_umask, write_atomic
from followthrough.files.safefiles import Refused
from followthrough.files.writeback import set_ticket

CTX = Context(DEFAULT_SETTINGS, Directory(), date(2026, 6, 1))
MINUS_TWO = timezone(timedelta(hours=-2))
TRACKERS = load_trackers(
    {
        "default": "web",
        "destinations": {
            "pay": {"type": "jira-cloud", "url": "https://a.atlassian.net", "email": "b@a", "project": "PAY"},
            "ops": {"type": "jira-dc", "url": "https://jira.a", "project": "O"},
            "web": {"type": "github", "repo": "acme/web"},
        },
    },
    "mkdocs.yml",
    {},
)


def pm(**kw) -> Postmortem:
    return Postmortem(path="postmortems/2026/2026-05-20-x.md", id="2026-05-20-x", title="Checkout failed", severity="SEV-2", **kw)


def item(**kw) -> ActionItem:
    return ActionItem(**{"index": 0, "line": 22, "title": "Add an alert", "owner": "ana", "id": "add-alert", "due": date(2026, 6, 5), **kw})


# -- the UTC date -------------------------------------------------------------------------


def test_the_utc_date_of_an_instant_written_with_an_offset():
    late = datetime(2024, 3, 31, 23, 30, tzinfo=MINUS_TWO)
    assert utc_date(late) == date(2024, 4, 1) and late.date() == date(2024, 3, 31)
    assert metrics.incident_quarter(pm(started=late)) == "2024-Q2"


def test_a_new_ticket_gives_the_incidents_utc_date_like_its_file_name():
    started = datetime(2026, 5, 20, 23, 30, tzinfo=MINUS_TWO)  # 2026-05-21 01:30 UTC
    ticket, _ = new_ticket(pm(started=started), item(), TRACKERS.destinations["web"], TRACKERS, Directory(), site_url="", docs_path="2026/x.md")
    first = "".join(part.text for part in ticket.paragraphs[0])
    assert "(SEV-2, 2026-05-21)." in first


def test_a_timeline_out_of_order_is_reported_on_the_utc_clock_it_names():
    # 23:50 at -02:00 is 01:50 UTC the next day; the entry after it, 01:00 UTC, is before it.
    entries = (
        TimelineEntry(datetime(2026, 5, 20, 23, 50, tzinfo=MINUS_TWO), "paged", 30),
        TimelineEntry(datetime(2026, 5, 21, 1, 0, tzinfo=timezone.utc), "rolled back", 31),
    )
    messages = [f.message for f in body_check(pm(timeline=entries), CTX) if f.code == "FT502"]
    assert messages == [
        "Timeline: 2026-05-21 01:00 UTC comes after 2026-05-21 01:50 UTC (line 30); "
        "if the timeline crossed midnight, write the full date there, e.g. '2026-05-22 01:00'"
    ]


# -- due soon -------------------------------------------------------------------------------


@pytest.mark.parametrize(("due_in", "soon"), [(None, False), (-1, False), (0, True), (7, True), (8, False)])
def test_due_soon_is_due_today_or_within_the_window(due_in, soon):
    assert is_due_soon(due_in, 7) is soon


def test_the_site_export_and_the_lists_agree_on_due_soon():
    today = date(2026, 6, 1)
    views = [
        metrics.item_view(pm(status=status), item(id=f"i{n}", due=today + timedelta(days=n), status=s), None, today)
        for n, (status, s) in enumerate([("published", "open"), ("published", "done"), ("draft", "open"), ("published", "in-progress")] * 3)
    ]
    listed = {v.item.id for v in metrics.due_soon_items(views, 7)}
    flagged = {v.item.id for v in views if v.is_due_soon(7) and metrics.is_counted(v.postmortem)}
    assert listed == flagged == {"i0", "i3", "i4", "i7"}


# -- page URLs ------------------------------------------------------------------------------


def test_page_urls_follow_use_directory_urls_and_site_url():
    assert page_url("2024/x.md") == "2024/x/" and page_url("2024/x.md", False) == "2024/x.html"
    assert page_url("index.md") == "" and page_url("by-year/index.md", False) == "by-year/index.html"
    assert published_url("https://pm.example.com/docs", "2024/a b.md") == "https://pm.example.com/docs/2024/a%20b/"
    assert published_url("https://pm.example.com/", "2024/x.md", False) == "https://pm.example.com/2024/x.html"
    assert published_url("", "2024/x.md", False) == "2024/x.html"
    assert published_page("", "2024/x.md") is None


def test_a_ticket_description_links_the_page_mkdocs_writes():
    for directory_urls, expected in ((True, "https://pm.example.com/2026/2026-05-20-x/"), (False, "https://pm.example.com/2026/2026-05-20-x.html")):
        ticket, _ = new_ticket(
            pm(), item(), TRACKERS.destinations["web"], TRACKERS, Directory(), site_url="https://pm.example.com", docs_path="2026/2026-05-20-x.md", use_directory_urls=directory_urls
        )
        assert [p.url for p in ticket.paragraphs[0] if p.url] == [expected]


# -- ticket patterns -------------------------------------------------------------------------

# Where lint (FT307) and sync's routing read a ticket differently (or both missed a URL).
DISAGREED = {
    "O-1": False,  # a one-letter project: Jira keys have two or more characters
    "OPS-0": False,  # no issue 0
    "OPS-012": False,  # nor a number with a leading zero
    "acme/web#0": False,
    "#45": True,  # the routed GitHub destination's issue 45 (guide/sync.md)
    "HTTPS://a.atlassian.net/browse/PAY-12": True,  # a scheme in capitals is still a URL
}


@pytest.mark.parametrize("ticket", sorted(DISAGREED))
def test_lint_and_sync_read_a_ticket_alike(ticket):
    accepted = DISAGREED[ticket]
    linted = [f for f in item_rules.check(pm(action_items=(item(ticket=ticket),)), CTX) if f.code == "FT307"]
    assert (not linted) is accepted
    reference = ticket_reference(ticket)
    routed = route_linked(reference, pm(), item(), TRACKERS, Directory()).destination if reference else None
    assert (routed is not None) is accepted


def test_a_url_of_an_issue_is_read_as_its_reference():
    assert ticket_reference("https://a.atlassian.net/browse/PAY-12/") == "PAY-12"
    assert ticket_reference("https://github.com/acme/web/issues/7") == "acme/web#7"
    assert ticket_reference("https://linear.app/acme/issue/ENG-1") is None
    assert metrics.ticket_url("acme/web#7") == "https://github.com/acme/web/issues/7"
    assert metrics.ticket_url("#7") is None and metrics.ticket_url("PAY-12") is None


def test_a_jira_url_in_lower_case_is_read_as_its_key():
    # Jira opens /browse/pay-12 as PAY-12; the key sync routes by is the upper-case one.
    reference = ticket_reference("https://a.atlassian.net/browse/pay-12")
    assert reference == "PAY-12"
    assert route_linked(reference, pm(), item(), TRACKERS, Directory()).destination is not None


# -- slugs ----------------------------------------------------------------------------------


def test_one_slug_for_file_names_and_pages():
    assert slug("Zürich DB: failover!") == "zurich-db-failover"
    assert slug("支付") == "" and unique_slugs(["支付", "API", "api!"]) == {"API": "api", "api!": "api-2", "支付": "x"}
    assert slug("a" * 59 + " bc", limit=60) == "a" * 59 and len(slug("x" * 99, limit=60)) == 60


# -- front-matter -----------------------------------------------------------------------------

_LINES = st.lists(st.sampled_from(["---", "...", "--- ", "title: x", "", "  - id: a", "----", "\ufeff---", "body"]), max_size=8)


@given(_LINES, st.sampled_from(["\n", "\r\n", "\r"]), st.booleans())
def test_front_matter_splits_alike_whatever_the_line_breaks(lines, brk, bom):
    text = ("\ufeff" if bom else "") + brk.join(lines)
    plain = split(text.replace("\r\n", "\n").replace("\r", "\n"))
    parts = split(text)
    assert (parts.problem, parts.yaml_line, parts.body_line) == (plain.problem, plain.yaml_line, plain.body_line)
    normal = lambda s: s if s is None else s.replace("\r\n", "\n").replace("\r", "\n")  # noqa: E731
    assert (normal(parts.yaml_text), normal(parts.body)) == (plain.yaml_text, plain.body)
    if parts.yaml_text is not None:
        assert text[parts.yaml_start :].startswith(parts.yaml_text)


def test_the_write_back_edits_the_front_matter_the_parser_reads():
    text = "---\rtitle: x\raction_items:\r  - id: a\r    title: A\r---\rbody\r"
    edited = set_ticket(text, 0, "PAY-12")
    assert edited == "---\rtitle: x\raction_items:\r  - id: a\r    title: A\r    ticket: PAY-12\r---\rbody\r"
    assert split(edited).body == "body\r"


# -- atomic writes ------------------------------------------------------------------------------


def test_an_atomic_write_keeps_the_files_mode_and_gives_a_new_one_the_umasks(tmp_path):
    kept = tmp_path / "kept.json"
    kept.write_bytes(b"old")
    kept.chmod(0o640)
    write_atomic(kept, b"new")
    assert kept.read_bytes() == b"new" and stat.S_IMODE(kept.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.json"
    write_atomic(fresh, b"x")
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~current_umask()
    write_atomic(fresh, b"y", mode=0o600)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.json", "kept.json"]


def test_an_atomic_write_is_refused_through_a_link_or_onto_a_special_file(tmp_path):
    outside = tmp_path / "outside.txt"
    outside.write_bytes(b"keep")
    (tmp_path / "repo" / "real").mkdir(parents=True)
    (tmp_path / "repo" / "at").symlink_to(outside)
    (tmp_path / "repo" / "via").symlink_to(tmp_path / "repo" / "real")
    os.mkfifo(tmp_path / "repo" / "pipe")
    for name in ("at", "via/state.json"):
        with pytest.raises(Refused, match="a symbolic link; nothing is written through it"):
            write_atomic(tmp_path / "repo" / name, b"x", root=tmp_path / "repo")
    with pytest.raises(Refused, match=r"a symbolic link"):
        write_atomic(tmp_path / "repo" / "at", b"x")  # the link at the name itself, without a root
    with pytest.raises(Refused, match=r"a named pipe \(FIFO\), not a regular file"):
        write_atomic(tmp_path / "repo" / "pipe", b"x")
    assert outside.read_bytes() == b"keep" and list((tmp_path / "repo" / "real").iterdir()) == []


def test_an_atomic_write_that_fails_leaves_the_old_file_and_no_leftover(tmp_path):
    class Broken(io.RawIOBase):
        def readable(self) -> bool:
            return True

        def readinto(self, buffer) -> int:
            raise OSError("disk went away")

    target = tmp_path / "page.html"
    target.write_bytes(b"old")
    with pytest.raises(OSError, match="disk went away"):
        write_atomic(target, Broken())  # type: ignore[arg-type]
    assert target.read_bytes() == b"old" and [p.name for p in tmp_path.iterdir()] == ["page.html"]


def test_a_durable_write_waits_for_the_file_and_its_folder_and_a_plain_one_for_neither(tmp_path, monkeypatch):
    synced: list[str] = []
    real = os.fsync

    def fsync(fd: int) -> None:
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    write_atomic(tmp_path / "state.json", b"{}", durable=True)
    assert synced == ["file", "folder"]
    synced.clear()
    write_atomic(tmp_path / "page.html", b"<p>")
    assert synced == []
    assert (tmp_path / "state.json").read_bytes() == b"{}"


@pytest.mark.parametrize("writer", ["state", "writeback"])
def test_the_state_file_and_the_write_back_are_durable(tmp_path, monkeypatch, writer):
    from followthrough.core.model import TicketState
    from followthrough.files.state import write_state
    from followthrough.files.writeback import write_ticket

    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", lambda fd: synced.append(fd))
    if writer == "state":
        write_state(tmp_path / ".followthrough" / "state.json", {"pm/a": TicketState("PAY-1")})
    else:
        pm = tmp_path / "pm.md"
        pm.write_text("---\ntitle: x\naction_items:\n  - id: a\n    title: Add an alert\n---\nbody\n")
        write_ticket(pm, 0, "PAY-1", expected_title="Add an alert")
        assert "ticket: PAY-1" in pm.read_text()
    assert len(synced) == 2  # the file, then its folder


# -- GitHub Actions workflow commands ------------------------------------------------------------


def _runner_decodes(value: str, prop: bool) -> str:
    # How the Actions runner reads a value back: '%25' last, so an escaped '%0A' stays text.
    pairs = [("%0D", "\r"), ("%0A", "\n")] + ([("%3A", ":"), ("%2C", ",")] if prop else [])
    for code, char in pairs + [("%25", "%")]:
        value = value.replace(code, char)
    return value


@given(st.lists(st.sampled_from(list("ab%:,\r\n0AD2C5") + ["::", "%0A", "%25", "%3A"]), max_size=12).map("".join))
def test_a_workflow_command_value_stays_one_value_and_reads_back(value):
    text, prop = actions.message(value), actions.prop(value)
    assert "\n" not in text and "\r" not in text and not {":", ","} & set(prop)
    assert _runner_decodes(text, False) == value and _runner_decodes(prop, True) == value


@pytest.mark.parametrize("url", ["https://x.atlassian.net/browse/pa\u017f-12", "https://x.atlassian.net/browse/\u212aey-3", "https://github.com/\u017fome/repo/issues/4"])
def test_a_ticket_url_with_letters_that_fold_to_ascii_is_not_a_ticket(url):
    # Case-insensitive matching alone would read 'ſ' as s and the Kelvin sign as k: another ticket.
    from followthrough.core.ticket_refs import ticket_reference

    assert ticket_reference(url) is None
