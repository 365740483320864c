"""Jira wiki markup (Jira Data Center descriptions): user text does nothing.

Mentions are `[~user]`, links `[label|url]`, images and attachments `!name!`, macros
`{name}`; a backslash escapes each of those characters, and the text effects (`*bold*`,
`-strike-`, `??cite??`, `^sup^`, `~sub~`, `+ins+`, `_em_`) too. Bare URLs become links,
so they get the zero-width break of `common`. Atlassian documents (Jira Cloud) hold text
nodes that are never parsed and need nothing of this.
"""

from __future__ import annotations

import re

from followthrough.core.escape.common import break_autolinks, one_line, web_url

_SPECIAL = re.compile(r"([\[\]{}|*_+^~!?#-])")
# A backslash cannot escape itself: `\\` is the wiki's forced line break. The text keeps a
# look-alike (FULLWIDTH REVERSE SOLIDUS) instead, so a Windows path still reads as one.
_BACKSLASH = "\uff3c"


def text(value: object) -> str:
    return _SPECIAL.sub(r"\\\1", break_autolinks(one_line(value)).replace("\\", _BACKSLASH))


def link(label: object, url: str | None) -> str:
    """[label|url] for an http(s) URL (percent-encoded: no ']' or '|' in it), else the label."""
    target = web_url(url)
    return f"[{text(label)}|{target}]" if target else text(label)


def monospace(value: object) -> str:
    return "{{" + text(value) + "}}"
