"""Slack mrkdwn (Block Kit text objects and a message's fallback `text`): user text does nothing.

Slack's control characters are `&`, `<` and `>`: every mention (`<@U...>`, `<!channel>`,
`<!here>`, `<!subteam^...>`), channel link and `<url|label>` is written between angle
brackets, so text with those three as entities can form none. On top of that, a mrkdwn
object that is not `verbatim` has bare URLs, `#channel` names and some `@names` turned into
links by Slack itself; every text object we build is `verbatim`, and user text gets the same
zero-width breaks as elsewhere (`common`) for the fallback text, which cannot be verbatim.
Formatting characters (`*`, `_`, `~`, backticks) have no escape in mrkdwn; they can only
restyle the text they are in.
"""

from __future__ import annotations

from typing import Any

from followthrough.core.ids import is_slack_member
from followthrough.core.escape.common import ZWSP, break_autolinks, one_line, web_url


def _entities(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text(value: object) -> str:
    """Plain text as inert mrkdwn on one line."""
    return _entities(break_autolinks(one_line(value))).replace("@", "@" + ZWSP)


def link(url: str | None, label: object) -> str:
    """<url|label> for an http(s) URL, else the label as text. The URL is percent-encoded (no
    '<', '>' or '|' left) and its '&' written as Slack reads it, `&amp;`."""
    target = web_url(url)
    shown = text(label)
    if target is None:
        return shown
    return f"<{target.replace('&', '&amp;')}|{shown}>"


def own_url(url: str | None) -> str | None:
    """A URL of ours (the site's) written out, for Slack to link as it does any bare URL."""
    target = web_url(url)
    return target.replace("&", "&amp;") if target else None


def mention(member: str | None) -> str | None:
    """<@U...> for a member id from the people directory; None when it is not one."""
    return f"<@{member}>" if is_slack_member(member) else None


def cut(value: str, limit: int) -> str:
    """mrkdwn cut to at most `limit` characters without half a `<...>` or `&...;` left at the end,
    which Slack would read on into whatever follows."""
    if len(value) <= limit:
        return value
    kept = value[: max(limit, 0)]
    if kept.rfind("<") > kept.rfind(">"):
        kept = kept[: kept.rfind("<")]
    amp = kept.rfind("&")
    if amp >= 0 and ";" not in kept[amp:]:
        kept = kept[:amp]
    return kept


def mrkdwn(value: str) -> dict[str, Any]:
    """A mrkdwn text object that Slack does not rewrite: only the links and mentions written in it count."""
    return {"type": "mrkdwn", "text": value, "verbatim": True}
