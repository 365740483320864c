"""Which earlier postmortems resemble one (core.learning.similar), on a corpus small enough that
the expected order is written down by hand."""

from __future__ import annotations

from followthrough.core.learning.similar import Index, document_text, terms
from followthrough.core.model import Postmortem
from followthrough.core.parse import parse_postmortem
from followthrough.core.settings import DEFAULT_SETTINGS


def make(
    pm_id: str,
    started: str,
    title: str,
    *,
    services: tuple[str, ...] = ("other-service",),
    teams: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    factors: tuple[str, ...] = (),
    kind: str = "incident",
    related: tuple[str, ...] = (),
    recurrence_of: str | None = None,
    summary: str | None = None,
    cause: str | None = None,
) -> Postmortem:
    lists = {"services": services, "teams": teams, "tags": tags, "factors": factors, "related": related}
    head = [f"title: {title}", "status: published", f"kind: {kind}", "severity: SEV-2", f"started: {started}T10:00:00Z"]
    head += [f"{key}: [{', '.join(values)}]" for key, values in lists.items() if values]
    if recurrence_of:
        head.append(f"recurrence_of: {recurrence_of}")
    body = ""
    if summary is not None:
        body += f"## Summary\n\n{summary}\n\n## Timeline\n\n- 10:00 it began: connection pool timeout checkout\n\n"
    if cause is not None:
        body += f"## Root cause\n\n{cause}\n\n```\nconnection pool checkout timeout configuration\n```\n"
    text = "---\n" + "\n".join(head) + "\n---\n" + body
    pm, _ = parse_postmortem(text, f"postmortems/{started[:4]}/{pm_id}.md", DEFAULT_SETTINGS)
    assert pm.id == pm_id and pm.started is not None
    return pm


POOL = "Checkout requests timed out because the connection pool was exhausted after a configuration change halved its size."
QUERY = make(
    "2026-05-01-checkout-pool", "2026-05-01", "Checkout timeouts as the connection pool ran dry",
    services=("checkout",), teams=("payments",), tags=("database",), factors=("configuration",),
    summary=POOL, cause="The connection pool size came from a configuration template that was wrong.",
)  # fmt: skip
A = make(
    "2024-01-10-pool", "2024-01-10", "Checkout failed when the connection pool was exhausted",
    services=("checkout",), teams=("payments",), factors=("configuration",),
    summary="The connection pool of checkout was exhausted and requests timed out.", cause="A configuration change.",
)  # fmt: skip
B = make("2024-06-01-dns", "2024-06-01", "Resolver flapped", services=("checkout",), factors=("configuration",), kind="near-miss", summary="Name lookups failed in one zone.")
C = make(
    "2025-02-01-ledger-pool", "2025-02-01", "Ledger timeouts as the connection pool ran dry",
    services=("ledger",), summary=POOL, cause="The connection pool size came from a configuration template that was wrong.",
)  # fmt: skip
D = make("2025-03-01-disk", "2025-03-01", "Disk filled on a replica", tags=("database",), summary="A replica's disk filled with logs.")
E = make("2025-04-01-drill", "2025-04-01", "Drill of a region failover", teams=("payments",), kind="game-day", summary="We failed over a region on purpose.")
F = make("2026-06-01-later", "2026-06-01", "Checkout pool again", services=("checkout",), summary=POOL)  # after the query
G = make("2023-01-01-badge", "2023-01-01", "Badge printers offline", summary="Office badge printers lost their network.")
H = make("2023-05-05-bare", "2023-05-05", "Checkout outage", services=("checkout",))  # no body at all
CORPUS = (A, B, C, D, E, F, G, H, QUERY)


def ranked(pm: Postmortem, corpus=CORPUS, limit: int = 10) -> list[str]:
    return [s.pm.id for s in Index(corpus).similar(pm, limit=limit)]


def test_the_order_written_by_hand() -> None:
    # A: service, factor, team and wording; C: almost the same words, nothing else; B: service
    # and factor (5); H: the service (3); E and D: one team or one tag (1 each), the newer first.
    # F started later and G shares nothing: neither is listed.
    assert ranked(QUERY) == [A.id, C.id, B.id, H.id, E.id, D.id]


