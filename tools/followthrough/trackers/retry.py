"""Retrying tracker requests: backoff on 429, 5xx and network errors, honouring Retry-After.

Both clients are built with their own retries off, because they re-send a POST whose
outcome they never saw; here reads are simply retried, and a write that failed in a way
that may have taken effect is only retried after the caller has looked for its marker.
"""

from __future__ import annotations

import email.utils
import time
from dataclasses import dataclass, field
from datetime import timezone
from typing import Callable, Mapping, TypeVar

from followthrough.core.sync.tickets import TrackerFailure

T = TypeVar("T")
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})


def retry_after_seconds(headers: Mapping[str, str] | None, now: float | None = None) -> float | None:
    """Seconds to wait from Retry-After (seconds or an HTTP date) or GitHub's rate-limit reset."""
    if not headers:
        return None
    lower = {str(k).lower(): str(v) for k, v in headers.items()}
    value = lower.get("retry-after")
    now = time.time() if now is None else now
    if value:
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            when = None
        if when is not None:
            if when.tzinfo is None:
                when = when.replace(tzinfo=timezone.utc)
            return max(0.0, when.timestamp() - now)
    if lower.get("x-ratelimit-remaining") == "0" and lower.get("x-ratelimit-reset", "").isdigit():
        return max(0.0, float(lower["x-ratelimit-reset"]) - now)
    return None


@dataclass
class RetryPolicy:
    retries: int = 4
    backoff: float = 2.0
    max_wait: float = 300.0
    sleep: Callable[[float], None] = time.sleep
    waits: list[float] = field(default_factory=list)  # every wait taken, for the summary

    def delay(self, failure: TrackerFailure, attempt: int) -> float | None:
        """Seconds to wait before attempt `attempt + 1`; None: give up."""
        if attempt >= self.retries or not failure.retry:
            return None
        if failure.retry_after is not None:
            if failure.retry_after > self.max_wait:
                return None
            return failure.retry_after
        return min(self.backoff * (2**attempt), self.max_wait)

    def wait(self, seconds: float) -> None:
        self.waits.append(seconds)
        if seconds > 0:
            self.sleep(seconds)

    def read(self, call: Callable[[], T], *, as_raised: bool = False) -> T:
        """Run a read, retrying what is worth retrying. The last failure is raised with the
        number of attempts in its message, or, `as_raised`, as it was raised (for a caller that
        reads fields of its own failure type)."""
        attempt = 0
        while True:
            try:
                return call()
            except TrackerFailure as failure:
                pause = self.delay(failure, attempt)
                if pause is None:
                    if as_raised:
                        raise
                    raise _final(failure, attempt) from None
                self.wait(pause)
                attempt += 1


def _final(failure: TrackerFailure, attempts: int) -> TrackerFailure:
    if attempts == 0:
        return failure
    return TrackerFailure(f"{failure.message} (after {attempts + 1} attempts)", status=failure.status, retry=False, ambiguous=failure.ambiguous)
