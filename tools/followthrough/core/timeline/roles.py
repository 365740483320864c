"""Roles from what people declared in the channel: "I'm IC", "I am now IC", "<@U1> is scribe".

Only unambiguous declarations count. A hand-off ("now", "taking over", "handing IC to") follows
the one before it, and the role goes to whoever held it first; two people claiming a role
without a hand-off leaves it for a person to decide, and says so.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from followthrough.core.timeline.messages import Message

# The words people use in the channel for each role of the front-matter's `roles`.
ROLE_WORDS = {
    "commander": r"(?:the\s+)?(?:ic|incident\s+commander|commander)",
    "deputy": r"(?:the\s+)?(?:deputy(?:\s+ic)?)",
    "scribe": r"(?:the\s+)?scribe",
    "comms": r"(?:the\s+)?(?:comms(?:\s+lead)?|communications\s+lead)",
    "liaison": r"(?:the\s+)?(?:internal\s+)?liaison",
}
_HANDOFF = re.compile(r"\b(now|taking\s+over|take\s+over|took\s+over|handing|hand(?:ing)?\s+off|handover|hand-off|over\s+to)\b", re.I)
_MENTION = r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>"


def _patterns(words: str) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    # The author: "I'm IC", "I am now the IC", "I'll take IC", "taking IC", "I'm taking over as IC".
    me = re.compile(
        rf"(?<![\w'’])(?:(?:i\s*['’]?\s*m|i\s+am|i\s*['’]?\s*ll\s+(?:be|take)|i\s+will\s+(?:be|take))\s+(?:now\s+)?(?:taking\s+over\s+as\s+|taking\s+|the\s+new\s+)?{words}"
        rf"|taking\s+(?:over\s+)?(?:as\s+)?{words})\b",
        re.I,
    )
    # Someone named: "<@U1> is IC", "<@U1> is now scribe", "<@U1> has IC".
    named = re.compile(rf"{_MENTION}\s+(?:is|has|will\s+be)\s+(?:now\s+)?(?:taking\s+)?{words}\b", re.I)
    # Handed on: "handing IC to <@U1>", "IC is <@U1>", "IC: <@U1>".
    given = re.compile(rf"(?:hand(?:ing)?(?:\s+off)?\s+{words}\s+(?:over\s+)?to\s+|\b{words}\s+(?:is\s+(?:now\s+)?|:\s*|->\s*|→\s*)){_MENTION}", re.I)
    return me, named, given


_COMPILED = {role: _patterns(words) for role, words in ROLE_WORDS.items()}


@dataclass(frozen=True, slots=True)
class Claim:
    role: str
    member: str
    ts: str
    handoff: bool


@dataclass
class Declared:
    held: dict[str, str] = field(default_factory=dict)  # role -> member id
    handoffs: dict[str, list[str]] = field(default_factory=dict)  # role -> every holder in order
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # role -> the members who claimed it at once


def claims(m: Message) -> list[Claim]:
    if not m.is_human or m.user is None:
        return []
    text = html.unescape(m.text)
    handoff = _HANDOFF.search(text) is not None
    found = []
    for role, (me, named, given) in _COMPILED.items():
        if me.search(text):
            found.append(Claim(role, m.user, m.ts, handoff))
        for match in (*named.finditer(text), *given.finditer(text)):
            found.append(Claim(role, match.group(1), m.ts, handoff))
    return found


def declared_roles(messages: list[Message]) -> Declared:
    out = Declared()
    for m in messages:
        for claim in claims(m):
            holders = out.handoffs.setdefault(claim.role, [])
            if holders and holders[-1] == claim.member:
                continue
            if holders and not claim.handoff:
                out.ambiguous.setdefault(claim.role, list(holders)).append(claim.member)
            holders.append(claim.member)
    for role, holders in out.handoffs.items():
        if role not in out.ambiguous:
            out.held[role] = holders[0]
    return out
