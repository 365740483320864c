"""Whether a tracker's URL (a Jira site, a GitHub API, a Slack webhook) may be used: one check
for sync's destinations and the report's targets, made before any request.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from followthrough.core.logline import safe_line

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


def url_problem(url: str, *, secret: bool = False) -> str | None:
    """Why a URL cannot be used (the caller names the setting), or None: not parseable, a port out of
    range, no host, a user name or password in it, or plain http off this machine (a token
    must not cross a network in clear; http to loopback serves tests and a local relay).
    A `secret` URL (a webhook) is never shown; another is shown without credentials."""
    shown = "" if secret else f" ({safe_line(without_credentials(url))})"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        reason = "" if secret else f": {exc}"
        return f"not a usable URL{shown}{reason}"
    if parts.scheme not in ("http", "https"):
        return f"expected an https:// URL{shown}"
    if not parts.hostname:
        return f"not a usable URL{shown}: no host name"
    if parts.username is not None or parts.password is not None:
        return f"holds a user name or password{shown}; put credentials in the environment, not in the URL"
    if parts.scheme != "https" and parts.hostname not in LOOPBACK:
        return f"expected an https:// URL{shown}"
    return None


def without_credentials(url: str) -> str:
    """The URL as it may be shown: any `user:password@` taken out."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("@")[-1] if "@" in url else url
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()
