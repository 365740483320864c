"""The `timeline` section: how the Scribe's record is told from the rest of the incident channel.

    plugins:
      - followthrough:
          timeline:
            reaction: memo   # a message anyone reacted to with :memo: is a timeline entry
            prefix: "TL:"    # so is one that starts with this ("" for none)
"""

from __future__ import annotations

from typing import Iterable

from mkdocs.config import config_options as c

from followthrough.config.strict import Problem, Strict
from followthrough.core.timeline.select import DEFAULT_PREFIX, DEFAULT_REACTION, reaction_name


class TimelineSection(Strict):
    reaction = c.Type(str, default=DEFAULT_REACTION)
    prefix = c.Type(str, default=DEFAULT_PREFIX)

    def checks(self) -> Iterable[Problem]:
        name = reaction_name(self.reaction)
        if not name or any(ch.isspace() or ch == ":" for ch in name):
            yield "reaction", f"a reaction's name as Slack writes it, such as memo or :memo:, got {self.reaction!r}"
        if any(ord(ch) < 32 for ch in self.prefix) or self.prefix != self.prefix.strip():
            yield "prefix", f"text on one line without spaces around it, such as 'TL:', got {self.prefix!r}"
