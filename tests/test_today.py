"""'Today' comes from one place: --today, FOLLOWTHROUGH_TODAY, SOURCE_DATE_EPOCH, then the UTC date."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from followthrough.core.errors import ConfigError, UsageError
from followthrough.today import resolve_today


def test_order_of_sources():
    env = {"FOLLOWTHROUGH_TODAY": "2026-02-03", "SOURCE_DATE_EPOCH": "0"}
    assert resolve_today("2026-01-01", env) == date(2026, 1, 1)
    assert resolve_today(None, env) == date(2026, 2, 3)
    assert resolve_today(None, {"SOURCE_DATE_EPOCH": "1700000000"}) == date(2023, 11, 14)



def test_without_any_source_it_is_the_utc_date():
    # Read the clock on both sides: a run across midnight UTC sees either date, never a third.
    before = datetime.now(timezone.utc).date()
    today = resolve_today(None, {})
    after = datetime.now(timezone.utc).date()
    assert today in (before, after)


def test_bad_values_name_their_source():
    with pytest.raises(UsageError, match="--today"):
        resolve_today("soon", {})
    with pytest.raises(ConfigError, match="FOLLOWTHROUGH_TODAY"):
        resolve_today(None, {"FOLLOWTHROUGH_TODAY": "2026-02-30"})
    with pytest.raises(ConfigError, match="SOURCE_DATE_EPOCH"):
        resolve_today(None, {"SOURCE_DATE_EPOCH": "yesterday"})


@pytest.mark.parametrize("value", ["20260201", "2026-W05-1", "2026W051", "2026-032"])
def test_only_yyyy_mm_dd_is_a_date(value):
    # Python 3.11's date.fromisoformat also takes the basic and week forms; the options say YYYY-MM-DD.
    with pytest.raises(UsageError, match="--today"):
        resolve_today(value, {})
    with pytest.raises(ConfigError, match="FOLLOWTHROUGH_TODAY"):
        resolve_today(None, {"FOLLOWTHROUGH_TODAY": value})


def test_an_empty_today_option_is_refused_not_ignored():
    with pytest.raises(UsageError, match="--today ''"):
        resolve_today("", {"FOLLOWTHROUGH_TODAY": "2026-02-03"})


def test_new_date_option_takes_only_yyyy_mm_dd(tmp_path, cli):
    (tmp_path / "postmortems").mkdir()
    result = cli("new", "Week dated", "--date", "2026-W05-1", cwd=tmp_path)
    assert result.code == 2 and "--date '2026-W05-1': expected a date as YYYY-MM-DD" in result.err
    assert not list((tmp_path / "postmortems").rglob("*.md"))
