"""Reading an incident channel through Slack's Web API: `conversations.list` to find it by
name, `conversations.history` and `conversations.replies` for its messages and threads,
`users.list` for names. The official `slack_sdk` WebClient, its own retries off (as in
`slack_api`): a 429's Retry-After and a 5xx are waited out through `trackers.retry`'s Clock.
The token comes from $SLACK_BOT_TOKEN and is never printed.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Mapping
from urllib.error import URLError

from followthrough.core.errors import ConfigError, TrackerError
from followthrough.core.sync.config import Secret
from followthrough.core.sync.tickets import TrackerFailure
from followthrough.core.timeline.messages import BadMessage, Message, message_from
from followthrough.core.timeline.names import user_names
from followthrough.trackers.retry import RETRY_STATUSES, SYSTEM_CLOCK, Clock, RetryPolicy
from followthrough.trackers.slack_api import _QUIET, DEFAULT_API_URL, _client_class
from followthrough.trackers.wording import check_url, failure, quoted

SCOPES = "channels:history, groups:history, channels:read, groups:read and users:read"
PAGE = 200  # Slack's recommended page size for these methods
# What each refusal means when reading a channel, and the fix.
HINTS = {
    "not_in_channel": "the bot is not a member of #{channel}; invite it there (/invite @<bot name>) and run this again",
    "channel_not_found": "the bot cannot see #{channel}; a private channel is visible only once the bot is invited to it",
    "missing_scope": "the token lacks the scope {needed}; add it to the Slack app (it needs " + SCOPES + ") and reinstall it",
    "invalid_auth": "Slack refused SLACK_BOT_TOKEN; check the token",
    "not_authed": "no token reached Slack; check SLACK_BOT_TOKEN",
    "token_revoked": "SLACK_BOT_TOKEN was revoked; make a new one",
    "account_inactive": "the bot's account is inactive; check the Slack app",
}


@dataclass(frozen=True, slots=True)
class HistoryTarget:
    api_url: str
    token: Secret


@dataclass
class ApiChannel:
    name: str
    messages: list[Message] = field(default_factory=list)
    users: dict[str, str] = field(default_factory=dict)
    channels: dict[str, str] = field(default_factory=dict)


def history_target(environ: Mapping[str, str] | None = None) -> HistoryTarget:
    env = os.environ if environ is None else environ
    token = env.get("SLACK_BOT_TOKEN", "").strip()
    if not token:
        raise ConfigError(f"SLACK_BOT_TOKEN is not set: reading a channel through the API needs a bot token with {SCOPES}")
    url = env.get("SLACK_API_URL", "").strip() or DEFAULT_API_URL
    check_url(url, "SLACK_API_URL")
    return HistoryTarget(url if url.endswith("/") else url + "/", Secret(token))


class _Reader:
    def __init__(self, target: HistoryTarget, channel: str, clock: Clock, timeout: float) -> None:
        self.target = target
        self.channel = channel
        self.clock = clock
        self.client = _client_class()(
            token=target.token.reveal(), base_url=target.api_url, timeout=max(1, round(timeout)), retry_handlers=[], logger=_QUIET, user_agent_prefix="followthrough-timeline"
        )

    def pages(self, method: str, key: str, **params: Any) -> list[Any]:
        """Every item of a paginated method, following `next_cursor`."""
        items: list[Any] = []
        cursor: str | None = None
        seen: set[str] = set()
        while True:
            data = self.call(method, **params, limit=PAGE, **({"cursor": cursor} if cursor else {}))
            page = data.get(key)
            if not isinstance(page, list):
                raise TrackerError(f"Slack's {method} answered without a list of {key}; is SLACK_API_URL Slack's Web API?")
            items.extend(page)
            metadata = data.get("response_metadata")
            cursor = metadata.get("next_cursor") if isinstance(metadata, dict) else None
            if not cursor or not isinstance(cursor, str):
                return items
            if cursor in seen:
                # A cursor given twice would page the same items forever.
                raise TrackerError(f"Slack's {method} gave the same next_cursor twice; stopped after {len(seen) + 1} pages (is SLACK_API_URL Slack's Web API?)")
            seen.add(cursor)

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        policy = RetryPolicy(clock=self.clock)
        call: Callable[..., Any] = getattr(self.client, method.replace(".", "_"))
        try:
            return policy.read(lambda: self._once(call, method, params, policy), as_raised=True)
        except TrackerFailure as failed:
            raise TrackerError(self._message(method, failed, len(policy.waits))) from None

    def _once(self, call: Callable[..., Any], method: str, params: dict[str, Any], policy: RetryPolicy) -> dict[str, Any]:
        from slack_sdk.errors import SlackApiError

        try:
            response = call(**params)
        except SlackApiError as exc:
            raise self._failure(exc, method, policy) from None
        except (socket.timeout, TimeoutError):
            raise failure(method, reason="no answer within the timeout", retry=True) from None
        except (URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise failure(method, reason=f"could not connect ({type(reason).__name__})", retry=True) from None
        data = response.data
        if not isinstance(data, dict):
            raise failure(method, reason="the answer was not Slack's Web API; check SLACK_API_URL")
        return data

    def _failure(self, exc: Any, method: str, policy: RetryPolicy) -> TrackerFailure:
        response = exc.response
        status = int(getattr(response, "status_code", 0) or 0)
        data = response.data if isinstance(getattr(response, "data", None), dict) else {}
        headers = {str(k): str(v) for k, v in (getattr(response, "headers", None) or {}).items()}
        if not data:
            return failure(method, status=status, reason="the answer was not Slack's Web API (a proxy or a login page?); check SLACK_API_URL")
        error = str(data.get("error") or "")
        needed = str(data.get("needed") or "")
        reply = quoted(error, [self.target.token.reveal()])
        if needed:
            reply = f"{reply}|{quoted(needed, [self.target.token.reveal()])}"
        if status in RETRY_STATUSES:
            return failure(method, status=status, retry=True, retry_after=policy.retry_after(headers), reply=reply)
        return failure(method, status=status, reply=reply)

    def _message(self, method: str, failed: TrackerFailure, retried: int) -> str:
        error, _, needed = failed.reply.partition("|")
        hint = HINTS.get(error)
        if hint:
            return f"Slack refused {method} ({error}): {hint.format(channel=self.channel, needed=needed or 'it names')}"
        after = f", still after {retried} retr{'y' if retried == 1 else 'ies'}" if retried else ""
        if failed.status == 429:
            return f"Slack answered {method} with 429 (rate limited){after}"
        said = f" ({error})" if error else ""
        return f"Slack refused {method}: {failed.message}{said}{after}" if failed.status else f"{failed.message}{after}"


def read_channel(target: HistoryTarget, channel: str, *, since: datetime | None = None, until: datetime | None = None, clock: Clock = SYSTEM_CLOCK, timeout: float = 30) -> ApiChannel:
    """The channel's messages in the window (thread replies included) and the workspace's names."""
    reader = _Reader(target, channel, clock, timeout)
    listed = reader.pages("conversations.list", "channels", types="public_channel,private_channel", exclude_archived=False)
    ids = {c.get("name"): c.get("id") for c in listed if isinstance(c, dict)}
    channel_id = ids.get(channel)
    if not isinstance(channel_id, str):
        raise TrackerError(f"no channel #{channel} that the bot can see; check the name, and invite the bot to a private channel (/invite @<bot name>)")
    window: dict[str, Any] = {"channel": channel_id}
    if since is not None:
        window["oldest"] = f"{since.timestamp():.6f}"
    if until is not None:
        window["latest"] = f"{until.timestamp():.6f}"
    raw = reader.pages("conversations.history", "messages", **window, inclusive=True)
    for parent in list(raw):
        if isinstance(parent, dict) and parent.get("reply_count") and parent.get("thread_ts", parent.get("ts")) == parent.get("ts"):
            thread = reader.pages("conversations.replies", "messages", channel=channel_id, ts=parent["ts"])
            raw.extend(m for m in thread if isinstance(m, dict) and m.get("ts") != parent["ts"])
    found = ApiChannel(channel, users=user_names(reader.pages("users.list", "members")), channels={v: k for k, v in ids.items() if isinstance(k, str) and isinstance(v, str)})
    for i, message in enumerate(raw):
        try:
            found.messages.append(message_from(message))
        except BadMessage as exc:
            raise TrackerError(f"Slack's conversations.history: message {i + 1} of #{channel}: {exc}") from None
    return found
