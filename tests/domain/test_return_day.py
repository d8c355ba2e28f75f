"""R12 monthly after-sales return day."""

from datetime import date

import pytest

from domain.errors import DomainError
from domain.policy.calendar import WorkingCalendar
from domain.policy.return_day import intake_paused, return_day_notices, validate_return_day
from domain.policy.settings import AfterSalesRules, WorkingTime

RULES = AfterSalesRules()
CAL = WorkingCalendar(WorkingTime(holidays=(date(2026, 12, 18),)), "Asia/Shanghai")


@pytest.mark.parametrize("day", [date(2026, 12, 15), date(2026, 12, 19), date(2026, 12, 16)])
def test_valid_return_days(day):
    assert validate_return_day(day, RULES, CAL, today=date(2026, 12, 1)) == day


@pytest.mark.parametrize(
    "day, today, code",
    [
        (date(2026, 12, 14), date(2026, 12, 1), "return_day.out_of_range"),
        (date(2026, 12, 21), date(2026, 12, 1), "return_day.out_of_range"),
        (date(2026, 12, 20), date(2026, 12, 1), "return_day.not_working_day"),  # Sunday
        (date(2026, 12, 18), date(2026, 12, 1), "return_day.not_working_day"),  # holiday
        (date(2026, 12, 16), date(2026, 12, 17), "return_day.in_past"),
    ],
)
def test_invalid_return_days(day, today, code):
    with pytest.raises(DomainError) as err:
        validate_return_day(day, RULES, CAL, today=today)
    assert err.value.code == code
    assert err.value.params["day"] == day


def test_today_is_allowed():
    assert validate_return_day(date(2026, 12, 16), RULES, CAL, today=date(2026, 12, 16)) == date(2026, 12, 16)


def test_range_follows_settings():
    rules = AfterSalesRules(return_day_first=10, return_day_last=12)
    assert validate_return_day(date(2026, 12, 10), rules, CAL, today=date(2026, 12, 1))
    with pytest.raises(DomainError):
        validate_return_day(date(2026, 12, 15), rules, CAL, today=date(2026, 12, 1))


@pytest.mark.parametrize(
    "notice_days, expected",
    [
        ((3, 1), (date(2026, 12, 14), date(2026, 12, 16))),
        ((1, 3, 3), (date(2026, 12, 14), date(2026, 12, 16))),
        ((7,), (date(2026, 12, 10),)),
        ((), ()),
    ],
)
def test_return_day_notices(notice_days, expected):
    assert return_day_notices(date(2026, 12, 17), AfterSalesRules(return_day_notice_days=notice_days)) == expected


def test_notice_crosses_month_boundary():
    assert return_day_notices(date(2027, 1, 2), RULES)[0] == date(2026, 12, 30)


@pytest.mark.parametrize(
    "day, return_day, expected",
    [(date(2026, 12, 17), date(2026, 12, 17), True), (date(2026, 12, 18), date(2026, 12, 17), False), (date(2026, 12, 17), None, False)],
)
def test_intake_paused(day, return_day, expected):
    assert intake_paused(day, return_day) is expected
