"""The tracker state file: what `followthrough sync` last read from the trackers.

One JSON file (`state_file` setting, default `.followthrough/state.json` beside mkdocs.yml),
written only by sync and read by the site and the reports. Keys are
"<postmortem id>/<action item id>". Sorted keys and fixed formatting, so a sync that
changed nothing leaves the file byte-identical and git shows no diff.

    {
      "version": 1,
      "items": {
        "2024-03-05-checkout-outage/add-canary": {
          "ticket": "PAY-123",
          "url": "https://acme.atlassian.net/browse/PAY-123",
          "status": "done",                 # open | in-progress | done | wont-do
          "tracker_status": "Done",         # the tracker's own word
          "done_on": "2024-03-20",          # date it was done or closed; null while open
          "assignee": "a.nguyen",           # people-directory handle when known, else the tracker's login
          "due": "2024-03-31",              # the tracker's due date, null when it has none
          "checked": "2026-11-23"           # date the status was last seen to change
        }
      }
    }
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Any, Mapping

from .errors import ConfigError
from .model import ITEM_STATUSES

STATE_VERSION = 1


@dataclass(frozen=True, slots=True)
class TicketState:
    ticket: str
    url: str = ""
    status: str = "open"
    tracker_status: str = ""
    done_on: date | None = None
    assignee: str | None = None
    due: date | None = None
    checked: date | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        for key in ("done_on", "due", "checked"):
            value = data[key]
            data[key] = value.isoformat() if value else None
        return data


def state_key(postmortem_id: str, item_id: str) -> str:
    return f"{postmortem_id}/{item_id}"


def read_state(path: Path) -> dict[str, TicketState]:
    """The states by key; an absent file is an empty state (nothing mirrored yet)."""
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: the tracker state file cannot be read: {exc}") from None
    if not isinstance(raw, dict) or raw.get("version") != STATE_VERSION or not isinstance(raw.get("items"), dict):
        raise ConfigError(f"{path}: not a version-{STATE_VERSION} tracker state file; re-run `followthrough sync`")
    states: dict[str, TicketState] = {}
    for key, value in raw["items"].items():
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: entry {key!r} must be a mapping with at least a 'ticket'; re-run `followthrough sync`")
        try:
            states[key] = _from_json(value)
        except (TypeError, ValueError, KeyError) as exc:
            raise ConfigError(f"{path}: entry {key!r} is malformed: {exc}") from None
    return states


def _from_json(value: Mapping[str, Any]) -> TicketState:
    status = value.get("status", "open")
    if status not in ITEM_STATUSES:
        raise ValueError(f"status {status!r} is not one of {list(ITEM_STATUSES)}")

    def day(key: str) -> date | None:
        v = value.get(key)
        return date.fromisoformat(v) if v else None

    return TicketState(
        ticket=str(value["ticket"]),
        url=str(value.get("url") or ""),
        status=status,
        tracker_status=str(value.get("tracker_status") or ""),
        done_on=day("done_on"),
        assignee=value.get("assignee"),
        due=day("due"),
        checked=day("checked"),
    )


def render_state(states: Mapping[str, TicketState]) -> str:
    items = {key: states[key].to_json() for key in sorted(states)}
    return json.dumps({"version": STATE_VERSION, "items": items}, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_state(path: Path, states: Mapping[str, TicketState]) -> bool:
    """Write atomically; returns False (and leaves the file alone) when nothing changed."""
    text = render_state(states)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".state-", suffix=".json")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return True
