"""What every destination's escaping shares: one line of text, inert URLs, broken autolinks."""

from __future__ import annotations

import re
from urllib.parse import quote, urlsplit

from followthrough.core.logline import UNSAFE_CHARS

ZWSP = "\u200b"  # zero-width space: invisible, and no mention or autolink reads across it

_CONTROL = re.compile(f"[{UNSAFE_CHARS}]")
# "://" and "www." start the autolinks GitHub, Slack and Jira make of bare text; a ZWSP
# before the colon or the dot ends the scheme or host they look for.
_AUTOLINK = re.compile(r"(?<=[A-Za-z0-9+.-])(?=://)|(?i:(?<=www)(?=\.))|(?i:(?<=mailto)(?=:))")
_HOST = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})(?::\d{1,5})?|\[[0-9A-Fa-f:.]{2,45}\](?::\d{1,5})?")
# Percent-encoded in every URL we print: what ends or breaks out of a link in some
# destination (( ) < > [ ] | ` " ' \ { } ^ and spaces); '%' stays, so encoded URLs stay as they are.
_URL_SAFE = "%:/?#@!$&*+,;=~"


def one_line(value: object) -> str:
    """The text on one line: control and bidirectional-override characters become spaces, runs
    of white space one space (a line break would end the list item or table row it is in)."""
    text = "" if value is None else str(value)
    return " ".join(_CONTROL.sub(" ", text).split())


def break_autolinks(text: str) -> str:
    return _AUTOLINK.sub(ZWSP, text)


def web_url(url: str | None) -> str | None:
    """`url` ready to print inside any destination's link, or None when it is not an http(s) URL
    with a plain host (no user:password@, no javascript: or data:)."""
    if not url:
        return None
    url = url.strip()
    if _CONTROL.search(url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not _HOST.fullmatch(parts.netloc):
        return None
    rest = url[len(parts.scheme) + 3 + len(parts.netloc) :]
    return f"{parts.scheme.lower()}://{parts.netloc}{quote(rest, safe=_URL_SAFE)}"
