"""Posting to Slack channels through the Web API (`slack_sdk`'s WebClient, `chat.postMessage`),
for messages that go to each team's own channel rather than one incoming webhook.

The bot token comes from $SLACK_BOT_TOKEN and never appears in a message (`cli.main` masks it
in everything written, and no reply or exception of the client is printed whole). The client's
own retries are off: a 429's Retry-After and a 5xx are waited out through `trackers.retry`'s
`Clock`, and a request that went out unanswered is not sent again, which could post twice.
One channel failing does not stop the others; every failure is collected and named.
"""

from __future__ import annotations

import logging
import os
import socket
from dataclasses import dataclass
from typing import Any, Mapping, Sequence
from urllib.error import URLError
from urllib.request import HTTPRedirectHandler, HTTPSHandler, ProxyHandler, build_opener

from followthrough.core.errors import ConfigError
from followthrough.core.logline import safe_line
from followthrough.core.report.settings import ReportSettings
from followthrough.core.sync.config import Secret
from followthrough.core.sync.tickets import TrackerFailure
from followthrough.trackers.retry import RETRY_STATUSES, SYSTEM_CLOCK, Clock, RetryPolicy
from followthrough.trackers.wording import check_url, failure, plural_retries, quoted

DEFAULT_API_URL = "https://slack.com/api/"
# Slack's answers that mean this channel (or this token) cannot take the message, and what to do.
HINTS = {
    "not_in_channel": "the bot is not a member of the channel; invite it (/invite @<bot name>) in the channel",
    "channel_not_found": "no such channel, or the bot cannot see it (a private channel needs an invitation); check teams.<team>.slack_channel",
    "is_archived": "the channel is archived; name another in teams.<team>.slack_channel",
    "invalid_auth": "Slack refused SLACK_BOT_TOKEN; check the token",
    "not_authed": "no token reached Slack; check SLACK_BOT_TOKEN",
    "token_revoked": "SLACK_BOT_TOKEN was revoked; make a new one",
    "account_inactive": "the bot's account is inactive; check the Slack app",
    "missing_scope": "the token lacks the chat:write scope; add it to the Slack app and reinstall it",
}
# A client that logs nowhere: its error log lines quote requests, which are not ours to print.
_QUIET = logging.getLogger("followthrough.slack_sdk")
_QUIET.addHandler(logging.NullHandler())
_QUIET.propagate = False


@dataclass(frozen=True, slots=True)
class SlackTarget:
    api_url: str
    token: Secret


@dataclass(frozen=True, slots=True)
class ChannelPost:
    """One message for one team's channel."""

    team: str
    channel: str
    payload: Mapping[str, Any]  # {"text": ..., "blocks": [...]}


@dataclass(frozen=True, slots=True)
class ChannelOutcome:
    post: ChannelPost
    error: str | None = None  # None: posted

    def describe(self) -> str:
        where = f"team {safe_line(self.post.team)} (channel {safe_line(self.post.channel)})"
        return f"{where}: posted the review" if self.error is None else f"{where}: {self.error}"


def slack_target(settings: ReportSettings, environ: Mapping[str, str] | None = None) -> SlackTarget:
    env = os.environ if environ is None else environ
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError("SLACK_BOT_TOKEN is not set: report review --post slack needs a bot token with the chat:write scope")
    from_env = env.get("SLACK_API_URL", "").strip()
    url = from_env or settings.slack_api_url or DEFAULT_API_URL
    check_url(url, "SLACK_API_URL" if from_env else "plugins.followthrough.report.slack_api_url")
    return SlackTarget(url if url.endswith("/") else url + "/", Secret(token))


def post_to_channels(target: SlackTarget, posts: Sequence[ChannelPost], settings: ReportSettings, clock: Clock = SYSTEM_CLOCK) -> list[ChannelOutcome]:
    """Post each message to its channel, in order; a failure is recorded and the next one tried."""
    client = _client_class()(
        token=target.token.reveal(),
        base_url=target.api_url,
        timeout=max(1, round(settings.timeout)),
        retry_handlers=[],
        logger=_QUIET,
        user_agent_prefix="followthrough-report",
    )
    outcomes = []
    for post in posts:
        policy = RetryPolicy(settings.retries, settings.backoff, settings.max_wait, clock)
        try:
            policy.read(lambda post=post: _post_once(client, post, policy, target), as_raised=True)
        except TrackerFailure as failed:
            outcomes.append(ChannelOutcome(post, _message(failed, len(policy.waits))))
        else:
            outcomes.append(ChannelOutcome(post))
    return outcomes


