"""How a failed delivery is worded for a user: a server's reply quoted without a secret,
a URL checked before use, retries counted. Shared by the report issue and the Slack webhook.
"""

from __future__ import annotations

from followthrough.core.errors import ConfigError
from followthrough.core.logline import safe_line
from followthrough.core.sync.api_url import url_problem
from followthrough.core.sync.tickets import TrackerFailure
from followthrough.trackers.redact import redact

# How much of a server's reply a message may quote: enough for Slack's `invalid_blocks`
# or GitHub's one-line reason, not a whole HTML page.
MAX_QUOTED = 200
MAX_SECRET = 512  # longer than any token or webhook URL


def failure(what: str, *, status: int | None = None, reason: str = "", reply: str = "", retry: bool = False, ambiguous: bool = False, retry_after: float | None = None) -> TrackerFailure:
    """A failed request as the report words it: `what` we were doing, and the HTTP `status`
    or the `reason` there was none; the server's `reply` already quoted."""
    message = f"{what}: HTTP {status}" if status is not None else f"{what}: {reason}"
    return TrackerFailure(message, status=status, retry=retry, ambiguous=ambiguous, retry_after=retry_after, what=what, reason=reason, reply=reply)


def quoted(reply: str, secrets: list[str], *, cut_off: bool = False) -> str:
    """A server's reply as a message may show it: secrets masked, one line, cut short.

    Masked before anything is cut, so no secret is shown in part. A reply `cut_off` (only its
    start was read) loses its last MAX_SECRET characters too, after masking: a secret that
    ran past the end of what was read cannot be masked, but starts within them."""
    text = redact(reply, secrets)
    if cut_off:
        text = text[:-MAX_SECRET]
    text = safe_line(" ".join(text.split()))
    return text if len(text) <= MAX_QUOTED else text[: MAX_QUOTED - 1] + "…"


def check_url(url: str, name: str, *, secret: bool = False) -> None:
    """Refuse, before any request, a URL the client would choke on or that would leak."""
    problem = url_problem(url, secret=secret)
    if problem:
        raise ConfigError(f"{name}: {problem}")


def plural_retries(n: int) -> str:
    return f"{n} retr" + ("y" if n == 1 else "ies")
