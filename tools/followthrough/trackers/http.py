"""What a failed HTTP request means, for every tracker client (all of them sit on `requests`):
whether anything reached the server, and how to say so without quoting the URL.
"""

from __future__ import annotations

import requests

from followthrough.core.sync.tickets import TrackerFailure


def connect_failed(exc: requests.RequestException) -> bool:
    """True when no connection was made, so nothing was sent and sending again is safe."""
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


def connection_failure(exc: requests.RequestException) -> str:
    from urllib3.exceptions import NameResolutionError

    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    if isinstance(reason, NameResolutionError):
        return "could not connect: the host name does not resolve (DNS)"
    if isinstance(exc, requests.ConnectTimeout):
        return "could not connect: no answer to the connection within the timeout"
    if connect_failed(exc):
        cause = reason.__cause__ if reason is not None else None
        if isinstance(cause, ConnectionRefusedError):
            return "could not connect: connection refused (is the server up, and the port right?)"
        return "could not connect (the network is unreachable or the connection timed out)"
    return "the connection was dropped before an answer came"


def reached_server(exc: requests.RequestException) -> bool:
    """Whether a request that got no answer was sent at all (for counting what went on the wire)."""
    return isinstance(exc, (requests.Timeout, requests.ConnectionError)) and not connect_failed(exc)


def request_failure(exc: requests.RequestException, what: str, *, write: bool, timeout: float) -> TrackerFailure:
    """A request that got no HTTP answer. A timeout or a dropped connection is worth another
    try; a write is ambiguous unless the connection was never made. The exception's own text
    is not shown: it holds the URL, which may itself be the secret (a webhook)."""
    if isinstance(exc, requests.Timeout) and not isinstance(exc, requests.ConnectTimeout):
        reason = f"no answer within {timeout:g} s"
        return TrackerFailure(f"{what}: {reason}", retry=True, ambiguous=write, what=what, reason=reason)
    if isinstance(exc, (requests.ConnectionError, requests.ConnectTimeout)):
        reason = connection_failure(exc)
        return TrackerFailure(f"{what}: {reason}", retry=True, ambiguous=write and not connect_failed(exc), what=what, reason=reason)
    reason = f"the request failed ({type(exc).__name__})"
    return TrackerFailure(f"{what}: {reason}", ambiguous=write, what=what, reason=reason)


def looks_like_html(text: str | bytes | None) -> bool:
    """A reply that is a web page rather than the API's JSON: a proxy's, or an SSO login form."""
    if not text:
        return False
    head = (text.decode("utf-8", "replace") if isinstance(text, bytes) else text)[:512].lstrip().lower()
    return head.startswith(("<!doctype html", "<html", "<head", "<body", "<?xml")) or "<html" in head


def not_api(what: str) -> TrackerFailure:
    return TrackerFailure(f"{what}: the answer was an HTML page, not the API", not_api=True, what=what, reason="an HTML page answered")