class _NoRedirect(HTTPRedirectHandler):
    """A redirect is an answer, not an address to follow: urllib would send the Authorization
    header (the bot token) on to wherever it points, and a 200 there would pass for a post."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        return None  # urllib then raises the 3xx as an HTTPError, which the client reports as its answer


def _client_class() -> Any:
    """slack_sdk's WebClient, opening its requests without following redirects (its own opener,
    `urlopen`, follows them). Only how a request is opened changes; the client reads the answer."""
    from slack_sdk import WebClient
    from slack_sdk.errors import SlackRequestError

    class NoRedirectClient(WebClient):
        def _perform_urllib_http_request_internal(self, url: str, req: Any) -> dict[str, Any]:
            if not url.lower().startswith(("https://", "http://")):
                raise SlackRequestError("Invalid URL detected")
            handlers: list[Any] = [_NoRedirect(), HTTPSHandler(context=self.ssl)]
            if isinstance(self.proxy, str):
                handlers.insert(0, ProxyHandler({"http": self.proxy, "https": self.proxy}))
            resp = build_opener(*handlers).open(req, timeout=self.timeout)
            charset = resp.headers.get_content_charset() or "utf-8"
            return {"status": resp.code, "headers": resp.headers, "body": resp.read().decode(charset)}

    return NoRedirectClient


def _post_once(client: Any, post: ChannelPost, policy: RetryPolicy, target: SlackTarget) -> None:
    from slack_sdk.errors import SlackApiError

    try:
        client.chat_postMessage(channel=post.channel, text=post.payload.get("text", ""), blocks=post.payload.get("blocks"), unfurl_links=False, unfurl_media=False)
    except SlackApiError as exc:
        raise _api_failure(exc, policy, target) from None
    except (socket.timeout, TimeoutError):
        raise failure("posting", reason="no answer within the timeout; the message may have been posted, and was not re-sent", ambiguous=True) from None
    except URLError as exc:
        # No connection was made (refused, no such host): nothing was sent, so another try is safe.
        if isinstance(exc.reason, (socket.timeout, TimeoutError)):
            raise failure("posting", reason="no answer within the timeout; the message may have been posted, and was not re-sent", ambiguous=True) from None
        raise failure("posting", reason=f"could not connect ({type(exc.reason).__name__})", retry=True) from None
    except (ConnectionError, OSError) as exc:
        raise failure("posting", reason=f"the connection was dropped before an answer came ({type(exc).__name__}); the message may have been posted, and was not re-sent", ambiguous=True) from None


def _api_failure(exc: Any, policy: RetryPolicy, target: SlackTarget) -> TrackerFailure:
    response = exc.response
    status = int(getattr(response, "status_code", 0) or 0)
    data = response.data if isinstance(getattr(response, "data", None), dict) else {}
    error = str(data.get("error") or "")
    headers = {str(k): str(v) for k, v in (getattr(response, "headers", None) or {}).items()}
    secrets = [target.token.reveal()]
    if 300 <= status < 400:
        reason = f"the API URL answered with a redirect (HTTP {status}), which is not followed: the token would go wherever it points; check SLACK_API_URL"
        return TrackerFailure(f"posting: {reason}", status=status, not_api=True, what="posting", reason=reason)
    if not isinstance(getattr(response, "data", None), dict) or error.startswith("Received a response in a non-JSON format"):
        # slack_sdk's own words for a body that is not the Web API's JSON: a proxy's page, a login form.
        reason = "the answer was not Slack's Web API (a proxy or a login page?); check SLACK_API_URL"
        return TrackerFailure(f"posting: {reason}", status=status, not_api=True, what="posting", reason=reason)
    if status in RETRY_STATUSES:
        return failure("posting", status=status, retry=True, retry_after=policy.retry_after(headers), reply=quoted(error, secrets))
    return failure("posting", status=status, reply=quoted(error or str(data)[:200], secrets))


def _message(failed: TrackerFailure, retried: int) -> str:
    after = f", still after {plural_retries(retried)}" if retried else ""
    if failed.status is None or failed.not_api:
        return f"not posted: {failed.reason}{after}"
    hint = HINTS.get(failed.reply)
    said = f" ({failed.reply})" if failed.reply else ""
    if hint:
        return f"Slack refused the message{said}: {hint}"
    if failed.status == 429 and failed.retry_after is not None and not retried:
        return f"Slack answered 429 (rate limited) and asked to wait {failed.retry_after:g} s, longer than report.max_wait; not posted"
    if failed.status == 429:
        return f"Slack answered 429 (rate limited){after}; not posted"
    return f"Slack refused the message: HTTP {failed.status}{said}{after}"


def describe_skipped(team: str) -> str:
    return f"team {safe_line(team)}: skipped, no slack_channel for it in the people directory"
