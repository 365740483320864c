"""Selected messages -> the Timeline's table rows, in UTC, each parsed back to its own minute.

The row is `| YYYY-MM-DD HH:MM | event |` on the first entry and where the UTC day changes,
`| HH:MM | event |` otherwise: the form the Timeline reader resolves (`core.text.body`). The
time comes first on the row, so nothing in the message can be read as the entry's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from followthrough.core.dates import in_utc
from followthrough.core.escape.html import md_inline_escape
from followthrough.core.timeline.messages import Message
from followthrough.core.timeline.mrkdwn import to_markdown
from followthrough.core.timeline.names import Names
from followthrough.core.timeline.select import Selection

HEADER = ("| Time (UTC) | Event |", "| --- | --- |")


@dataclass(frozen=True, slots=True)
class Entry:
    when: datetime  # UTC, to the second; the row shows the minute
    event: str  # one line of Markdown


def entries(messages: list[Message], selection: Selection, names: Names, *, tilde: bool = False) -> list[Entry]:
    """One entry per selected message, in the order given (oldest first)."""
    found = []
    for m in messages:
        text = m.text.lstrip()
        if selection.has_prefix(m):
            text = text[len(selection.prefix) :].lstrip()
        event = to_markdown(text, names, tilde=tilde)
        if m.files:
            shared = "shared " + ", ".join(md_inline_escape(t) for t in m.files)
            event = f"{event} ({shared})" if event else shared
        if not event:
            continue
        if m.user not in selection.scribes:
            # The Scribe's own words are the record; anyone else's are quoted with their name.
            event = f"{md_inline_escape(names.name(m.user, m.profile_name))}: {event}"
        found.append(Entry(in_utc(m.when), event))
    return found


def rows(found: list[Entry]) -> list[str]:
    """The table's lines, header included; the full date where the UTC day changes."""
    lines = list(HEADER)
    day: date | None = None
    for e in found:
        stamp = e.when.strftime("%H:%M") if e.when.date() == day else e.when.strftime("%Y-%m-%d %H:%M")
        day = e.when.date()
        lines.append(f"| {stamp} | {e.event} |")
    return lines
