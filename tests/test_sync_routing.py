"""Routing items to destinations, markers, and what a new ticket says."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from followthrough.core.model import ActionItem, Directory, Person, Postmortem
from followthrough.config.trackers import load_trackers
from followthrough.core.sync.description import new_ticket
from followthrough.core.sync.markers import hidden_marker, marker_for, marker_line, markers_in
from followthrough.core.sync.routing import route_linked, route_new

from .fakes.jql import parse, tokenize
from followthrough.trackers.jira_tracker import jql_quote

TRACKERS = load_trackers(
    {
        "default": "ops",
        "teams": {"payments": "pay", "web": "web"},
        "services": {"checkout": "pay", "web": "web"},
        "destinations": {
            "pay": {"type": "jira-cloud", "url": "https://a.atlassian.net", "email": "b@a", "project": "PAY"},
            "ops": {"type": "jira-dc", "url": "https://jira.a", "project": "OPS"},
            "web": {"type": "github", "repo": "acme/web"},
            "web2": {"type": "github", "repo": "acme/web2"},
        },
    },
    "mkdocs.yml",
    {},
)
DIRECTORY = Directory(
    people={
        "max": Person("max", "Max Expert", github="maxsme", jira="acc-max", team="payments"),
        "ana": Person("ana", "Ana Commander", team="sre"),
    },
    present=True,
)


def pm(**kw) -> Postmortem:
    return Postmortem(path="postmortems/2026/2026-05-20-x.md", id="2026-05-20-x", title="Checkout failed", severity="SEV-2", **kw)


def item(**kw) -> ActionItem:
    return ActionItem(**{"index": 0, "line": 22, "title": "Add an alert", "owner": "ana", "id": "add-alert", "due": date(2026, 6, 5), **kw})


def test_item_tracker_wins_then_owner_team_then_postmortem_teams_then_services_then_default():
    assert route_new(pm(teams=("payments",)), item(tracker="web2"), TRACKERS, DIRECTORY).destination == "web2"
    assert route_new(pm(teams=("web",)), item(owner="max"), TRACKERS, DIRECTORY).destination == "pay"  # max's team
    assert route_new(pm(teams=("sre", "web")), item(), TRACKERS, DIRECTORY).destination == "web"
    assert route_new(pm(services=("dns", "checkout")), item(), TRACKERS, DIRECTORY).destination == "pay"
    assert route_new(pm(services=("dns",)), item(), TRACKERS, DIRECTORY).destination == "ops"
    unknown = route_new(pm(), item(tracker="linear"), TRACKERS, DIRECTORY)
    assert unknown.destination is None and "'linear' is not one of the destinations" in unknown.reason


def test_no_default_means_a_clear_reason():
    bare = load_trackers({"destinations": {"web": {"type": "github", "repo": "a/b"}}}, "mkdocs.yml", {})
    route = route_new(pm(), item(), bare, DIRECTORY)
    assert route.destination is None and "set trackers.default" in route.reason


def test_linked_tickets_go_where_they_live_whatever_the_routing_says_now():
    assert route_linked("OPS-7", pm(teams=("payments",)), item(), TRACKERS, DIRECTORY).destination == "ops"
    assert route_linked("acme/web2#3", pm(teams=("payments",)), item(), TRACKERS, DIRECTORY).destination == "web2"
    assert route_linked("#3", pm(teams=("web",)), item(), TRACKERS, DIRECTORY).destination == "web"  # routing breaks the tie
    assert route_linked("https://x/PAY-1", pm(), item(), TRACKERS, DIRECTORY).destination is None


def test_markers_are_stable_and_checked_exactly():
    m = marker_for("2026-05-20-x", "add-alert")
    assert m == marker_for("2026-05-20-x", "add-alert") and m.startswith("ft-") and len(m) == 19
    assert markers_in(hidden_marker("2026-05-20-x", "add-alert")) == {m}
    assert markers_in("followthrough-item: 2026-05-20-x/other " + m) == set()  # hash and key disagree
    assert markers_in(f"see {m} somewhere") == set()
    assert marker_line("a", "b") in hidden_marker("a", "b")


def test_new_ticket_fields_for_jira_and_github():
    p = pm(teams=("payments",), started=None)
    jira_ticket, notes = new_ticket(p, item(owner="max", priority="P1"), TRACKERS.destinations["pay"], TRACKERS, DIRECTORY, site_url="https://pm.example.com/", docs_path="2026/2026-05-20-x.md")
    assert (jira_ticket.assignee, jira_ticket.due, jira_ticket.labels, notes) == ("acc-max", date(2026, 6, 5), ("postmortem", "2026-05-20-x", "SEV-2"), [])
    gh_ticket, notes = new_ticket(p, item(owner="ana"), TRACKERS.destinations["web"], TRACKERS, DIRECTORY, site_url="", docs_path="2026/2026-05-20-x.md")
    assert gh_ticket.assignee is None and notes == ["owner 'ana' has no `github` id in the people directory; the ticket is left unassigned"]
    text = " ".join(part.text for para in gh_ticket.paragraphs for part in para)
    assert "Due: 2026-06-05" in text and "Owner: Ana Commander (ana)" in text


@given(st.text(min_size=1, max_size=40))
def test_any_string_quoted_for_jql_reads_back_as_itself(value):
    tokens = tokenize(f"labels = {jql_quote(value)}")
    assert [t.kind for t in tokens] == ["word", "op", "string"] and tokens[2].text == value
    assert parse(f"labels in ({jql_quote(value)}, {jql_quote(value + 'x')})") is not None
