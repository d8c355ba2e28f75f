"""R11 after-sales window 15:00–17:00 and queue mode."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from domain.aftersales import aftersales_open, next_window_start, within_aftersales_window
from domain.policy.calendar import WorkingCalendar
from domain.policy.settings import AfterSalesRules, WorkingTime

SH = ZoneInfo("Asia/Shanghai")
RULES = AfterSalesRules()
CAL = WorkingCalendar(WorkingTime(holidays=(date(2026, 12, 8),)), "Asia/Shanghai")


def sh(d, h, mi=0):
    return datetime(2026, 12, d, h, mi, tzinfo=SH)


@pytest.mark.parametrize(
    "t, expected", [(time(14, 59), False), (time(15, 0), True), (time(16, 59), True), (time(17, 0), False)]
)
def test_within_window(t, expected):
    assert within_aftersales_window(t, RULES) is expected


@pytest.mark.parametrize(
    "moment, expected",
    [(sh(7, 15, 30), True), (sh(6, 15, 30), False), (sh(8, 15, 30), False), (sh(7, 17, 0), False)],
)
def test_desk_open(moment, expected):
    assert aftersales_open(moment, RULES, CAL) is expected


@pytest.mark.parametrize(
    "moment, expected",
    [
        (sh(7, 15, 30), sh(7, 15, 30)),  # open: no waiting
        (sh(7, 10, 0), sh(7, 15, 0)),  # morning -> this afternoon
        (sh(7, 17, 0), sh(9, 15, 0)),  # after the window, next day is a holiday
        (sh(5, 18, 0), sh(7, 15, 0)),  # Saturday evening -> Monday
        (sh(6, 15, 30), sh(7, 15, 0)),  # Sunday, inside the hours but not a working day
    ],
)
def test_next_window_start(moment, expected):
    got = next_window_start(moment, RULES, CAL)
    assert got == expected and aftersales_open(got, RULES, CAL)
