"""A repo for the learning pages: the shipped repo's postmortems plus a second Tillpoint incident on
the same services two months later, with contributing factors, a verified fix and a near miss.

The first incident (2025-04-10) has prevent items in every state the open-at-start rule tells
apart, seen from the second (started 2025-06-10):
- `idempotency-key-on-authorise`: done on 2025-06-09, the day before: not open;
- `retry-budget`: done, verified, on no known date: "done, date unknown";
- `auto-provider-failover` (made a prevent item here): in progress: open.
"""

from __future__ import annotations

from pathlib import Path

from .conftest import shipped_repo

FIRST = "2025/2025-04-10-tillpoint-latency-duplicate-authorisations"
SECOND = "2025/2025-06-10-tillpoint-latency-again"
NEAR_MISS = "2025/2025-07-01-tillpoint-near-miss"
FIRST_TITLE = "Tillpoint latency plus our retries produced duplicate card authorisations and a 52-minute checkout outage"
SECOND_TITLE = "Tillpoint <b>slow</b> again & checkout timed out"


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def learning_repo(target: Path) -> Path:
    root = shipped_repo(target)
    first = root / "postmortems" / f"{FIRST}.md"
    text = first.read_text(encoding="utf-8")
    original = text
    text = replace(text, "tags: [third-party", "factors: [third-party, change]\ntags: [third-party")
    text = replace(text, "    status: done\n    ticket: PAY-412\n", "    status: done\n    done_on: 2025-06-09\n    ticket: PAY-412\n")
    text = replace(text, "    status: done\n    ticket: PAY-413\n", "    status: done\n    verified: {on: 2025-05-20, how: 'a game day replayed the Tillpoint slowdown <img src=x onerror=alert(1)>'}\n    ticket: PAY-413\n")
    text = replace(text, "    type: mitigate\n    status: in-progress\n    ticket: PAY-414\n", "    type: prevent\n    status: in-progress\n    ticket: PAY-414\n")
    first.write_text(text, encoding="utf-8")
    second = original.replace("2025-04-", "2025-06-")
    second = replace(second, f"title: {FIRST_TITLE}", f"title: {SECOND_TITLE!r}".replace("'", '"'))
    second = replace(second, "tags: [third-party", "factors: [third-party]\ntags: [third-party")
    (root / "postmortems" / f"{SECOND}.md").write_text(second, encoding="utf-8")
    near = """---
title: Tillpoint slowed down again but the retry budget held
status: published
kind: near-miss
severity: SEV-3
services: [payments-gateway]
teams: [payments]
factors: [third-party, capacity]
started: 2025-07-01T10:00:00Z
detected: 2025-07-01T10:02:00Z
mitigated: 2025-07-01T10:20:00Z
resolved: 2025-07-01T10:40:00Z
roles:
  commander: r.okafor
authors: [l.fontaine]
reviewed: 2025-07-02
action_items:
  - id: alert-on-provider-p99
    title: Page payments on-call when Tillpoint's p99 passes 3 s
    owner: l.fontaine
    due: 2025-07-15
    type: detect
    status: open
---

## Summary

Tillpoint's p99 rose to 9 s for twenty minutes; the retry budget kept the gateway's threads free.

## Timeline

- 10:00 — Tillpoint latency rises.
- 10:20 — It recovers.

## What could have happened

The April outage again.

## What stopped it

The retry budget.

## Action items

Listed above.
"""
    (root / "postmortems" / f"{NEAR_MISS}.md").write_text(near, encoding="utf-8")
    return root
