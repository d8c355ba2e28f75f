"""When reminders fall due and when they may be delivered (R2, R10, R12, R15, R18)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from domain.policy.calendar import calendar_for
from domain.policy.reminders import daily_slot, deliver_at, last_call_due, pickup_duties, weekly_slot
from domain.policy.settings import DigestRules, PickupRules, PolicySettings
from tests.conftest import local

CAL = calendar_for(PolicySettings())


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (local(2026, 12, 3, 10, 0), local(2026, 12, 3, 10, 0)),  # Thursday, working time
        (local(2026, 12, 3, 18, 30), local(2026, 12, 3, 18, 30)),  # the closing minute still counts
        (local(2026, 12, 3, 3, 0), local(2026, 12, 3, 9, 0)),  # no pings at 3 a.m.
        (local(2026, 12, 3, 20, 0), local(2026, 12, 4, 9, 0)),  # evening → next morning
        (local(2026, 12, 6, 10, 0), local(2026, 12, 7, 9, 0)),  # Sunday → Monday
    ],
)
def test_deliveries_wait_for_working_time(due: datetime, expected: datetime) -> None:
    assert deliver_at(due, CAL) == expected


def test_urgent_deliveries_do_not_wait() -> None:
    assert deliver_at(local(2026, 12, 6, 3, 0), CAL, urgent=True) == local(2026, 12, 6, 3, 0)


@pytest.mark.parametrize(
    ("now", "expected"),
    [
        (local(2026, 12, 3, 18, 29), None),
        (local(2026, 12, 3, 18, 30), date(2026, 12, 3)),
        (local(2026, 12, 3, 23, 0), date(2026, 12, 3)),  # a late sweep still catches today's slot
        (local(2026, 12, 6, 19, 0), None),  # Sunday: no tracking sheet
    ],
)
def test_daily_slot(now: datetime, expected: date | None) -> None:
    slot = daily_slot(CAL, now, time(18, 30))
    assert (slot[0] if slot else None) == expected


def test_weekly_slot_is_monday_nine_and_holds_all_week() -> None:
    rules = DigestRules()
    assert weekly_slot(CAL, local(2026, 12, 7, 8, 59), rules) is None
    assert weekly_slot(CAL, local(2026, 12, 7, 9, 0), rules)[0] == date(2026, 12, 7)
    assert weekly_slot(CAL, local(2026, 12, 10, 9, 0), rules)[0] == date(2026, 12, 7)


def test_last_call_only_on_the_order_date_after_1745() -> None:
    at = time(17, 45)
    assert last_call_due(date(2026, 12, 3), CAL, local(2026, 12, 3, 17, 44), at) is None
    due = last_call_due(date(2026, 12, 3), CAL, local(2026, 12, 3, 17, 45), at)
    assert due is not None and due.slot == "R2:last_call:2026-12-03"
    assert last_call_due(date(2026, 12, 4), CAL, local(2026, 12, 3, 17, 50), at) is None


def test_pickup_reminder_then_doubling_fines() -> None:
    deadline = date(2026, 12, 8)  # Tuesday
    assert pickup_duties(deadline, local(2026, 12, 6, 12, 0), PickupRules(), CAL) == ()
    [reminder] = pickup_duties(deadline, local(2026, 12, 7, 9, 0), PickupRules(), CAL)
    assert reminder.kind == "pickup_reminder" and reminder.due_at == local(2026, 12, 7, 9, 0)
    # A sweep on the deadline day that missed the day before still reminds; after it, only fines.
    assert [d.kind for d in pickup_duties(deadline, local(2026, 12, 8, 10, 0), PickupRules(), CAL)] == [
        "pickup_reminder"]
    duties = pickup_duties(deadline, local(2026, 12, 11, 10, 0), PickupRules(), CAL)
    assert [(d.kind, d.amount) for d in duties] == [("pickup_fine", 10), ("pickup_fine", 20), ("pickup_fine", 40)]
    assert len({d.slot for d in duties}) == 3


def test_a_pickup_deadline_after_a_day_off_is_reminded_on_the_working_day_before() -> None:
    deadline = date(2026, 12, 7)  # Monday; Sunday is a day off
    [reminder] = pickup_duties(deadline, local(2026, 12, 5, 9, 0), PickupRules(), CAL)
    assert reminder.due_at == local(2026, 12, 5, 9, 0)  # Saturday, not Sunday (delivered on Monday)
    # Printed on that Saturday (the deadline moved off Tuesday's holiday, say): the day itself.
    [reminder] = pickup_duties(deadline, local(2026, 12, 7, 9, 0), PickupRules(), CAL, printed_on=date(2026, 12, 5))
    assert reminder.due_at == local(2026, 12, 7, 9, 0)
    assert pickup_duties(deadline, local(2026, 12, 5, 12, 0), PickupRules(), CAL, printed_on=date(2026, 12, 5)) == ()
