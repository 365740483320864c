"""The weekly review at the edges of its inputs: the calendar's first week, hostile text in every
format it prints, through the real CLI on tests/data/review."""

from __future__ import annotations

from datetime import date

from followthrough.core.report import review

from .conftest import DATA, assert_no_traceback, run_cli


def test_the_default_period_stops_at_the_first_day_of_the_calendar() -> None:
    assert review.default_since(date(2026, 6, 15)) == date(2026, 6, 8)
    assert review.default_since(date(1, 1, 3)) == date(1, 1, 1)
    assert review.default_since(date(1, 1, 1)) == date(1, 1, 1)
    result = run_cli("report", "review", "--today", "0001-01-03", cwd=DATA / "review")
    assert result.code == 0, result.err
    assert result.out.startswith("Weekly review as of 0001-01-03, changes since 0001-01-01\n")
    assert_no_traceback(result)
