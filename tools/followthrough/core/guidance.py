"""The guidance `followthrough new` writes under each heading, and how lint knows it was left in.

One home for the text: the template renders it, and FT505 looks for it in postmortems past
draft, so rewording a hint here cannot make lint miss the old one.
"""

from __future__ import annotations

import re
from typing import Mapping

TIMELINE_EXAMPLE_EVENT = "First alert: checkout error rate above 5%"

GUIDANCE: Mapping[str, str] = {
    "Summary": "One paragraph for an executive who reads nothing else: what happened, when, what was impacted, for how long, what was done.",
    "Timeline": "From the Scribe's record, in UTC, oldest first. One entry a line, starting with its time:\n\n"
    f"| Time (UTC) | Event |\n|---|---|\n| 14:32 | {TIMELINE_EXAMPLE_EVENT} |",
    "Impact": "Customers affected (count, region), internal impact, revenue if known, regulatory or contractual exposure.",
    "Root cause": "The chain of causes, and why the safeguards that should have caught it did not. Ask why until you reach the system, never a person.",
    "What could have happened": "The incident this almost was: which customers or systems it would have hit, how hard, for how long.",
    "What stopped it": "What caught it in time (a canary, an alert, a person who looked twice) and how much of that was luck. The action items turn luck into a safeguard.",
    "What went well": "What the response did right, so it gets repeated.",
    "What went poorly": "Where the response struggled: tools, missing information, slow decisions. Blameless: what made each action reasonable at the time?",
    "Action items": "Listed in the front-matter's `action_items`: each with one owner and a due date. Say here why these and not others.",
}

_FIRST_SENTENCE = re.compile(r"^.+?[.:?](?=\s|$)")


def _probe(text: str) -> str:
    # The first sentence only: an author who kept it and cut or rewrote the rest still has it whole.
    first = text.split("\n", 1)[0]
    m = _FIRST_SENTENCE.match(first)
    return m.group(0) if m else first


# (text to look for on one line, FT505's message).
LEFTOVERS: tuple[tuple[str, str], ...] = (
    *(
        (_probe(text), f"{section}: the template's guidance is still here; replace it with this incident's own text")
        for section, text in GUIDANCE.items()
    ),
    (TIMELINE_EXAMPLE_EVENT, "Timeline: the template's example timeline row is still here; replace it with this incident's own entries"),
)
