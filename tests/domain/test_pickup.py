"""R10 pickup deadline and doubling late fines."""

from datetime import date

import pytest
from hypothesis import given, strategies as st

from domain.policy.calendar import WorkingCalendar
from domain.policy.pickup import late_days, pickup_deadline, pickup_fine
from domain.policy.settings import PickupRules, WorkingTime

RULES = PickupRules()
CAL = WorkingCalendar(WorkingTime(holidays=(date(2026, 12, 14),)), "Asia/Shanghai")


@pytest.mark.parametrize(
    "printed_on, expected",
    [
        (date(2026, 12, 1), date(2026, 12, 4)),  # Tue -> Fri, calendar days
        (date(2026, 12, 2), date(2026, 12, 5)),  # -> Saturday, a working day
        (date(2026, 12, 3), date(2026, 12, 7)),  # -> Sunday moves to Monday
        (date(2026, 12, 11), date(2026, 12, 15)),  # -> Monday holiday moves to Tuesday
    ],
)
def test_pickup_deadline(printed_on, expected):
    assert pickup_deadline(printed_on, RULES, CAL) == expected


@pytest.mark.parametrize(
    "today, expected",
    [(date(2026, 12, 3), 0), (date(2026, 12, 4), 0), (date(2026, 12, 5), 1), (date(2026, 12, 8), 4)],
)
def test_late_days(today, expected):
    assert late_days(date(2026, 12, 4), today) == expected


@pytest.mark.parametrize(
    "day, expected",
    [(0, 0), (-3, 0), (1, 10), (2, 20), (3, 40), (4, 80), (10, 5120), (11, 10_000), (400, 10_000)],
)
def test_pickup_fine(day, expected):
    assert pickup_fine(day, RULES) == expected


def test_pickup_fine_follows_settings():
    rules = PickupRules(first_fine_yuan=5, max_fine_yuan=30)
    assert [pickup_fine(d, rules) for d in range(1, 6)] == [5, 10, 20, 30, 30]


@given(st.integers(1, 2000), st.integers(1, 100), st.integers(1, 10**6))
def test_fine_doubles_until_the_cap_and_never_exceeds_it(day, first, cap):
    rules = PickupRules(first_fine_yuan=first, max_fine_yuan=cap)
    today, tomorrow = pickup_fine(day, rules), pickup_fine(day + 1, rules)
    assert today <= cap and tomorrow <= cap
    assert tomorrow == min(2 * today, cap) or today == cap == tomorrow
