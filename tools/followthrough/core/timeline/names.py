"""Who a Slack member id is, in words a postmortem may publish: a name, never an id or an e-mail."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from followthrough.core.model import Directory
from followthrough.core.timeline.messages import printable

UNKNOWN = "someone"  # a member neither the people directory nor the export names


@dataclass(frozen=True)
class Names:
    """Names by member id (the people directory first, then the workspace's users) and channel
    names by channel id; `handles` maps member ids to people.yml handles, for roles."""

    people: Mapping[str, str] = field(default_factory=dict)
    users: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)
    handles: Mapping[str, str] = field(default_factory=dict)

    def name(self, member: str | None, fallback: str | None = None) -> str:
        if member is None:
            return fallback or UNKNOWN
        return self.people.get(member) or self.users.get(member) or fallback or UNKNOWN

    def channel(self, channel_id: str, fallback: str | None = None) -> str:
        return self.channels.get(channel_id) or fallback or "a channel"


def directory_names(directory: Directory) -> tuple[dict[str, str], dict[str, str]]:
    """(name by member id, handle by member id) from the people directory's `slack:` ids."""
    names, handles = {}, {}
    for person in directory.people.values():
        if person.slack:
            names[person.slack] = person.name
            handles[person.slack] = person.handle
    return names, handles


def user_names(users: Any) -> dict[str, str]:
    """Names by member id from users.json or users.list: the real name, else the display name,
    else the user name. E-mail addresses are never read."""
    found: dict[str, str] = {}
    if not isinstance(users, list):
        return found
    for user in users:
        if not isinstance(user, Mapping) or not isinstance(user.get("id"), str):
            continue
        profile = user.get("profile") if isinstance(user.get("profile"), Mapping) else {}
        for value in (user.get("real_name"), profile.get("real_name"), profile.get("display_name"), user.get("name")):
            if isinstance(value, str) and printable(value).strip() and "@" not in value:
                found[user["id"]] = " ".join(printable(value).split())
                break
    return found
