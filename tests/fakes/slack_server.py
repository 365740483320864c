"""A loopback Slack incoming webhook: POST /services/T.../B.../<secret> with a JSON message.

Answers as Slack does: `200 ok` (text, not JSON) when the message is posted;
`400 invalid_payload`, `400 no_text` or `400 invalid_blocks` for a message Slack would
refuse (checked against Block Kit's documented limits: 50 blocks, 3,000 characters of
section text, 150 of header text); `404 no_service` for an unknown webhook. Keeps every
posted message, and takes the faults of `httpserver` (429 with Retry-After, 500, drops).
"""

from __future__ import annotations

import json
from typing import Any

from .httpserver import FakeServer, HttpError, Request, Response

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_TEXT = 40000
_TEXT_TYPES = ("plain_text", "mrkdwn")


def _text(reply: str, status: int = 200) -> Response:
    return Response(status, reply.encode(), {"Content-Type": "text/html"})


class FakeSlack(FakeServer):
    def __init__(self, hooks: tuple[str, ...] = ("/services/T0001/B0001/hooksecret",)) -> None:
        super().__init__()
        self.hooks = set(hooks)
        self.messages: dict[str, list[dict[str, Any]]] = {h: [] for h in hooks}
        self.route("POST", r"/services/[^/]+/[^/]+/[^/]+", self.post_message)

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
