"""Counting the HTTP requests each destination costs, as they go on the wire.

Both clients send through urllib3, which logs one DEBUG record per response it reads
(`"GET /path HTTP/1.1" 200`). A handler on that logger counts them by method for the
destination being worked on (a context variable), so the count includes what the
clients add on their own (serverInfo, the field list, pagination). A request that got
no response at all (a dropped connection, a timeout) is counted by the caller.
"""

from __future__ import annotations

import contextvars
import logging
from collections import Counter
from contextlib import contextmanager
from typing import Iterator

READS = frozenset({"GET", "HEAD", "OPTIONS"})
_current: contextvars.ContextVar[str | None] = contextvars.ContextVar("followthrough_sync_destination", default=None)


def kind_of(method: str) -> str:
    return "read" if method.upper() in READS else "write"


class RequestCounter(logging.Handler):
    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.counts: dict[str, Counter[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        # '%s://%s:%s "%s %s %s" %s %s': scheme, host, port, method, url, version, status, length
        if not isinstance(args, tuple) or len(args) != 8 or '"%s %s %s"' not in str(record.msg):
            return
        self.add(kind_of(str(args[3])))

    def add(self, kind: str, destination: str | None = None) -> None:
        name = destination or _current.get()
        if name is None:
            return
        self.counts.setdefault(name, Counter())[kind] += 1

    def of(self, destination: str) -> Counter[str]:
        return self.counts.get(destination, Counter())

    @contextmanager
    def destination(self, name: str) -> Iterator[None]:
        token = _current.set(name)
        try:
            yield
        finally:
            _current.reset(token)

    @contextmanager
    def attached(self) -> Iterator[RequestCounter]:
        """Listen to urllib3 for the duration; its records go nowhere else meanwhile."""
        logger = logging.getLogger("urllib3.connectionpool")
        saved = (logger.level, logger.propagate)
        logger.addHandler(self)
        logger.setLevel(logging.DEBUG)
        logger.propagate = False  # keep request lines (URLs with JQL) out of other handlers
        try:
            yield self
        finally:
            logger.removeHandler(self)
            logger.setLevel(saved[0])
            logger.propagate = saved[1]
