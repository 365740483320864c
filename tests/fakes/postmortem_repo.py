"""Small, lint-clean postmortem repos on disk for the sync tests and benchmark.

`build_repo(root, trackers, postmortems)` writes mkdocs.yml (with the given `trackers`
section), a people directory whose people carry Jira and GitHub ids, and one file per
`Pm`. Every file passes `followthrough lint`, so sync works on all of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

PEOPLE = {
    "ana.ic": {"name": "Ana Commander", "github": "anaic", "jira": "acc-ana", "team": "sre"},
    "dev.deputy": {"name": "Dev Deputy", "team": "sre"},
    "sam.scribe": {"name": "Sam Scribe", "team": "sre"},
    "cora.comms": {"name": "Cora Comms", "team": "support"},
    "lee.liaison": {"name": "Lee Liaison", "team": "support"},
    "max.sme": {"name": "Max Expert", "github": "maxsme", "jira": "acc-max", "team": "payments"},
    "nia.sme": {"name": "Nia Expert", "github": "niasme", "jira": "acc-nia", "team": "payments"},
}
TEAMS = {"sre": {"name": "SRE"}, "support": {"name": "Support"}, "payments": {"name": "Payments"}}
# Tracker ids by person, for the fakes' user lists.
JIRA_IDS = {h: p["jira"] for h, p in PEOPLE.items() if "jira" in p}
GITHUB_LOGINS = tuple(p["github"] for p in PEOPLE.values() if "github" in p)

BODY = """\
## Summary

Card payments failed for 38% of EU customers for 38 minutes after the connection pool filled.

## Timeline

| Time (UTC) | Event |
|---|---|
| 14:32 | Error rate on payments-api rises to 38% |
| 14:40 | Alert fires; Ana declares a SEV-2 |
| 2026-05-20 15:10 | Pool size raised; errors stop |

## Impact

About 4,100 failed checkouts.

## Root cause analysis

A retry loop held connections open; nothing alerted on pool saturation.

## What went well

The runbook's pool section was accurate.

## What went poorly

The default dashboards did not show pool saturation; fault injection had never covered it.

## Action items

See the front-matter.
"""


@dataclass
class Item:
    id: str
    title: str
    owner: str = "max.sme"
    due: str = "2026-06-05"
    priority: str | None = "P1"
    ticket: str | None = None
    tracker: str | None = None
    status: str | None = None  # the item's own status (open when absent)


@dataclass
class Pm:
    slug: str  # file stem after the date
    items: list[Item] = field(default_factory=list)
    status: str = "published"
    teams: tuple[str, ...] = ("payments",)
    services: tuple[str, ...] = ("payments-api",)
    title: str = "Card payments failed for EU customers"

    @property
    def id(self) -> str:
        return f"2026-05-20-{self.slug}"

    @property
    def path(self) -> str:
        return f"postmortems/2026/{self.id}.md"


def _q(value: str) -> str:
    return json.dumps(value)


def render(pm: Pm) -> str:
    lines = [
        "---",
        f"title: {_q(pm.title)}",
        f"status: {pm.status}",
        "severity: SEV-2",
        f"services: [{', '.join(pm.services)}]",
        f"teams: [{', '.join(pm.teams)}]",
        "tags: [database]",
        "started: 2026-05-20T14:32:00Z",
        "detected: 2026-05-20T14:40:00Z",
        "mitigated: 2026-05-20T15:10:00Z",
        "resolved: 2026-05-20T16:00:00Z",
        "reviewed: 2026-05-22",
        "roles:",
        "  commander: ana.ic",
        "  deputy: dev.deputy",
        "  scribe: dev.deputy",
        "  comms: cora.comms",
        "  liaison: cora.comms",
        "  sme: [max.sme, nia.sme]",
        "authors: [sam.scribe]",
    ]
    if pm.items:
        lines.append("action_items:")
    for item in pm.items:
        lines.append(f"  - id: {item.id}")
        lines.append(f"    title: {_q(item.title)}")
        lines.append(f"    owner: {item.owner}")
        lines.append(f"    due: {item.due}")
        if item.priority:
            lines.append(f"    priority: {item.priority}")
        if item.tracker:
            lines.append(f"    tracker: {item.tracker}")
        if item.status:
            lines.append(f"    status: {item.status}")
        if item.ticket:
            lines.append(f"    ticket: {_q(item.ticket)}")
    lines.append("---")
    return "\n".join(lines) + "\n" + BODY


def build_repo(root: Path, trackers: dict[str, Any], postmortems: list[Pm], *, site_url: str = "https://pm.example.com/", extra: dict[str, Any] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    plugin: dict[str, Any] = {"trackers": trackers, **(extra or {})}
    config = {"site_name": "Postmortems", "site_url": site_url, "docs_dir": "postmortems", "plugins": [{"followthrough": plugin}]}
    (root / "mkdocs.yml").write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    docs = root / "postmortems"
    (docs / "2026").mkdir(parents=True, exist_ok=True)
    (docs / "people.yml").write_text(yaml.safe_dump({"people": PEOPLE, "teams": TEAMS}, sort_keys=False), encoding="utf-8")
    for pm in postmortems:
        (root / pm.path).write_text(render(pm), encoding="utf-8")
    return root


def many(n_postmortems: int, items_each: int, **pm_options: Any) -> list[Pm]:
    """Postmortems with distinct ids and items, for batching tests and the benchmark."""
    owners = ("max.sme", "nia.sme", "ana.ic")
    return [
        Pm(
            slug=f"outage-{p:04d}",
            items=[Item(id=f"fix-{i}", title=f"Add an alert for pool saturation on shard {p}-{i}", owner=owners[(p + i) % 3], due=f"2026-06-{1 + (i % 18):02d}") for i in range(items_each)],
            **pm_options,
        )
        for p in range(n_postmortems)
    ]