def test_each_reason_says_what_is_shared_and_adds_its_points() -> None:
    found = {s.pm.id: s for s in Index(CORPUS).similar(QUERY, limit=10)}
    a = found[A.id]
    assert a.why.startswith("same service 'checkout'; same factor 'configuration'; same team 'payments'; similar wording: ")
    assert "'connection pool'" in a.why
    assert a.score == round(sum(r.points for r in a.reasons), 2)
    assert [r.points for r in a.reasons][:3] == [3.0, 2.0, 1.0]
    assert found[B.id].why == "same service 'checkout'; same factor 'configuration'" and found[B.id].score == 5.0
    assert [r.kind for r in found[C.id].reasons] == ["text"]
    assert str(found[D.id].reasons[0]) == "same tag 'database'"


def test_recurrence_only_for_an_incident_of_the_same_service_and_factor() -> None:
    found = {s.pm.id: s for s in Index(CORPUS).similar(QUERY, limit=10)}
    assert found[A.id].field == "recurrence_of" and found[A.id].line == f"recurrence_of: {A.id}"
    assert found[B.id].field == "related"  # the same service and factor, but a near miss
    assert found[B.id].line == f"related: [{B.id}]"
    assert found[B.id].pm.kind == "near-miss"


def test_ties_go_to_the_more_recent_then_by_id() -> None:
    q = make("2026-01-01-q", "2026-01-01", "Q", tags=("x",))
    one = make("2025-01-01-b", "2025-01-01", "One", tags=("x",))
    same_day = make("2025-01-01-a", "2025-01-01", "Same day", tags=("x",))
    older = make("2024-01-01-c", "2024-01-01", "Older", tags=("x",))
    assert ranked(q, (older, one, same_day, q)) == [same_day.id, one.id, older.id]
    assert ranked(q, (q, same_day, older, one)) == [same_day.id, one.id, older.id]  # whatever the input order


def test_a_postmortem_with_no_body_is_compared_on_its_fields() -> None:
    assert H.body == ""
    found = Index(CORPUS).similar(H, limit=10)
    assert [s.pm.id for s in found] == []  # only G is earlier, and it shares nothing
    bare = make("2027-01-01-bare", "2027-01-01", "Checkout outage", services=("checkout",))
    result = Index(CORPUS).similar(bare, limit=10)
    assert result[0].pm.id == H.id  # the same service and the same title
    assert {r.kind for r in result[0].reasons} == {"service", "text"}
    assert all("service" in {r.kind for r in s.reasons} for s in result if s.pm.id in (A.id, B.id, F.id, QUERY.id))


def test_none_earlier() -> None:
    assert ranked(G) == []


def test_a_new_postmortem_outside_the_index_and_one_with_no_start() -> None:
    new = make("2026-07-01-new", "2026-07-01", "Checkout timeouts as the connection pool ran dry", services=("ledger",), summary=POOL)
    assert ranked(new)[:2] == [C.id, QUERY.id]  # the same words; the same service for C
    undated = Postmortem(path="draft.md", id="draft", title="Ledger timeouts as the connection pool ran dry", services=("ledger",))
    assert ranked(undated)[0] == C.id  # no start yet: every other postmortem counts as earlier


def test_already_linked_either_way_is_marked() -> None:
    q = make("2026-05-02-q", "2026-05-02", "Q", tags=("database",), related=(D.id,), recurrence_of=A.id, services=("checkout",))
    later_names_it = make("2025-05-05-names", "2025-05-05", "Names", tags=("database",), related=("2026-05-02-q",))
    found = {s.pm.id: s.linked for s in Index((*CORPUS, q, later_names_it)).similar(q, limit=20)}
    assert found[D.id] and found[A.id] and found[later_names_it.id]
    assert not found[B.id]


def test_terms_leave_out_stop_words_code_and_numbers() -> None:
    assert terms("The connection pool was 40 at 10:00") == ["connection", "pool", "connection pool"]
    x = make("2026-01-01-x", "2026-01-01", "X", summary="Plain words.", cause="More words.")
    assert "configuration" in x.body  # in the Root cause's code block, and the Timeline
    assert document_text(x).split() == ["X", "Plain", "words.", "More", "words."]
