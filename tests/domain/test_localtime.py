"""Business-zone dates of instants, and the periods people type after /kpi, against a given today."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from domain.localtime import local_date, local_month, offset_changes
from domain.reports import Period, read_period

SHANGHAI, NEW_YORK = ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York")


@pytest.mark.parametrize("instant, tz, day, month", [
    (datetime(2026, 12, 2, 18, 10, tzinfo=UTC), SHANGHAI, date(2026, 12, 3), "202612"),   # 02:10 Beijing
    (datetime(2026, 12, 31, 16, 30, tzinfo=UTC), SHANGHAI, date(2027, 1, 1), "202701"),   # 00:30 on 1 January
    (datetime(2027, 1, 1, 4, 59, tzinfo=UTC), NEW_YORK, date(2026, 12, 31), "202612"),    # 23:59 New York
    (datetime(2026, 7, 1, 3, 30, tzinfo=UTC), NEW_YORK, date(2026, 6, 30), "202606"),     # 23:30 EDT
])
def test_the_local_date_and_month_of_an_instant(instant: datetime, tz: ZoneInfo, day: date, month: str) -> None:
    assert local_date(instant, tz) == day and local_month(instant, tz) == month


def test_a_naive_time_is_refused_not_guessed() -> None:
    with pytest.raises(ValueError):
        local_date(datetime(2026, 12, 3, 2, 10), SHANGHAI)


def test_offset_changes_find_daylight_saving_switches() -> None:
    assert offset_changes(date(2026, 1, 1), date(2026, 12, 31), SHANGHAI) == [
        (datetime(2025, 12, 31, 16, 0, tzinfo=UTC), timedelta(hours=8))]
    assert offset_changes(date(2026, 3, 1), date(2026, 11, 30), NEW_YORK) == [
        (datetime(2026, 3, 1, 5, 0, tzinfo=UTC), timedelta(hours=-5)),
        (datetime(2026, 3, 8, 7, 0, tzinfo=UTC), timedelta(hours=-4)),
        (datetime(2026, 11, 1, 6, 0, tzinfo=UTC), timedelta(hours=-5))]


TODAY = date(2026, 12, 2)  # a Wednesday


@pytest.mark.parametrize("words, period, problem", [
    (["本周"], Period(date(2026, 11, 30), TODAY), None),
    (["上周"], Period(date(2026, 11, 23), date(2026, 11, 29)), None),
    (["本月"], Period(date(2026, 12, 1), TODAY), None),
    (["上月"], Period(date(2026, 11, 1), date(2026, 11, 30)), None),
    (["今年"], Period(date(2026, 1, 1), TODAY), None),
    (["去年"], Period(date(2025, 1, 1), date(2025, 12, 31)), None),
    (["2026-12"], Period(date(2026, 12, 1), date(2026, 12, 31)), None),
    (["2026-12-01", "2026-12-31"], Period(date(2026, 12, 1), date(2026, 12, 31)), None),
    (["明年"], Period(date(2027, 1, 1), date(2027, 12, 31)), "future"),
    (["下月"], Period(date(2027, 1, 1), date(2027, 1, 31)), "future"),
    (["2027-02"], Period(date(2027, 2, 1), date(2027, 2, 28)), "future"),
    (["2026-12-09", "2026-12-01"], Period(date(2026, 12, 9), date(2026, 12, 1)), "backwards"),
    (["2026-13"], None, "invalid"),
    (["2026-02-30"], None, "invalid"),
    (["上季度"], None, "unknown"),
])
def test_period_words(words: list[str], period: Period | None, problem: str | None) -> None:
    reading = read_period(words, TODAY)
    assert (reading.period, reading.problem) == (period, problem)


def test_a_word_that_is_no_period_is_left_for_the_scope() -> None:
    reading = read_period(["S1"], TODAY)
    assert reading.period == Period(date(2026, 12, 1), TODAY) and reading.rest == ["S1"] and reading.problem is None
    assert read_period(["2026-11", "李跟单"], TODAY).rest == ["李跟单"]
