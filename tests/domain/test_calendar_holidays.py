"""Public holidays, make-up working days (调休) and company days, given to the calendar as data."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.policy.calendar import DayKind, PublicHolidays, WorkingCalendar
from domain.policy.month_view import special_runs, working_days_in_month
from domain.policy.settings import WorkingTime

SH = ZoneInfo("Asia/Shanghai")
NATIONAL_DAY = {"zh-CN": "国庆节", "zh-TW": "國慶節", "en": "National Day"}
# National Day 2026 as the State Council published it: Oct 1–7 off, Sun Sep 20 and Sat Oct 10 worked.
PUBLIC = PublicHolidays(
    region="CN", source="test",
    days_off={date(2026, 10, d): NATIONAL_DAY for d in range(1, 8)},
    make_up_days={date(2026, 9, 20): NATIONAL_DAY, date(2026, 10, 10): NATIONAL_DAY},
    known_years=frozenset({2026}),
)
SIX_DAYS = WorkingTime()  # Monday–Saturday
FIVE_DAYS = WorkingTime(work_days=(0, 1, 2, 3, 4))


@pytest.mark.parametrize("working, day, kind", [
    (SIX_DAYS, date(2026, 10, 1), DayKind.PUBLIC_HOLIDAY),
    (SIX_DAYS, date(2026, 10, 3), DayKind.PUBLIC_HOLIDAY),  # a Saturday inside the break is off too
    (SIX_DAYS, date(2026, 9, 20), DayKind.MAKE_UP),  # Sunday worked
    (FIVE_DAYS, date(2026, 10, 10), DayKind.MAKE_UP),  # Saturday worked by a five-day company
    (SIX_DAYS, date(2026, 10, 11), DayKind.REST),
    (SIX_DAYS, date(2026, 10, 8), DayKind.WORKING),
])
def test_public_holidays_and_make_up_days(working, day, kind):
    calendar = WorkingCalendar(working, "Asia/Shanghai", public=PUBLIC)
    assert calendar.day_kind(day) is kind
    assert calendar.is_working_day(day) is kind.is_working


def test_company_days_win_over_public_ones():
    working = WorkingTime(holidays=(date(2026, 9, 20),), extra_working_days=(date(2026, 10, 6),))
    calendar = WorkingCalendar(working, "Asia/Shanghai", public=PUBLIC, company_days_off={date(2026, 10, 9): "盘点"})
    assert calendar.day_kind(date(2026, 9, 20)) is DayKind.COMPANY_DAY_OFF  # config day off beats a make-up day
    assert calendar.day_kind(date(2026, 10, 6)) is DayKind.COMPANY_WORKING  # worked inside the break
    assert calendar.day_kind(date(2026, 10, 9)) is DayKind.COMPANY_DAY_OFF
    assert not calendar.is_working_day(date(2026, 9, 20))
    assert calendar.is_working_day(date(2026, 10, 6))
    assert calendar.next_working_day(date(2026, 10, 8)) == date(2026, 10, 10)  # skips the 9th (盘点)


def test_working_hours_stop_over_the_break_and_resume():
    calendar = WorkingCalendar(SIX_DAYS, "Asia/Shanghai", public=PUBLIC)
    # Wed Sep 30 17:30 + 4 working hours: 1 h that evening, 3 h on Thu Oct 8.
    due = calendar.add_working_hours(datetime(2026, 9, 30, 17, 30, tzinfo=SH), 4)
    assert due == datetime(2026, 10, 8, 12, 0, tzinfo=SH)
    assert calendar.working_hours_between(datetime(2026, 9, 30, 17, 30, tzinfo=SH), due) == pytest.approx(4)


def test_an_unpublished_year_counts_by_the_weekly_pattern_and_says_so():
    calendar = WorkingCalendar(SIX_DAYS, "Asia/Shanghai", public=PUBLIC)
    assert calendar.knows_year(2026) and not calendar.knows_year(2027)
    assert calendar.day_kind(date(2027, 10, 1)) is DayKind.WORKING  # a Friday, unknown: weekly pattern
    assert WorkingCalendar(SIX_DAYS, "Asia/Shanghai").knows_year(2027)  # no public calendar: nothing to miss


def test_month_runs_merge_alike_days_with_names():
    calendar = WorkingCalendar(SIX_DAYS, "Asia/Shanghai", public=PUBLIC, company_days_off={date(2026, 10, 9): "盘点"})
    runs = special_runs(calendar, 2026, 10, "en")
    assert [(r.kind, r.first, r.last, r.name) for r in runs] == [
        (DayKind.PUBLIC_HOLIDAY, date(2026, 10, 1), date(2026, 10, 7), "National Day"),
        (DayKind.COMPANY_DAY_OFF, date(2026, 10, 9), date(2026, 10, 9), "盘点"),
        (DayKind.MAKE_UP, date(2026, 10, 10), date(2026, 10, 10), "National Day"),
    ]
    # 31 days − 7 off − Sundays 11, 18, 25 − the 9th = 20 (the 10th is a Saturday, worked anyway)
    assert working_days_in_month(calendar, 2026, 10) == 20
