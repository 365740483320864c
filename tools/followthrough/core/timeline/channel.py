"""The incident channel's name, `inc-YYYY-MM-DD-short-description`: the incident's date and description."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_NAME = re.compile(r"#?inc-([0-9]{4}-[0-9]{2}-[0-9]{2})-([a-z0-9][a-z0-9_-]*)")


@dataclass(frozen=True, slots=True)
class IncidentChannel:
    day: date
    slug: str  # as in the channel name: the file name's part after the date
    description: str  # the slug in words: the title until the author writes a better one


def parse_channel(name: str) -> IncidentChannel:
    """ValueError, with the naming convention in the message, for any other name."""
    m = _NAME.fullmatch(name.strip())
    if m is None:
        raise ValueError(f"channel {name!r} is not named as incident channels are: inc-YYYY-MM-DD-short-description")
    try:
        day = date.fromisoformat(m.group(1))
    except ValueError:
        raise ValueError(f"channel {name!r}: {m.group(1)} is not a day of the calendar") from None
    slug = re.sub(r"[_-]+", "-", m.group(2)).strip("-")
    words = slug.replace("-", " ")
    return IncidentChannel(day, slug, words[:1].upper() + words[1:])


def bare(name: str) -> str:
    """A channel name as the export's folders and the API name it: without '#'."""
    return name.strip().lstrip("#")
