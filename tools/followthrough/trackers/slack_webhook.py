"""The report's Slack message, sent to an incoming webhook with `requests`.

The webhook URL is itself the secret: it is never shown, not in a message, not in what a
server echoes back. Retrying is `trackers.retry`'s, and every wait goes through its `Clock`.
"""

from __future__ import annotations

import os
from typing import Mapping

import requests

from followthrough.core.errors import ConfigError, TrackerError
from followthrough.core.report.settings import ReportSettings
from followthrough.core.sync.tickets import TrackerFailure
from followthrough.trackers.http import connect_failed, connection_failure
from followthrough.trackers.redact import url_secrets
from followthrough.trackers.retry import RETRY_STATUSES, SYSTEM_CLOCK, Clock, RetryPolicy
from followthrough.trackers.wording import check_url, failure, plural_retries, quoted

MAX_READ = 4096  # of a reply: enough for Slack's answer, never a whole page


def slack_url(environ: Mapping[str, str] | None = None) -> str:
    env = os.environ if environ is None else environ
    url = env.get("SLACK_WEBHOOK_URL", "").strip()
    if not url:
        raise ConfigError("SLACK_WEBHOOK_URL is not set: --post slack needs an incoming webhook URL")
    check_url(url, "SLACK_WEBHOOK_URL", secret=True)
    return url


def post_slack(url: str, payload: Mapping[str, object], settings: ReportSettings, clock: Clock = SYSTEM_CLOCK) -> None:
    """Send one message. Retried on 408, 429 and 5xx (Slack did not take it) and on failures to
    connect; never after the request went out unanswered, which would risk posting twice.
    A redirect is not followed: the message would go wherever it points."""
    policy = RetryPolicy(settings.retries, settings.backoff, settings.max_wait, clock)
    secrets = url_secrets(url, whole=True)
    with requests.Session() as session:

        def once() -> None:
            try:
                response = session.post(url, json=payload, timeout=settings.timeout, allow_redirects=False, stream=True)
            except requests.RequestException as exc:
                raise _slack_failure(exc) from None
            with response:
                head, cut_off = _head(response)
                status = response.status_code
                if status == 200 and head.strip().lower() == "ok":
                    return
                retry_after = policy.retry_after(dict(response.headers)) if status in RETRY_STATUSES else None
                reply = quoted(head, secrets, cut_off=cut_off)
                raise failure("posting", status=status, retry=status in RETRY_STATUSES, retry_after=retry_after, reply=reply)

        try:
            policy.read(once, as_raised=True)
        except TrackerFailure as failed:
            raise TrackerError(slack_message(failed, len(policy.waits))) from None


def _head(response: requests.Response) -> tuple[str, bool]:
    """The start of a reply, and whether there was more: a huge body is never read whole."""
    try:
        data = response.raw.read(MAX_READ + 1, decode_content=True)
    except (requests.RequestException, OSError, ValueError):
        return "", False
    return data[:MAX_READ].decode("utf-8", "replace"), len(data) > MAX_READ


def _slack_failure(exc: requests.RequestException) -> TrackerFailure:
    # Its text holds the URL, which is the secret: only the kind of failure is shown.
    if isinstance(exc, requests.ConnectionError) and connect_failed(exc):
        return failure("posting", reason=connection_failure(exc), retry=True)
    if isinstance(exc, (requests.ConnectionError, requests.Timeout)):
        return failure("posting", reason=f"no answer ({type(exc).__name__}); the message may not have been posted, and was not re-sent", ambiguous=True)
    return failure("posting", reason=f"the request failed ({type(exc).__name__})")


def slack_message(failure: TrackerFailure, retried: int) -> str:
    after = f", still after {plural_retries(retried)}" if retried else ""
    if failure.status is None:
        return f"Slack webhook: {failure.reason}{after}"
    if 300 <= failure.status < 400:
        return f"Slack webhook answered with a redirect (HTTP {failure.status}), which is not followed; check SLACK_WEBHOOK_URL"
    if failure.status == 200:
        said = f": {failure.reply}" if failure.reply else ""
        return f"Slack webhook answered HTTP 200 but not Slack's `ok`{said}; the message may not have been posted (a proxy or a login page? check SLACK_WEBHOOK_URL)"
    return f"Slack webhook refused the message: HTTP {failure.status} {failure.reply}".rstrip() + after
