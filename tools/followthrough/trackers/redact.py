"""Keeping secrets out of everything printed: the forms a secret travels in, and a stream that masks them.

One implementation for every command that holds a secret (`sync`, `report`): a message is
masked where it is written, so a secret echoed back by a server (in an error body, in a
returned URL) is caught as surely as one we put in a message by mistake.
"""

from __future__ import annotations

import traceback
from typing import Callable, Iterable, Sequence, TextIO

from followthrough.core.errors import FollowthroughError
from urllib.parse import unquote, urlsplit

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


def without_credentials(url: str) -> str:
    """The URL as it may be shown: any `user:password@` taken out."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url.split("@")[-1] if "@" in url else url
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]).geturl()


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


def guarded(command: str, err: Redacting, body: Callable[[], int], *, debug: bool = False) -> int:
    """Run a command that holds secrets so that no message shows one: a FollowthroughError is
    raised again with its message masked (the CLI maps it to its exit code), and any other
    exception, a bug, is one masked line and exit 3 (a traceback only with `debug`, masked too)."""
    try:
        return body()
    except FollowthroughError as exc:
        raise type(exc)(err.redact(str(exc))) from None
    except Exception as exc:  # noqa: BLE001 - a bug must not print a secret in its traceback
        if debug:
            err.write(traceback.format_exc())
        err.write(f"followthrough: internal error in {command}: {type(exc).__name__}: {err.redact(str(exc))}\n")
        return 3
