"""One Slack message as the export and the Web API give it, read into a typed value.

Both sources speak the same message objects (`ts`, `user`, `text`, `subtype`, `bot_id`,
`thread_ts`, `reactions`, `edited`, `files`); a value of the wrong type is refused with the
reason, for the shell to name the file or the request it came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Mapping

from followthrough.core.logline import UNSAFE_CHARS

# Seconds since the epoch (UTC) and a sequence number: Slack's id of a message in its channel.
_TS = re.compile(r"[0-9]{1,12}(?:\.[0-9]{1,6})?")
# Messages a person wrote; every other subtype (joins, leaves, topic changes, bots' posts) is not.
HUMAN_SUBTYPES = frozenset({"thread_broadcast", "me_message", "file_share"})
# Control characters and bidirectional marks, overrides and isolates: a NUL or a right-to-left
# override in a chat message or a name would make the published text read otherwise than it is.
# Line breaks stay: the conversion joins a message's lines itself.
_UNPRINTABLE = re.compile(f"(?!\n)[{UNSAFE_CHARS}]")
# datetime's last second (9999-12-31 23:59:59 UTC): a ts past it is no time at all.
_LAST_SECOND = 253402300799


class BadMessage(ValueError):
    """A message object that is not one: the reason, in words for a message."""


@dataclass(frozen=True, slots=True)
class Message:
    ts: str
    when: datetime  # UTC
    text: str  # Slack mrkdwn, entities (&amp; &lt; &gt;) as Slack sends them
    user: str | None = None  # member id
    subtype: str | None = None
    bot: bool = False
    bot_name: str | None = None
    thread_ts: str | None = None
    reactions: tuple[str, ...] = ()
    edited: bool = False
    files: tuple[str, ...] = ()  # titles of shared files
    profile_name: str | None = None  # the export's user_profile: a name when users.json lacks one

    @property
    def is_human(self) -> bool:
        return not self.bot and self.user is not None and (self.subtype is None or self.subtype in HUMAN_SUBTYPES)

    @property
    def is_reply(self) -> bool:
        return self.thread_ts is not None and self.thread_ts != self.ts


def ts_time(ts: str) -> datetime:
    return datetime.fromtimestamp(int(ts.split(".", 1)[0]), tz=timezone.utc)


def printable(text: str) -> str:
    """`text` without control characters and bidirectional overrides (each becomes a space)."""
    return _UNPRINTABLE.sub(" ", text)


def _str(raw: Mapping[str, Any], key: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadMessage(f"{key} is {type(value).__name__}, expected text")
    return value


def message_from(raw: Any) -> Message:
    """A message object (a JSON mapping) as a Message; BadMessage says what is wrong with it."""
    if not isinstance(raw, Mapping):
        raise BadMessage(f"expected a message object, got {type(raw).__name__}")
    ts = raw.get("ts")
    if not isinstance(ts, str) or not _TS.fullmatch(ts) or int(ts.split(".", 1)[0]) > _LAST_SECOND:
        raise BadMessage(f"ts {ts!r} is not a Slack timestamp such as '1716215520.000200'")
    thread_ts = _str(raw, "thread_ts")
    if thread_ts is not None and (not _TS.fullmatch(thread_ts) or int(thread_ts.split(".", 1)[0]) > _LAST_SECOND):
        raise BadMessage(f"thread_ts {thread_ts!r} is not a Slack timestamp")
    reactions = raw.get("reactions") or []
    if not isinstance(reactions, list):
        raise BadMessage("reactions is not a list")
    names = tuple(r["name"] for r in reactions if isinstance(r, Mapping) and isinstance(r.get("name"), str))
    files = raw.get("files") or []
    titles = tuple(printable(str(f.get("title") or f.get("name") or "a file")) for f in files if isinstance(f, Mapping)) if isinstance(files, list) else ()
    profile = raw.get("user_profile")
    profile_name = None
    if isinstance(profile, Mapping):
        for key in ("real_name", "display_name", "name"):
            if isinstance(profile.get(key), str) and profile[key].strip() and "@" not in profile[key]:
                profile_name = printable(profile[key]).strip()
                break
    bot_profile = raw.get("bot_profile")
    bot_name = _str(raw, "username") or (bot_profile.get("name") if isinstance(bot_profile, Mapping) and isinstance(bot_profile.get("name"), str) else None)
    subtype = _str(raw, "subtype")
    return Message(
        ts=ts,
        when=ts_time(ts),
        text=printable(_str(raw, "text") or ""),
        user=_str(raw, "user"),
        subtype=subtype,
        bot=bool(raw.get("bot_id")) or subtype == "bot_message",
        bot_name=printable(bot_name) if bot_name else None,
        thread_ts=thread_ts,
        reactions=names,
        edited=isinstance(raw.get("edited"), Mapping),
        files=titles,
        profile_name=profile_name,
    )


def in_order(messages: list[Message]) -> list[Message]:
    """Each message once (a reply sent to the channel too is in both places), oldest first."""
    seen: dict[str, Message] = {}
    for m in messages:
        seen.setdefault(m.ts, m)
    return sorted(seen.values(), key=lambda m: (m.when, _ts_key(m.ts)))


def _ts_key(ts: str) -> tuple[int, int]:
    seconds, _, fraction = ts.partition(".")
    return int(seconds), int((fraction or "0").ljust(6, "0"))
