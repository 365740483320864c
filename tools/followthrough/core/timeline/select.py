"""Which messages are the Scribe's record: the scribe's own, and those anyone marked with the
reaction or started with the prefix; or every person's message (`everything`). Bots' posts,
joins and leaves never are. Thread replies follow the same rules as the channel's messages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Iterable

from followthrough.core.timeline.messages import Message

DEFAULT_REACTION = "memo"
DEFAULT_PREFIX = "TL:"


@dataclass(frozen=True, slots=True)
class Selection:
    scribes: frozenset[str] = frozenset()  # member ids
    reaction: str = DEFAULT_REACTION  # without colons
    prefix: str = DEFAULT_PREFIX  # matched at the start, case aside; "" matches nothing
    everything: bool = False
    since: datetime | None = None
    until: datetime | None = None

    def in_window(self, m: Message) -> bool:
        return (self.since is None or m.when >= self.since) and (self.until is None or m.when <= self.until)

    def has_prefix(self, m: Message) -> bool:
        return bool(self.prefix) and m.text.lstrip()[: len(self.prefix)].lower() == self.prefix.lower()

    def takes(self, m: Message) -> bool:
        if not m.is_human or not self.in_window(m):
            return False
        return self.everything or m.user in self.scribes or self.reaction in m.reactions or self.has_prefix(m)


def reaction_name(value: str) -> str:
    """':memo:' or 'memo' -> 'memo'; a skin tone stays part of the name, as Slack records it."""
    return value.strip().strip(":")


def selected(messages: Iterable[Message], selection: Selection) -> list[Message]:
    return [m for m in messages if selection.takes(m)]


def window(messages: Iterable[Message], selection: Selection) -> list[Message]:
    """Every message of the incident window, whoever wrote it: the evidence's record."""
    return [m for m in messages if selection.in_window(m)]
