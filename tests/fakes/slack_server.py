"""A loopback Slack: an incoming webhook and the Web API's `auth.test` and `chat.postMessage`.

The webhook: POST /services/T.../B.../<secret> with a JSON message.

Answers as Slack does: `200 ok` (text, not JSON) when the message is posted;
`400 invalid_payload`, `400 no_text` or `400 invalid_blocks` for a message Slack would
refuse (checked against Block Kit's documented limits: 50 blocks, 3,000 characters of
section text, 150 of header text); `404 no_service` for an unknown webhook. Keeps every
posted message, and takes the faults of `httpserver` (429 with Retry-After, 500, drops).

The Web API (what `slack_sdk`'s WebClient talks to, with `base_url=fake.api_url`): a bearer
token from `tokens` or `invalid_auth`; `chat.postMessage` to a channel of `channels` the bot
is a member of, else `channel_not_found` / `not_in_channel`, each answered as Slack does (HTTP
200, `{"ok": false, "error": ...}`); the same Block Kit checks as the webhook
(`invalid_blocks`). Posted messages are kept per channel (`channel_posts`); `rate_limit()`
makes the next posts answer 429 with Retry-After and Slack's `ratelimited` body.

Reading a channel (what `followthrough timeline slack api:` asks): `conversations.list` of
`conversation_list` (public, and private ones only with `types` naming `private_channel`),
`conversations.history` and `conversations.replies` of `history` (channel id -> messages,
newest first as Slack answers, replies found by `thread_ts`), `users.list` of `users`; each
paginated by `next_cursor` at `page_size` (Slack's `limit` caps it), `not_in_channel` for a
channel the bot is not in, `channel_not_found` for an unknown id, `missing_scope` (with
`needed`) for the scopes of `missing_scopes`. `rate_limit_reads()` answers the next reads 429.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from .httpserver import FakeServer, HttpError, Request, Response

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_TEXT = 40000
_TEXT_TYPES = ("plain_text", "mrkdwn")


BOT_TOKEN = "xoxb-test-bot-token"


def _api(body: dict[str, Any]) -> Response:
    return Response(200, body)


def _text(reply: str, status: int = 200) -> Response:
    return Response(status, reply.encode(), {"Content-Type": "text/html"})


class FakeSlack(FakeServer):
    def __init__(
        self,
        hooks: tuple[str, ...] = ("/services/T0001/B0001/hooksecret",),
        tokens: tuple[str, ...] = (BOT_TOKEN,),
        channels: dict[str, bool] | None = None,  # channel id -> whether the bot is a member
    ) -> None:
        super().__init__()
        self.hooks = set(hooks)
        self.messages: dict[str, list[dict[str, Any]]] = {h: [] for h in hooks}
        self.tokens = set(tokens)
        self.channels: dict[str, bool] = dict(channels or {})
        self.channel_posts: dict[str, list[dict[str, Any]]] = {}
        self._ts = 0
        self.route("POST", r"/services/[^/]+/[^/]+/[^/]+", self.post_message)
        self.route("POST", r"/api/auth\.test", self.auth_test)
        self.route("POST", r"/api/chat\.postMessage", self.chat_post_message)
        # Reading a channel: the state tests fill in.
        self.conversation_list: list[dict[str, Any]] = []  # {"id", "name", "is_private"}
        self.history: dict[str, list[dict[str, Any]]] = {}  # channel id -> messages (any order)
        self.users: list[dict[str, Any]] = []
        self.page_size = 100
        self.missing_scopes: set[str] = set()
        self.cursors: list[str] = []  # every cursor a paginated read sent ("" for a first page)
        self.stuck_cursor: str | None = None  # a broken server: every page answers this next_cursor
        # slack_sdk's WebClient sends these as a POST of form fields; Slack takes a GET's query too.
        for method in ("GET", "POST"):
            self.route(method, r"/api/conversations\.list", self.conversations_list, kind="read")
            self.route(method, r"/api/conversations\.history", self.conversations_history, kind="read")
            self.route(method, r"/api/conversations\.replies", self.conversations_replies, kind="read")
            self.route(method, r"/api/users\.list", self.users_list, kind="read")

    @property
    def api_url(self) -> str:
        return self.url + "/api/"

    def posts_to(self, channel: str) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.channel_posts.get(channel, []))

    def rate_limit(self, retry_after: str = "7", times: int = 1) -> None:
        """The next `times` chat.postMessage calls answer 429, as Slack's rate limiter does."""
        self.inject("status", "POST", r"chat\.postMessage", status=429, retry_after=retry_after, times=times, body={"ok": False, "error": "ratelimited"})

    def rate_limit_reads(self, method: str = "conversations.history", retry_after: str = "3", times: int = 1) -> None:
        """The next `times` calls of `method` answer 429 with Retry-After."""
        self.inject("status", None, method.replace(".", r"\."), status=429, retry_after=retry_after, times=times, body={"ok": False, "error": "ratelimited"})

    @staticmethod
    def _arg(request: Request, name: str) -> str | None:
        """A method's argument, from the query or the form body, as Slack reads either."""
        form = parse_qs(request.body.decode("utf-8", "replace")) if request.body and request.method == "POST" else {}
        values = form.get(name) or request.query.get(name)
        return values[-1] if values else None

    def _page(self, request: Request, items: list[dict[str, Any]], key: str, extra: dict[str, Any] | None = None) -> Response:
        # Slack's cursors are opaque strings; this one is the offset, base64-looking enough.
        cursor = self._arg(request, "cursor") or ""
        self.cursors.append(cursor)
        if self.stuck_cursor is not None:
            return _api({"ok": True, key: items[: self.page_size], "has_more": True, "response_metadata": {"next_cursor": self.stuck_cursor}})
        start = int(cursor[len("dXNlcjo"):]) if cursor.startswith("dXNlcjo") and cursor[len("dXNlcjo"):].isdigit() else 0
        if cursor and start == 0:
            return _api({"ok": False, "error": "invalid_cursor"})
        size = min(self.page_size, int(self._arg(request, "limit") or self.page_size))
        page = items[start : start + size]
        more = start + size < len(items)
        body: dict[str, Any] = {"ok": True, key: page, "has_more": more, "response_metadata": {"next_cursor": f"dXNlcjo{start + size}" if more else ""}}
        body.update(extra or {})
        return _api(body)

    def _readable(self, request: Request, scope: str) -> Response | str:
        if self._bearer(request) is None:
            return _api({"ok": False, "error": "invalid_auth"})
        if scope in self.missing_scopes:
            return _api({"ok": False, "error": "missing_scope", "needed": scope, "provided": "chat:write"})
        channel = self._arg(request, "channel") or ""
        if scope == "users:read":
            return channel
        known = {c["id"]: c for c in self.conversation_list}
        if channel not in known:
            return _api({"ok": False, "error": "channel_not_found"})
        if not self.channels.get(channel, False):
            return _api({"ok": False, "error": "not_in_channel"})
        return channel

    def conversations_list(self, request: Request) -> Response:
        if self._bearer(request) is None:
            return _api({"ok": False, "error": "invalid_auth"})
        types = (self._arg(request, "types") or "public_channel").split(",")
        if "private_channel" in types and "groups:read" in self.missing_scopes:
            return _api({"ok": False, "error": "missing_scope", "needed": "groups:read", "provided": "channels:read"})
        shown = [c for c in self.conversation_list if ("private_channel" if c.get("is_private") else "public_channel") in types]
        # A private channel is listed only to a member, as Slack lists it.
        shown = [c for c in shown if not c.get("is_private") or self.channels.get(c["id"], False)]
        return self._page(request, shown, "channels")

    def conversations_history(self, request: Request) -> Response:
        channel = self._readable(request, "channels:history")
        if isinstance(channel, Response):
            return channel
        oldest, latest = float(self._arg(request, "oldest") or 0), float(self._arg(request, "latest") or 1e12)
        top = [m for m in self.history.get(channel, []) if m.get("thread_ts") in (None, m["ts"]) or m.get("subtype") == "thread_broadcast"]
        top = sorted((m for m in top if oldest <= float(m["ts"]) <= latest), key=lambda m: float(m["ts"]), reverse=True)
        return self._page(request, top, "messages")

    def conversations_replies(self, request: Request) -> Response:
        channel = self._readable(request, "channels:history")
        if isinstance(channel, Response):
            return channel
        ts = self._arg(request, "ts")
        thread = sorted((m for m in self.history.get(channel, []) if m["ts"] == ts or m.get("thread_ts") == ts), key=lambda m: float(m["ts"]))
        if not thread:
            return _api({"ok": False, "error": "thread_not_found"})
        return self._page(request, thread, "messages")

    def users_list(self, request: Request) -> Response:
        allowed = self._readable(request, "users:read")
        if isinstance(allowed, Response):
            return allowed
        return self._page(request, self.users, "members")

    def _bearer(self, request: Request) -> str | None:
        auth = request.headers.get("authorization", "")
        token = auth[len("Bearer "):] if auth.startswith("Bearer ") else ""
        return token if token in self.tokens else None

    def auth_test(self, request: Request) -> Response:
        if self._bearer(request) is None:
            return _api({"ok": False, "error": "invalid_auth"})
        return _api({"ok": True, "url": "https://acme.slack.com/", "team": "Acme", "user": "followthrough", "team_id": "T0001", "user_id": "U0BOT", "bot_id": "B0BOT"})

    def chat_post_message(self, request: Request) -> Response:
        if self._bearer(request) is None:
            return _api({"ok": False, "error": "invalid_auth"})
        try:
            payload = json.loads(request.body or b"null")
        except ValueError:
            return _api({"ok": False, "error": "invalid_json"})
        if not isinstance(payload, dict):
            return _api({"ok": False, "error": "invalid_arguments"})
        channel = payload.get("channel")
        if channel not in self.channels:
            return _api({"ok": False, "error": "channel_not_found"})
        if not self.channels[channel]:
            return _api({"ok": False, "error": "not_in_channel"})
        text, blocks = payload.get("text"), payload.get("blocks")
        if not text and not blocks:
            return _api({"ok": False, "error": "no_text"})
        if blocks is not None:
            try:
                _check_blocks(blocks)
            except HttpError:
                return _api({"ok": False, "error": "invalid_blocks"})
        self._ts += 1
        ts = f"1700000000.{self._ts:06d}"
        self.channel_posts.setdefault(channel, []).append(payload)
        return _api({"ok": True, "channel": channel, "ts": ts, "message": {"text": text, "ts": ts}})

    @property
    def webhook_url(self) -> str:
        return self.url + sorted(self.hooks)[0]

    def posted(self, hook: str | None = None) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.messages[hook or sorted(self.hooks)[0]])

    def authenticate(self, request: Request) -> str | None:
        return "webhook"  # the URL is the credential; an unknown one is `no_service`

    def not_found(self, request: Request) -> Response:
        return _text("no_service", 404)

    def error_body(self, status: int) -> Any:
        return b"rate_limited" if status == 429 else b"internal_error"


    def post_message(self, request: Request) -> Response:
        if request.path not in self.hooks:
            return _text("no_service", 404)
        try:
            payload = json.loads(request.body or b"null")
        except ValueError:
            return _text("invalid_payload", 400)
        if not isinstance(payload, dict):
            return _text("invalid_payload", 400)
        text, blocks = payload.get("text"), payload.get("blocks")
        if not text and not blocks:
            return _text("no_text", 400)
        if text is not None and (not isinstance(text, str) or len(text) > MAX_TEXT):
            return _text("invalid_payload", 400)
        if blocks is not None:
            try:
                _check_blocks(blocks)
            except HttpError as exc:
                return exc.response
        self.messages[request.path].append(payload)
        return _text("ok")


def _invalid() -> HttpError:
    return HttpError(400, b"invalid_blocks", {"Content-Type": "text/html"})


def _check_text(obj: Any, limit: int, types: tuple[str, ...] = _TEXT_TYPES) -> None:
    if not isinstance(obj, dict) or obj.get("type") not in types:
        raise _invalid()
    text = obj.get("text")
    if not isinstance(text, str) or not text or len(text) > limit:
        raise _invalid()


def _check_blocks(blocks: Any) -> None:
    if not isinstance(blocks, list) or not blocks or len(blocks) > MAX_BLOCKS:
        raise _invalid()
    for block in blocks:
        if not isinstance(block, dict):
            raise _invalid()
        kind = block.get("type")
        if kind == "header":
            _check_text(block.get("text"), MAX_HEADER_TEXT, ("plain_text",))
        elif kind == "section":
            if "text" in block:
                _check_text(block["text"], MAX_SECTION_TEXT)
            elif not block.get("fields"):
                raise _invalid()
        elif kind == "context":
            elements = block.get("elements")
            if not isinstance(elements, list) or not 1 <= len(elements) <= 10:
                raise _invalid()
            for element in elements:
                _check_text(element, MAX_SECTION_TEXT)
        elif kind != "divider":
            raise _invalid()
