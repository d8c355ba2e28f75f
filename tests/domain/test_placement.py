"""R6/R7 placement reminders and fines around the order date."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from domain.policy.calendar import WorkingCalendar
from domain.policy.placement import placement_day, placement_duties, placement_schedule
from domain.policy.settings import PlacementRules, WorkingTime

SH = ZoneInfo("Asia/Shanghai")
CAL = WorkingCalendar(WorkingTime(), "Asia/Shanghai")
RULES = PlacementRules()
DAY = date(2026, 12, 10)  # Thursday


def sh(d, h, mi=0):
    return datetime(2026, 12, d, h, mi, tzinfo=SH)


def kinds(duties):
    return [(d.rule, d.kind, d.due_at) for d in duties]


def due(now, *, told=None, placed=None, submitted=None, order_date=DAY):
    return placement_duties(
        order_date=order_date, sales_told_at=told, placed_at=placed, now=now,
        rules=RULES, calendar=CAL, submitted_at=submitted,
    )


@pytest.mark.parametrize(
    "now, told, placed, expected",
    [
        (sh(9, 20), None, None, []),  # the day before: nothing yet
        (sh(10, 8, 59), None, None, []),
        (sh(10, 9), None, None, [("R6", "remind_sales", sh(10, 9))]),
        (sh(10, 17), None, None, [("R6", "remind_sales", sh(10, 9)), ("R6", "remind_clerk", sh(10, 17))]),
        (
            sh(10, 18, 30), None, None,
            [("R6", "remind_sales", sh(10, 9)), ("R6", "remind_clerk", sh(10, 17)), ("R6", "fine_both", sh(10, 18, 30))],
        ),
        # sales told the clerk the day before: no sales reminder; the clerk is reminded to place (R7)
        (sh(10, 18, 30), sh(9, 17, 30), None, [("R7", "remind_clerk", sh(10, 17)), ("R7", "fine_clerk", sh(10, 18, 30))]),
        # sales told at 11:00: reminded at 9, clerk's reminder is R7, fine is the clerk's alone
        (
            sh(10, 18, 30), sh(10, 11), None,
            [("R6", "remind_sales", sh(10, 9)), ("R7", "remind_clerk", sh(10, 17)), ("R7", "fine_clerk", sh(10, 18, 30))],
        ),
        (sh(10, 18, 30), sh(10, 8), sh(10, 10), []),  # placed in the morning: nothing
        (sh(10, 18, 30), None, sh(10, 8), []),  # placed before anyone asked
        # placed at 17:30, after the clerk reminder: that reminder stays due, the fine does not
        (sh(10, 18, 30), sh(10, 8), sh(10, 17, 30), [("R7", "remind_clerk", sh(10, 17))]),
        # placed too late: the fine was incurred and the sweep still sees it
        (sh(11, 10), None, sh(10, 19), [("R6", "remind_sales", sh(10, 9)), ("R6", "remind_clerk", sh(10, 17)), ("R6", "fine_both", sh(10, 18, 30))]),
    ],
)
def test_placement_duties(now, told, placed, expected):
    assert kinds(due(now, told=told, placed=placed)) == expected


def test_slots_are_stable_and_distinct():
    first = due(sh(10, 18, 30))
    again = due(sh(12, 12))
    assert [d.slot for d in first] == [d.slot for d in again]
    assert [d.slot for d in first] == ["R6:remind_sales:2026-12-10", "R6:remind_clerk:2026-12-10", "R6:fine_both:2026-12-10"]


def test_order_date_on_sunday_moves_to_saturday():
    got = due(sh(5, 18, 30), order_date=date(2026, 12, 6))
    assert [d.due_at for d in got] == [sh(5, 9), sh(5, 17), sh(5, 18, 30)]


@pytest.mark.parametrize(
    "order_date, submitted, expected",
    [
        (DAY, None, DAY),
        (DAY, sh(3, 17, 30), DAY),  # submitted in good time
        (DAY, sh(10, 17, 30), DAY),  # on the day itself
        (DAY, sh(12, 17, 30), date(2026, 12, 12)),  # short lead time: due the day it arrived
        (DAY, sh(12, 19, 0), date(2026, 12, 14)),  # after closing on Saturday: Monday
        (date(2026, 12, 6), None, date(2026, 12, 5)),  # Sunday -> Saturday
    ],
)
def test_placement_day(order_date, submitted, expected):
    assert placement_day(order_date, CAL, submitted) == expected


def test_late_submission_skips_reminders_for_before_it_existed():
    got = due(sh(12, 18, 30), submitted=sh(12, 17, 30))
    assert kinds(got) == [("R6", "fine_both", sh(12, 18, 30))]


def test_times_follow_settings():
    rules = PlacementRules(sales_reminder_at=datetime(2000, 1, 1, 10).time(), clerk_reminder_at=datetime(2000, 1, 1, 16).time())
    got = placement_schedule(order_date=DAY, sales_told_at=None, placed_at=None, rules=rules, calendar=CAL)
    assert [d.due_at for d in got] == [sh(10, 10), sh(10, 16), sh(10, 18, 30)]


def test_duties_fall_in_working_time_or_at_closing():
    for d in placement_schedule(order_date=DAY, sales_told_at=None, placed_at=None, rules=RULES, calendar=CAL):
        assert CAL.is_working_time(d.due_at) or d.due_at == CAL.day_end_at(DAY)
