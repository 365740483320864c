"""A small threaded HTTP/1.1 server on 127.0.0.1 that the service fakes build on.

It routes requests to handler methods, keeps one lock around the fake's state, records
every request (method, path, query, kind, status), and injects faults on request:
an error status (with `Retry-After`), a dropped connection, a slow reply, a callback
(for instance killing the client process) — before or after the request took effect —
or a deferred request that takes effect only when the test says so.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable
from urllib.parse import parse_qs, unquote, urlsplit

READ_METHODS = frozenset({"GET", "HEAD"})
FAULT_KINDS = ("status", "drop", "slow", "call", "defer")


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    principal: str | None = None  # who the credentials belong to, once authenticated

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def params(self, name: str) -> list[str]:
        return list(self.query.get(name, []))

    def json(self) -> Any:
        if not self.body:
            return None
        try:
            return json.loads(self.body)
        except ValueError:
            raise HttpError(400, {"message": "Problems parsing JSON"}) from None


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-able, bytes, or None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


class HttpError(Exception):
    def __init__(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status)
        self.response = Response(status, body, headers or {})


@dataclass
class Fault:
    """One planned misbehaviour for the next `times` requests matching method and path.

    `kind`: "status" (reply `status`, e.g. 429 with `retry_after`, or 500; a `bytes` body with
    its own Content-Type header, such as a proxy's HTML login page, is sent as it is), "drop"
    (close the connection without a reply), "slow" (wait `delay` seconds, then reply
    normally), "call" (run `action`, then reply normally), or "defer" (close the connection
    without a reply and hold the request: it takes effect only when the test calls
    `FakeServer.apply_deferred()`, like a write the server applies after the client gave up).
    With `after=True` the request takes effect first, so the client cannot know whether it
    did: the trap both clients fall into. The first `skip` matching requests pass unharmed
    (other faults still apply to them), so a fault can start after, say, the fifth write.
    """

    kind: str
    method: str | None = None
    path: str = ""  # a regular expression searched in the request path
    status: int = 500
    retry_after: str | None = None
    delay: float = 0.0
    after: bool = False
    times: int = 1
    action: Callable[[], None] | None = None
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)  # added to a "status" reply (e.g. Location)
    skip: int = 0

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; one of {', '.join(FAULT_KINDS)}")
        if self.kind == "defer" and self.after:
            raise ValueError("a deferred request has not taken effect yet: after=True contradicts it")

    def matches(self, method: str, path: str) -> bool:
        return (self.method is None or self.method == method) and re.search(self.path, path) is not None


@dataclass(frozen=True)
class Recorded:
    method: str
    path: str
    query: dict[str, list[str]]
    kind: str  # "read" | "write"
    route: str  # the handler's name, or "" when nothing matched
    status: int  # what the server answered or, for a fault before the request took effect, the fault's status (0: dropped)
    fault: str = ""


Handler = Callable[..., Response | tuple[int, Any] | Any]


class FakeServer:
    """Base class: subclasses call `route()` in __init__ and implement `authenticate()`."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.records: list[Recorded] = []
        self.faults: list[Fault] = []
        self.now: Callable[[], datetime] = lambda: datetime.now(timezone.utc).replace(microsecond=0)
        self._routes: list[tuple[str, re.Pattern[str], Handler, str | None, str]] = []
        self._deferred: list[tuple[Request, Handler | None, dict[str, str]]] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------------
    def start(self) -> FakeServer:
        fake = self

        class _Handler(_RequestHandler):
            server_fake = fake

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        # shutdown() waits for the loop's next poll: 0.5 s by default, paid by every test at teardown.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=type(self).__name__, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        assert self._server is not None, "start() the fake first"
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- configuration ---------------------------------------------------------------------
    def route(self, method: str, pattern: str, handler: Handler, kind: str | None = None) -> None:
        self._routes.append((method, re.compile(f"^{pattern}$"), handler, kind, getattr(handler, "__name__", "")))

    def inject(self, kind: str, method: str | None = None, path: str = "", **options: Any) -> Fault:
        fault = Fault(kind, method, path, **options)
        with self.lock:
            self.faults.append(fault)
        return fault

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def apply_deferred(self) -> int:
        """Let the requests held by "defer" faults take effect, in the order they came; how many.

        Each runs as its credentials allow (authenticated again, as the server would when it
        gets round to it); its reply goes nowhere, and it is not recorded a second time.
        """
        with self.lock:
            held, self._deferred = self._deferred, []
            for request, handler, groups in held:
                self._process(request, handler, groups)
        return len(held)

    @property
    def deferred(self) -> int:
        """How many requests are held by "defer" faults and not applied yet."""
        with self.lock:
            return len(self._deferred)

    def authenticate(self, request: Request) -> str | None:  # pragma: no cover - overridden
        return "anonymous"

    def unauthorized(self, request: Request) -> Response:
        return Response(401, {"message": "Requires authentication"})

    # -- observation -----------------------------------------------------------------------
    def count(self, kind: str | None = None, *, method: str | None = None, path: str | None = None, route: str | None = None) -> int:
        with self.lock:
            return sum(
                1
                for r in self.records
                if (kind is None or r.kind == kind)
                and (method is None or r.method == method)
                and (path is None or re.search(path, r.path))
                and (route is None or r.route == route)
            )

    def counts(self) -> Counter[str]:
        with self.lock:
            return Counter(r.kind for r in self.records)

    def reset_counts(self) -> None:
        with self.lock:
            self.records.clear()

    # -- dispatch (called from the handler threads) ----------------------------------------
    def _take_fault(self, method: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.times > 0 and fault.matches(method, path):
                    if fault.skip > 0:
                        fault.skip -= 1
                        continue
                    fault.times -= 1
                    if fault.times == 0:
                        self.faults.remove(fault)
                    return fault
        return None

    def _resolve(self, method: str, path: str) -> tuple[Handler | None, dict[str, str], str, str]:
        allowed = False
        for m, pattern, handler, kind, name in self._routes:
            match = pattern.match(path)
            if match is None:
                continue
            if m != method:
                allowed = True
                continue
            return handler, {k: unquote(v) for k, v in match.groupdict().items()}, kind or ("read" if method in READ_METHODS else "write"), name
        return None, {"_allowed": "yes" if allowed else ""}, "read" if method in READ_METHODS else "write", ""

    def dispatch(self, request: Request) -> tuple[Response | None, Recorded, Fault | None]:
        handler, groups, kind, name = self._resolve(request.method, request.path)
        fault = self._take_fault(request.method, request.path)

        def record(status: int) -> Recorded:
            return Recorded(request.method, request.path, request.query, kind, name, status, fault.kind if fault else "")

        if fault is not None and fault.kind == "defer":
            with self.lock:
                self._deferred.append((request, handler, groups))
            rec = record(0)
            self._record(rec)
            return None, rec, fault
        if fault is not None and not fault.after:
            early = self._apply_fault(fault, before=True)
            if early is not None or fault.kind == "drop":
                rec = record(early.status if early else 0)
                self._record(rec)
                return early, rec, fault
        response = self._process(request, handler, groups)
        # Recorded as the server did it, before an `after` fault hides the outcome from the client.
        rec = record(response.status)
        self._record(rec)
        if fault is not None and fault.after:
            late = self._apply_fault(fault, before=False)
            if late is not None or fault.kind == "drop":
                return late, rec, fault
        return response, rec, fault

    def _record(self, rec: Recorded) -> None:
        with self.lock:
            self.records.append(rec)

    def _apply_fault(self, fault: Fault, before: bool) -> Response | None:
        if fault.kind == "status":
            headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
            headers.update(fault.headers)
            body = fault.body if fault.body is not None else self.error_body(fault.status)
            return Response(fault.status, body, headers)
        if fault.kind == "slow":
            self._stopping.wait(fault.delay)
            return None
        if fault.kind == "call":
            assert fault.action is not None
            fault.action()
            return None
        return None  # "drop": no reply at all

    def error_body(self, status: int) -> Any:
        return {"message": f"fault injected: HTTP {status}"}

    def _process(self, request: Request, handler: Handler | None, groups: dict[str, str]) -> Response:
        principal = self.authenticate(request)
        if principal is None:
            return self.unauthorized(request)
        request.principal = principal
        if handler is None:
            if groups.get("_allowed"):
                return Response(405, self.error_body(405))
            return self.not_found(request)
        try:
            with self.lock:
                result = handler(request, **groups)
        except HttpError as exc:
            return exc.response
        if isinstance(result, Response):
            return result
        if isinstance(result, tuple):
            return Response(result[0], result[1])
        return Response(200, result)

    def not_found(self, request: Request) -> Response:
        return Response(404, {"message": "Not Found"})


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_fake: FakeServer

    def setup(self) -> None:
        super().setup()
        # Headers and body go out as two writes; without this, Nagle's algorithm and the
        # client's delayed ACK add 40 ms to every keep-alive request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet test output
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except ConnectionResetError:
            # A client that read only the start of a long reply closes the connection.
            self.close_connection = True

    def _handle(self) -> None:
        split = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        request = Request(
            method=self.command,
            path=split.path,
            query=parse_qs(split.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
        )
        response, _rec, fault = self.server_fake.dispatch(request)
        if response is None and fault is not None and fault.kind in ("drop", "defer"):
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        assert response is not None
        self._send(response)

    def _send(self, response: Response) -> None:
        if response.body is None:
            payload = b""
        elif isinstance(response.body, bytes):
            payload = response.body
        else:
            payload = json.dumps(response.body).encode()
        try:
            self.send_response(response.status)
            # A reply that names its own Content-Type (an HTML login page) keeps it.
            own_type = any(name.lower() == "content-type" for name in response.headers)
            headers = {**({} if own_type else {"Content-Type": "application/json;charset=UTF-8"}), **response.headers}
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up (a timeout); the request took effect all the same.
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle
