"""The stable marker each mirrored action item carries in its ticket, so it is created once.

The marker is derived from the postmortem id and the item id alone, never from a run:
`ft-` plus 16 hex digits of a SHA-256. Jira tickets carry it as a label (found exactly
with `labels = "ft-..."`); GitHub issues carry it in a hidden line of the body (found by
listing the issues labelled `postmortem`), because GitHub labels are few and short.
Both also carry the readable `followthrough-item:` line, which is what is checked. Its ids
are percent-encoded outside `[A-Za-z0-9_.~-]`, which leaves every slug as it is and keeps
any other id (one lint would refuse) from ending the line or the HTML comment around it.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import quote, unquote

from followthrough.core.escape import github

PREFIX = "ft-"
_LINE = re.compile(r"followthrough-item: (?P<key>[^\s<>]+) (?P<marker>ft-[0-9a-f]{16})\b")


def marker_for(postmortem_id: str, item_id: str) -> str:
    digest = hashlib.sha256(f"{postmortem_id}/{item_id}".encode()).hexdigest()
    return PREFIX + digest[:16]


def marker_line(postmortem_id: str, item_id: str) -> str:
    """The readable line both trackers carry: which item, and its marker."""
    key = f"{quote(postmortem_id, safe='')}/{quote(item_id, safe='')}"
    return f"followthrough-item: {key} {marker_for(postmortem_id, item_id)}"


def hidden(line: str) -> str:
    """A marker line as an HTML comment: invisible in a rendered GitHub issue."""
    return github.comment(line)


def hidden_marker(postmortem_id: str, item_id: str) -> str:
    """The hidden marker line of one item, as a GitHub issue body carries it."""
    return hidden(marker_line(postmortem_id, item_id))


def markers_in(text: str | None) -> set[str]:
    """Markers whose readable key matches their hash: a copied or hand-edited line does not count."""
    found = set()
    for m in _LINE.finditer(text or ""):
        pm_id, _, item_id = m.group("key").rpartition("/")
        if pm_id and marker_for(unquote(pm_id), unquote(item_id)) == m.group("marker"):
            found.add(m.group("marker"))
    return found


def is_marker(label: str) -> bool:
    return re.fullmatch(r"ft-[0-9a-f]{16}", label) is not None
