"""A pytest plugin (loaded by conftest.py): no test sleeps for real.

Retries, pacing and timeouts are injected (a fake clock records the waits) so the suite never
pays them; a test that calls time.sleep for longer than SLEEP_LIMIT fails. Subprocesses are not
watched: their waits are configured to zero.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

SLEEP_LIMIT = 0.05  # seconds: more than a poll's pause is a wait the suite would pay on every run


class RealSleep(AssertionError):
    """A test (or a thread it started) called time.sleep for longer than SLEEP_LIMIT."""


_SLEEP_RAISED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    if call.excinfo is not None and call.excinfo.errisinstance(RealSleep):
        item.stash[_SLEEP_RAISED] = True  # the test failed on it already: once is enough
    return report


@pytest.fixture(autouse=True)
def no_real_sleep(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> Iterator[list[float]]:
    """Fail any test that sleeps past SLEEP_LIMIT. The long sleep raises where it is called, so
    it is never paid; when a retry loop or a thread swallowed that error, the test fails at
    teardown instead."""
    real = time.sleep
    refused: list[float] = []

    def guarded(seconds: float) -> None:
        if seconds > SLEEP_LIMIT:
            refused.append(seconds)
            raise RealSleep(f"time.sleep({seconds!r}) in a test: inject the wait (a fake clock), do not pay it")
        real(seconds)

    monkeypatch.setattr(time, "sleep", guarded)
    yield refused
    if refused and not request.node.stash.get(_SLEEP_RAISED, False):
        pytest.fail(f"the test called time.sleep for {', '.join(f'{s:g} s' for s in refused)} (over {SLEEP_LIMIT} s): inject the wait", pytrace=False)
