"""The sleep guard (tests/sleep_guard.py) trips: a test that sleeps for real fails, however it hides the sleep."""

from __future__ import annotations

import pytest

SLEEPERS = '''
import threading
import time


def test_a_short_pause_is_allowed():
    time.sleep(0.001)


def test_a_long_sleep_fails_where_it_is_called():
    time.sleep(30)


def test_a_swallowed_sleep_fails_at_teardown():
    try:
        time.sleep(30)
    except Exception:
        pass


def test_a_sleep_in_a_thread_fails_the_test_that_started_it():
    worker = threading.Thread(target=time.sleep, args=(30,))
    worker.start()
    worker.join()
'''


def test_a_real_sleep_fails_its_test_and_is_never_paid(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["tests.sleep_guard"]\n')
    pytester.makepyfile(test_sleepers=SLEEPERS)
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider", "-W", "ignore::pytest.PytestUnhandledThreadExceptionWarning")
    # The long sleep fails at its call; the swallowed and the threaded ones pass their call and
    # fail at teardown (an error); the short pause passes. None of them waited 30 s: the guard
    # raised instead of sleeping (and this test's own guard would have refused the wait too).
    result.assert_outcomes(passed=3, failed=1, errors=2)
    result.stdout.fnmatch_lines(["*RealSleep: time.sleep(30) in a test: inject the wait*"])
    result.stdout.fnmatch_lines(["ERROR*test_a_swallowed_sleep_fails_at_teardown*", "ERROR*test_a_sleep_in_a_thread_fails_the_test_that_started_it*"], consecutive=False)
    assert "the test called time.sleep for 30 s (over 0.05 s): inject the wait" in result.stdout.str()
