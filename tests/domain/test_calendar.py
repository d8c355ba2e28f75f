"""R18 working calendar: Mon–Sat 09:00–18:30, Asia/Shanghai, holidays respected."""

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings, strategies as st

from domain.policy.calendar import WorkingCalendar
from domain.policy.settings import WorkingTime

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar(WorkingTime(), "Asia/Shanghai")
# 2026-12-08 (Tuesday) declared a holiday in the holiday calendar below
HOL = WorkingCalendar(WorkingTime(holidays=(date(2026, 12, 8),)), "Asia/Shanghai")


def sh(y, mo, d, h=0, mi=0):
    return datetime(y, mo, d, h, mi, tzinfo=SH)


@pytest.mark.parametrize(
    "cal, day, expected",
    [
        (CAL, date(2026, 12, 4), True),  # Friday
        (CAL, date(2026, 12, 5), True),  # Saturday: six-day week
        (CAL, date(2026, 12, 6), False),  # Sunday
        (CAL, date(2026, 12, 8), True),
        (HOL, date(2026, 12, 8), False),  # holiday
    ],
)
def test_is_working_day(cal, day, expected):
    assert cal.is_working_day(day) is expected


@pytest.mark.parametrize(
    "moment, expected",
    [
        (sh(2026, 12, 7, 8, 59), False),
        (sh(2026, 12, 7, 9, 0), True),  # opening is inside
        (sh(2026, 12, 7, 18, 29), True),
        (sh(2026, 12, 7, 18, 30), False),  # closing is outside (half-open)
        (sh(2026, 12, 6, 12, 0), False),  # Sunday noon
        (datetime(2026, 12, 7, 1, 0, tzinfo=timezone.utc), True),  # 09:00 in Shanghai
        (datetime(2026, 12, 7, 0, 59, tzinfo=timezone.utc), False),  # 08:59 in Shanghai
    ],
)
def test_is_working_time(moment, expected):
    assert CAL.is_working_time(moment) is expected


@pytest.mark.parametrize(
    "cal, moment, expected",
    [
        (CAL, sh(2026, 12, 7, 10, 15), sh(2026, 12, 7, 10, 15)),  # already inside
        (CAL, sh(2026, 12, 7, 3, 0), sh(2026, 12, 7, 9, 0)),  # 3 a.m. waits for opening
        (CAL, sh(2026, 12, 7, 18, 30), sh(2026, 12, 8, 9, 0)),  # at closing -> next morning
        (CAL, sh(2026, 12, 5, 20, 0), sh(2026, 12, 7, 9, 0)),  # Saturday night skips Sunday
        (HOL, sh(2026, 12, 7, 19, 0), sh(2026, 12, 9, 9, 0)),  # skips the holiday
    ],
)
def test_next_working_time(cal, moment, expected):
    got = cal.next_working_time(moment)
    assert got == expected
    assert got.tzinfo is not None and got.utcoffset() == timedelta(hours=8)


@pytest.mark.parametrize(
    "cal, start, hours, expected",
    [
        (CAL, sh(2026, 12, 7, 9, 0), 4, sh(2026, 12, 7, 13, 0)),
        (CAL, sh(2026, 12, 7, 17, 0), 1.5, sh(2026, 12, 7, 18, 30)),  # exactly to closing
        (CAL, sh(2026, 12, 7, 17, 0), 2, sh(2026, 12, 8, 9, 30)),
        (CAL, sh(2026, 12, 5, 17, 0), 3, sh(2026, 12, 7, 10, 30)),  # over Sunday
        (CAL, sh(2026, 12, 6, 23, 0), 1, sh(2026, 12, 7, 10, 0)),  # starts off-hours
        (HOL, sh(2026, 12, 7, 17, 0), 2, sh(2026, 12, 9, 9, 30)),  # over a holiday
        (CAL, sh(2026, 12, 7, 9, 0), 9.5 * 3, sh(2026, 12, 9, 18, 30)),  # three working days
        (CAL, sh(2026, 12, 7, 10, 0), -2, sh(2026, 12, 5, 17, 30)),  # backwards over Sunday
        (CAL, sh(2026, 12, 7, 3, 0), -1, sh(2026, 12, 5, 17, 30)),
        (CAL, sh(2026, 12, 7, 10, 0), 0, sh(2026, 12, 7, 10, 0)),
        (CAL, sh(2026, 12, 6, 10, 0), 0, sh(2026, 12, 7, 9, 0)),
    ],
)
def test_add_working_hours(cal, start, hours, expected):
    assert cal.add_working_hours(start, hours) == expected


