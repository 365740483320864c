"""Retrying tracker requests, for sync and report alike: which failures are worth another try,
how long to wait (Retry-After, GitHub's rate-limit reset, else a doubling backoff), and the
one safe way to retry a create.

Every client (PyGithub, jira, requests for Slack) is built with its own retries off, because
they re-send a POST whose outcome they never saw; here reads are simply retried, and a write
that failed in a way that may have taken effect is only retried after its marker was looked
up. Time is read and waited for through a `Clock`, so tests watch the waits instead of
sitting through them.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from datetime import timezone
from typing import Callable, Mapping, TypeVar

from followthrough.core.sync.tickets import TrackerFailure

T = TypeVar("T")

# 429 and the 5xx a server or gateway sends when it may answer later. 408 belongs too: the
# server (or a proxy) gave up waiting for the request, which RFC 9110 says may be repeated;
# on a write a proxy may have passed it on already, so a create still looks for its marker
# first (see `ambiguous`). Other 4xx say the request itself is wrong: sending it again cannot help.
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def ambiguous(status: int | None, write: bool) -> bool:
    """Whether a write answered with `status` (None: no answer) may have taken effect anyway."""
    return write and (status is None or status >= 500 or status == 408)


@dataclass(frozen=True)
class Clock:
    """Where time is read and waited for: the system's in production, a fake in tests.
    `now` is wall-clock seconds since the epoch (Retry-After may be an HTTP date)."""

    now: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep


SYSTEM_CLOCK = Clock()


def retry_after_seconds(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait from Retry-After (seconds or an HTTP date) or GitHub's rate-limit reset."""
    if not headers:
        return None
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    value = lower.get("retry-after")
    now = time.time() if now is None else now
    if value:
        value = value.strip()
        if _is_number(value):
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            return max(0.0, when.timestamp() - now)
    if lower.get("x-ratelimit-remaining") == "0" and _is_number(lower.get("x-ratelimit-reset", "")):
        return max(0.0, float(lower["x-ratelimit-reset"]) - now)
    return None


def _is_number(value: str) -> bool:
    # ASCII digits only: str.isdigit() is also true of '²' (byte 0xB2 of a latin-1 header), which float() refuses.
    return value.isascii() and value.isdigit()


@dataclass
class RetryPolicy:
    retries: int = 4
    backoff: float = 2.0
    max_wait: float = 300.0
    clock: Clock = SYSTEM_CLOCK
    waits: list[float] = field(default_factory=list)  # every wait taken, for the summary
    asked: int = 0  # how many of them the server asked for (Retry-After, a rate-limit reset)

    def retry_after(self, headers: Mapping[str, str] | None) -> float | None:
        return retry_after_seconds(headers, self.clock.now())

    def delay(self, failure: TrackerFailure, attempt: int) -> float | None:
        """Seconds to wait before attempt `attempt + 1`; None: give up."""
        if attempt >= self.retries or not failure.retry:
            return None
        if failure.retry_after is not None:
            if failure.retry_after > self.max_wait:
                return None
            return failure.retry_after
        return min(self.backoff * (2**attempt), self.max_wait)

    def wait(self, seconds: float, *, asked: bool = False) -> None:
        self.waits.append(seconds)
        self.asked += asked
        if seconds > 0:
            self.clock.sleep(seconds)

    def _pause(self, failure: TrackerFailure, attempt: int) -> bool:
        """Wait before the next attempt when one is worth it; False: give up."""
        pause = self.delay(failure, attempt)
        if pause is None:
            return False
        self.wait(pause, asked=failure.retry_after is not None)
        return True

    def read(self, call: Callable[[], T], *, as_raised: bool = False) -> T:
        """Run a read (or a write that is harmless twice), retrying what is worth retrying. The
        last failure is raised with the number of attempts in its message, or, `as_raised`, as
        it was raised (for a caller that reads fields of its own failure type)."""
        attempt = 0
        while True:
            try:
                return call()
            except TrackerFailure as failure:
                if not self._pause(failure, attempt):
                    if as_raised:
                        raise
                    raise _final(failure, attempt) from None
                attempt += 1

    def send(self, call: Callable[[], T]) -> T:
        """Send a write that must not happen twice (a create without an idempotency key): retried
        only after a failure that says it was not applied (429, a rate limit, a connection never
        made). One that may have been applied (no answer, a 5xx, 408) is raised at once, for
        the caller to record as pending and look for later: never sent again now, because a
        server may apply it after our timeout and our look-up alike."""
        attempt = 0
        while True:
            try:
                return call()
            except TrackerFailure as failure:
                if failure.ambiguous or not self._pause(failure, attempt):
                    raise _final(failure, attempt) from None
                attempt += 1

    def create(self, create: Callable[[], T], look_up: Callable[[], T | None], *, as_raised: bool = False) -> tuple[T, bool]:
        """Create something once: after a failure that may be retried or may have taken effect,
        wait as asked, then look for it (by its marker) before trying again, because the request
        may have worked although no reply said so. Returns it and whether it was found so."""
        attempt = 0
        while True:
            try:
                return create(), False
            except TrackerFailure as failure:
                if not (failure.retry or failure.ambiguous):
                    raise
                pause = self.delay(failure, attempt)
                if pause:
                    self.wait(pause, asked=failure.retry_after is not None)
                found = look_up()
                if found is not None:
                    return found, True
                if pause is None:
                    if as_raised:
                        raise
                    raise _final(failure, attempt) from None
                attempt += 1


def _final(failure: TrackerFailure, attempts: int) -> TrackerFailure:
    """The last failure, saying how many attempts it took; its other fields as they were."""
    if attempts == 0:
        return failure
    return TrackerFailure(
        f"{failure.message} (after {attempts + 1} attempts)",
        status=failure.status,
        retry=failure.retry,
        ambiguous=failure.ambiguous,
        retry_after=failure.retry_after,
        what=failure.what,
        reason=failure.reason,
        reply=failure.reply,
        not_api=failure.not_api,
        fields=failure.fields,
    )
