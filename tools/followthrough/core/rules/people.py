"""Who may own items and hold roles: one person, known to the directory when there is one."""

from __future__ import annotations

import re

from followthrough.core.fields import Collector, did_you_mean
from followthrough.core.rules.context import Context

_SEVERAL = re.compile(r"[,&/+]|\band\b|\s")


def check_person(handle: str, line: int, where: str, ctx: Context, out: Collector) -> None:
    directory = ctx.directory
    if handle in directory.teams:
        out.add("FT301", line, f"{where}: {handle!r} is a team; name one person (teams do not get paged, people do)")
        return
    if _SEVERAL.search(handle) and handle not in directory.people:
        out.add("FT301", line, f"{where}: {handle!r} names more than one person or a group; name one person")
        return
    if directory.present and handle not in directory.people:
        hint = did_you_mean(handle, directory.people)
        out.add("FT302", line, f"{where}: {handle!r} is not in the people directory {directory.path}{hint}")