@pytest.mark.parametrize(
    "cal, a, b, expected",
    [
        (CAL, sh(2026, 12, 7, 9, 0), sh(2026, 12, 7, 18, 30), 9.5),
        (CAL, sh(2026, 12, 5, 18, 0), sh(2026, 12, 7, 9, 30), 1.0),  # Sunday counts nothing
        (CAL, sh(2026, 12, 7, 20, 0), sh(2026, 12, 8, 8, 0), 0.0),  # overnight
        (HOL, sh(2026, 12, 7, 9, 0), sh(2026, 12, 9, 9, 0), 9.5),  # holiday counts nothing
        (CAL, sh(2026, 12, 7, 18, 30), sh(2026, 12, 7, 9, 0), -9.5),  # reversed
    ],
)
def test_working_hours_between(cal, a, b, expected):
    assert cal.working_hours_between(a, b) == pytest.approx(expected)


@pytest.mark.parametrize(
    "cal, day, n, expected",
    [
        (CAL, date(2026, 12, 7), 5, date(2026, 12, 12)),  # Mon + 5 = Sat
        (CAL, date(2026, 12, 7), 6, date(2026, 12, 14)),  # skips Sunday
        (CAL, date(2026, 12, 6), 1, date(2026, 12, 7)),  # from a Sunday
        (CAL, date(2026, 12, 6), 0, date(2026, 12, 6)),  # zero leaves the date alone
        (HOL, date(2026, 12, 7), 1, date(2026, 12, 9)),
        (CAL, date(2026, 12, 7), -1, date(2026, 12, 5)),
    ],
)
def test_add_working_days(cal, day, n, expected):
    assert cal.add_working_days(day, n) == expected


@pytest.mark.parametrize(
    "day, expected",
    [(date(2026, 12, 4), date(2026, 12, 5)), (date(2026, 12, 5), date(2026, 12, 7)), (date(2026, 12, 31), date(2027, 1, 1))],
)
def test_next_working_day_is_strictly_after(day, expected):
    assert CAL.next_working_day(day) == expected


def test_local_keeps_the_instant_and_uses_business_zone():
    utc = datetime(2026, 12, 7, 10, 0, tzinfo=timezone.utc)
    got = CAL.local(utc)
    assert got == utc and (got.hour, got.utcoffset()) == (18, timedelta(hours=8))


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        CAL.is_working_time(datetime(2026, 12, 7, 10, 0))


@pytest.mark.parametrize(
    "working",
    [WorkingTime(day_start=time(18), day_end=time(9)), WorkingTime(work_days=())],
)
def test_impossible_calendars_are_refused(working):
    with pytest.raises(ValueError):
        WorkingCalendar(working, "Asia/Shanghai")


def test_working_hours_survive_a_dst_jump():
    # Europe/Berlin springs forward 2027-03-28 02:00 -> 03:00 (a Sunday); an early shift
    # that spans the jump on a working Sunday is one hour shorter in real time.
    cal = WorkingCalendar(WorkingTime(work_days=tuple(range(7)), day_start=time(1), day_end=time(5)), "Europe/Berlin")
    z = ZoneInfo("Europe/Berlin")
    start = datetime(2027, 3, 28, 1, 0, tzinfo=z)
    assert cal.working_hours_between(start, datetime(2027, 3, 28, 5, 0, tzinfo=z)) == pytest.approx(3.0)
    assert cal.add_working_hours(start, 3) == datetime(2027, 3, 28, 5, 0, tzinfo=z)


# -- properties -------------------------------------------------------------

moments = st.datetimes(min_value=datetime(2026, 11, 1), max_value=datetime(2027, 2, 28)).map(
    lambda d: d.replace(tzinfo=SH)
)
budgets = st.floats(min_value=0, max_value=200, allow_nan=False).map(lambda h: round(h, 4))


@settings(max_examples=300, deadline=None)
@given(moments)
def test_next_working_time_is_always_working_time_and_never_earlier(moment):
    got = HOL.next_working_time(moment)
    assert HOL.is_working_time(got)
    assert got >= moment
    # nothing in between was working time (it is the *first* one)
    assert HOL.working_hours_between(moment, got) == 0


@settings(max_examples=300, deadline=None)
@given(moments, budgets)
def test_add_then_measure_round_trips(moment, hours):
    later = HOL.add_working_hours(moment, hours)
    assert HOL.working_hours_between(moment, later) == pytest.approx(hours, abs=1e-6)


@settings(max_examples=300, deadline=None)
@given(moments, budgets)
def test_going_back_undoes_going_forward(moment, hours):
    later = HOL.add_working_hours(moment, hours)
    back = HOL.add_working_hours(later, -hours)
    # same working-time position: no working time between where we started and where we came back
    assert HOL.working_hours_between(back, moment) == pytest.approx(0, abs=1e-6)
