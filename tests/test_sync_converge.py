"""`core.sync.converge.decide` on plain values: one ticket per item, whatever the trackers hold."""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from followthrough.core.model import PendingCreate, TicketState
from followthrough.core.sync.converge import Create, Keep, Link, Refuse, Relink, Wait, closes, decide, fold
from followthrough.core.sync.tickets import RemoteTicket

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=timezone.utc)
SETTLE = 15 * 60


def t(ref: str, number: int, status: str = "open", duplicate: bool = False) -> RemoteTicket:
    return RemoteTicket(ref, f"https://jira.example/browse/{ref}", status=status, number=number, duplicate=duplicate)


def run(named=None, hits=(), claimed=frozenset(), before=None, pending=None, consistent=True):
    return decide(named, list(hits), claimed, before, pending, consistent=consistent, now=NOW, settle=SETTLE)


def test_the_named_ticket_is_kept_and_the_other_open_ones_are_its_duplicates():
    hits = [t("OPS-1", 1), t("OPS-2", 2), t("OPS-3", 3, status="done"), t("OPS-4", 4, status="in-progress")]
    decision = run("ops-2", hits)
    assert isinstance(decision, Keep) and decision.ref == "ops-2"
    assert [d.ref for d in decision.duplicates] == ["OPS-1", "OPS-4"]  # closed ones are left alone


def test_an_unlinked_item_links_the_oldest_and_closes_the_other_open_ones():
    decision = run(None, [t("OPS-9", 9), t("OPS-4", 4), t("OPS-7", 7, status="wont-do")])
    assert isinstance(decision, Link) and decision.ticket.ref == "OPS-4"
    assert [d.ref for d in decision.duplicates] == ["OPS-9"]


def test_a_ticket_closed_as_a_duplicate_is_not_chosen_over_a_live_one():
    decision = run(None, [t("OPS-1", 1, status="wont-do", duplicate=True), t("OPS-5", 5)])
    assert isinstance(decision, Link) and decision.ticket.ref == "OPS-5" and decision.duplicates == ()


def test_tickets_other_items_name_are_never_linked_or_closed():
    # Item ids by position shift when an item is inserted, and their markers with them.
    hits = [t("OPS-1", 1), t("OPS-2", 2)]
    assert run(None, hits, claimed={"ops-1", "ops-2"}) == Create()
    keep = run("OPS-2", hits, claimed={"ops-1"})
    assert isinstance(keep, Keep) and keep.duplicates == ()


def test_a_named_ticket_closed_as_a_duplicate_of_an_open_one_moves_the_item_to_the_open_one():
    decision = run("OPS-2", [t("OPS-1", 1), t("OPS-2", 2, status="wont-do", duplicate=True), t("OPS-3", 3)])
    assert isinstance(decision, Relink) and decision.ticket.ref == "OPS-1" and decision.replaces == "OPS-2"
    assert [d.ref for d in decision.duplicates] == ["OPS-3"]
    assert closes(decision) and not closes(run("OPS-2", [t("OPS-2", 2)])) and closes(run("OPS-2", [t("OPS-1", 1), t("OPS-2", 2)]))


def test_a_ticket_removed_from_the_file_is_not_linked_again_silently():
    decision = run(None, [t("OPS-3", 3)], before=TicketState("OPS-3"))
    assert isinstance(decision, Refuse) and "write `ticket: OPS-3` back, or give a new item its own `id`" in decision.message
    assert isinstance(run(None, [t("OPS-3", 3)], before=TicketState("OPS-9")), Link)


def test_a_pending_create_waits_on_a_lagging_search_until_it_has_settled():
    sent = PendingCreate("ops", "ft-0123456789abcdef", NOW - timedelta(seconds=30), why="no answer within 30 s")
    waiting = run(None, [], pending=sent, consistent=False)
    assert isinstance(waiting, Wait) and "15 minutes" in waiting.message and "no answer within 30 s" in waiting.message
    assert run(None, [], pending=sent, consistent=True) == Create()  # a consistent look-up would have seen it
    old = PendingCreate("ops", "ft-0123456789abcdef", NOW - timedelta(seconds=SETTLE))
    assert run(None, [], pending=old, consistent=False) == Create()
    answered = PendingCreate("ops", "ft-0123456789abcdef", NOW, ticket="OPS-8", number=10008)
    assert run(None, [], pending=answered, consistent=False) == Create()  # its key was read back consistently: deleted
    found = run(None, [t("OPS-8", 8)], pending=sent, consistent=False)
    assert isinstance(found, Link) and found.ticket.ref == "OPS-8"


def test_refs_fold_case_and_space():
    assert fold(" Acme/Web#12 ") == "acme/web#12" and fold("pay-1") == fold("PAY-1")


def test_whatever_the_tickets_one_stays_open_per_item_and_nothing_claimed_is_touched():
    """A property over random hit sets: after applying the decision, exactly one ticket is kept,
    it is never another item's, every other open unclaimed ticket is closed, nothing claimed is."""
    rng = random.Random(11)
    for _ in range(2000):
        n = rng.randint(0, 5)
        statuses = [rng.choice(["open", "open", "in-progress", "done", "wont-do"]) for _ in range(n)]
        # Closed as a duplicate is closed: a duplicate that stays open loses its marker, so is no hit.
        hits = [t(f"OPS-{i}", i, status=st, duplicate=st == "wont-do" and rng.random() < 0.5) for i, st in zip(rng.sample(range(1, 40), n), statuses)]
        claimed = {fold(h.ref) for h in hits if rng.random() < 0.25}
        named = rng.choice([None, *[h.ref for h in hits if fold(h.ref) not in claimed], "OPS-99"])
        decision = run(named, hits, claimed=claimed)
        free = [h for h in hits if fold(h.ref) not in claimed]
        if isinstance(decision, Keep):
            assert decision.ref == named
            kept = decision.ref
        elif isinstance(decision, Relink):
            assert decision.replaces == named and fold(decision.ticket.ref) not in claimed and decision.ticket.is_open
            kept = decision.ticket.ref
        elif isinstance(decision, Link):
            assert named is None and fold(decision.ticket.ref) not in claimed
            kept = decision.ticket.ref
        else:
            assert decision == Create() and named is None and not free
            continue
        closed = {d.ref for d in decision.duplicates}
        assert kept not in closed and not {fold(r) for r in closed} & claimed
        assert closed == {h.ref for h in free if h.is_open and h.ref != kept}
