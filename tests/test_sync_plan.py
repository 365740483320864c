"""The pure half of sync on plain values: what to sync and where, link or create, the state
entry a pull gives, drift, and which state entries a run keeps. No server, no file."""

from __future__ import annotations

from datetime import date

from followthrough.core.findings import Finding
from followthrough.core.model import ActionItem, Directory, Person, Postmortem, TicketState
from followthrough.config.trackers import load_trackers
from followthrough.core.sync.plan import plan
from followthrough.core.sync.reconcile import drift, handle_of, kept_entries, state_entry
from followthrough.core.sync.tickets import RemoteTicket

TRACKERS = load_trackers(
    {
        "default": "ops",
        "teams": {"web": "web"},
        "destinations": {
            "ops": {"type": "jira-dc", "url": "https://jira.a", "project": "OPS"},
            "web": {"type": "github", "repo": "acme/web"},
        },
    },
    "mkdocs.yml",
    {},
)
OPS, WEB = TRACKERS.destinations["ops"], TRACKERS.destinations["web"]
DIRECTORY = Directory(people={"max": Person("max", "Max Expert", github="maxsme", jira="acc-max", team="web"), "ana": Person("ana", "Ana Commander", team="sre")}, present=True)
MIRRORED = ("in-review", "published")
TODAY = date(2026, 6, 1)


def item(id: str, **kw) -> ActionItem:
    return ActionItem(**{"index": 0, "line": 22, "title": f"Do {id}", "owner": "ana", "id": id, "due": date(2026, 6, 5), "lines": {"due": 24, "owner": 23}, **kw})


def pm(slug: str, *items: ActionItem, status: str = "published", **kw) -> Postmortem:
    return Postmortem(path=f"pm/2026-05-20-{slug}.md", id=f"2026-05-20-{slug}", title=slug, severity="SEV-2", status=status, action_items=items, **kw)


def error(path: str, code: str = "FT101") -> Finding:
    return Finding(path, 3, 1, code, "bad")


def test_mirrored_items_and_linked_items_are_planned_and_routed():
    drafted = pm("draft", item("a"), item("b", ticket="OPS-7"), status="draft")
    published = pm("pub", item("c", owner="max"), item("d", ticket="https://linear.app/acme/issue/X-1"))
    result = plan([drafted, published], [], MIRRORED, TRACKERS, DIRECTORY, shown=lambda p: f"./{p}")
    assert [(w.item.id, w.destination, w.ticket) for w in result.works] == [("b", "ops", "OPS-7"), ("c", "web", None)]
    assert result.works[1].where == "./pm/2026-05-20-pub.md:22: c" and result.works[1].key == "2026-05-20-pub/c"
    assert result.notes == ["./pm/2026-05-20-pub.md:22: d: https://linear.app/acme/issue/X-1 is not in Jira or GitHub; not synced"]
    assert result.failures == result.skipped == []


def test_an_item_no_destination_takes_is_kept_apart_with_the_reason():
    lost = pm("x", item("a", tracker="linear"))
    routed, unrouted = plan([lost], [], MIRRORED, TRACKERS, DIRECTORY).by_destination()
    assert routed == {} and [w.item.id for w in unrouted] == ["a"]
    assert "'linear' is not one of the destinations" in (unrouted[0].route_problem or "")


def test_postmortems_with_errors_fail_the_run_when_they_matter_and_are_listed_otherwise():
    draft = pm("draft", item("a"), status="draft")
    published = pm("pub", item("b"))
    result = plan([draft, published], [error(draft.path), error(published.path), error(published.path), error("pm/link.md", "FT012")], MIRRORED, TRACKERS, DIRECTORY)
    assert result.works == []
    assert result.failures == [
        "pm/2026-05-20-pub.md: skipped: 2 lint error(s); run `followthrough lint pm/2026-05-20-pub.md`",
        "pm/link.md: skipped: not read (FT012); run `followthrough lint`",
    ]
    assert result.skipped == ["pm/2026-05-20-draft.md: skipped: 1 lint error(s); run `followthrough lint pm/2026-05-20-draft.md`"]


def test_a_state_entry_keeps_its_checked_day_while_the_status_holds():
    remote = RemoteTicket("acme/web#4", "https://github.com/acme/web/issues/4", status="done", tracker_status="closed (completed)", done_on=date(2026, 5, 30), assignee="maxsme")
    first = state_entry(None, "#4", remote, DIRECTORY, WEB, TODAY)
    assert first == TicketState("#4", remote.url, "done", "closed (completed)", date(2026, 5, 30), "max", None, TODAY)
    later = date(2026, 6, 9)
    assert state_entry(first, "#4", remote, DIRECTORY, WEB, later).checked == TODAY
    reopened = RemoteTicket("acme/web#4", remote.url, status="open", tracker_status="open")
    assert state_entry(first, "#4", reopened, DIRECTORY, WEB, later).checked == later


def test_accounts_map_to_handles_and_unknown_ones_stay_as_the_tracker_names_them():
    assert handle_of(DIRECTORY, "acc-max", OPS) == "max" and handle_of(DIRECTORY, "maxsme", WEB) == "max"
    assert handle_of(DIRECTORY, "maxsme", OPS) == "maxsme" and handle_of(DIRECTORY, None, OPS) is None


def test_drift_names_the_line_and_both_sides():
    it = item("a", owner="max")
    agree = RemoteTicket("OPS-1", "u", due=date(2026, 6, 5), assignee="acc-max")
    assert drift(it, "x.md", agree, DIRECTORY, OPS) == []
    apart = RemoteTicket("OPS-1", "u", due=None, assignee="acc-zed")
    assert drift(it, "x.md", apart, DIRECTORY, OPS) == [
        "x.md:24: a (OPS-1): due 2026-06-05 in the postmortem, no due date in ops",
        "x.md:23: a (OPS-1): owner max in the postmortem, assigned to acc-zed in ops",
    ]
    assert drift(item("b", owner="ana"), "x.md", apart, DIRECTORY, OPS)[1:] == []  # ana has no Jira account: nothing to compare


def test_kept_entries_drop_stale_and_gone_keep_skipped_and_unaccounted():
    state = {
        "p1/live": TicketState("OPS-1"),
        "p1/edited": TicketState("OPS-2"),  # the item names OPS-20 now
        "p1/gone": TicketState("OPS-3"),
        "p2/skipped": TicketState("OPS-4"),
        "p9/elsewhere": TicketState("OPS-5"),  # no postmortem read now is p9
    }
    refs = {"p1/live": "OPS-1", "p1/edited": "OPS-20"}
    args = dict(live={"p1/live", "p1/edited"}, refs=refs, read_ids={"p1", "p2"}, skipped_ids={"p2"})
    assert set(kept_entries(state, **args, anything_unread=False)) == {"p1/live", "p2/skipped"}
    assert set(kept_entries(state, **args, anything_unread=True)) == {"p1/live", "p2/skipped", "p9/elsewhere"}
