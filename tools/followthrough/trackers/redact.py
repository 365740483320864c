"""Keeping secrets out of everything printed: the forms a secret travels in, and a stream that masks them.

One implementation for every command: `cli.main` writes everything through a `Redacting`
stream that knows the secrets of the environment, and a command adds those it learns from
its settings (`tracker_secrets`). A message is masked where it is written, so a secret echoed
back by a server (in an error body, in a returned URL) is caught as surely as one we put in a
message by mistake, and so is one in a bug report.
"""

from __future__ import annotations

import base64
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence, TextIO
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from followthrough.core.sync.config import Trackers

MASK = "***"
# Shorter values would mask ordinary words ("1", "abc"); no real token is that short.
MIN_SECRET = 4


def redact(text: str, secrets: Iterable[str]) -> str:
    """`text` with every secret replaced by MASK, the longest first (a token inside a URL goes with the URL)."""
    for secret in _ordered(secrets):
        text = text.replace(secret, MASK)
    return text


def _ordered(secrets: Iterable[str]) -> list[str]:
    return sorted({s for s in secrets if len(s) >= MIN_SECRET}, key=len, reverse=True)


def url_secrets(url: str, *, whole: bool = False) -> list[str]:
    """What of a URL must not be printed: its user name and password; with `whole` (a webhook,
    where the URL is the credential) also the URL itself, its path and query and its last path
    segment, in plain and percent-decoded form, because a server may echo any one of them."""
    found: list[str] = []
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # not a URL at all; the whole text is all we know
        return [url.strip()] if whole else []
    netloc = parts.netloc
    if "@" in netloc:
        userinfo = netloc.rsplit("@", 1)[0]
        # A user name alone is no secret (masking it would mask the word in every message),
        # but `https://TOKEN@host` puts a token where the user name goes.
        _user, _, password = userinfo.partition(":")
        found += [userinfo, password] if password else [userinfo]
    if whole:
        found.append(url.strip())
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        segments = [s for s in parts.path.split("/") if s]
        found += [path, parts.path, parts.path.lstrip("/"), parts.query]
        if segments:
            found.append(segments[-1])
    return list(dict.fromkeys(v for s in found for v in (s, unquote(s)) if v))


def environment_secrets(environ: Mapping[str, str]) -> list[str]:
    """What of the environment must never be printed: the tokens under their usual names (as
    set, and without the blanks around them), the Slack webhook in every form a server might
    echo it, and credentials in the API URLs."""
    found: list[str] = []
    for name in ("JIRA_API_TOKEN", "GITHUB_TOKEN", "SLACK_BOT_TOKEN"):
        value = environ.get(name, "")
        found += [value, value.strip()]
    found += url_secrets(environ.get("SLACK_WEBHOOK_URL", ""), whole=True)
    for name in ("GITHUB_API_URL", "JIRA_BASE_URL"):
        found += url_secrets(environ.get(name, ""))
    return [s for s in dict.fromkeys(found) if s.strip()]


def tracker_secrets(trackers: Trackers) -> list[str]:
    """Every destination's token, under whatever variable it names, and the forms it travels
    in (basic authentication sends base64 of 'email:token')."""
    found = []
    for name, dest in trackers.destinations.items():
        token = trackers.token(name)
        if not token:
            continue
        value = token.reveal()
        found.append(value)
        if dest.email:
            found.append(base64.b64encode(f"{dest.email}:{value}".encode()).decode())
    return found


class Redacting:
    """A text stream that masks secrets before they reach the real one."""

    def __init__(self, stream: TextIO, secrets: Sequence[str]) -> None:
        self.stream = stream
        self.secrets = _ordered(secrets)

    def redact(self, text: str) -> str:
        return redact(text, self.secrets)

    def add(self, secrets: Iterable[str]) -> None:
        """Mask these too from now on (secrets known only once the settings are read)."""
        self.secrets = _ordered([*self.secrets, *secrets])

    def write(self, text: str) -> int:
        return self.stream.write(self.redact(text))

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        try:
            return self.stream.isatty()
        except (AttributeError, ValueError):
            return False

    def fileno(self) -> int:
        return self.stream.fileno()

    @property
    def encoding(self) -> str:
        return getattr(self.stream, "encoding", "utf-8") or "utf-8"
