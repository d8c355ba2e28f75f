"""R10 成品仓提货: printed goods leave the finished-goods warehouse within N days.

Each late day has its own fine, doubling from ``first_fine_yuan`` (10, 20, 40 …)
and capped at ``max_fine_yuan``. A manager waives the fine when the backlog was
simply too large to deliver (R16 handles the waiver).
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.policy.calendar import WorkingCalendar
from domain.policy.settings import PickupRules


def pickup_deadline(printed_on: date, rules: PickupRules, calendar: WorkingCalendar) -> date:
    """提货期限: the last day the goods may still leave (inclusive).

    "Within 3 days" is counted in calendar days, as the rule book writes it;
    only when that last day is not a working day does it move to the next
    working day, because nobody can load a truck at a closed warehouse.
    """
    deadline = printed_on + timedelta(days=rules.days)
    if not calendar.is_working_day(deadline):
        deadline = calendar.next_working_day(deadline)
    return deadline


def late_days(deadline: date, today: date) -> int:
    """Calendar days past the deadline (0 while still in time); day 1 is the day after."""
    return max(0, (today - deadline).days)


def pickup_fine(late_day_number: int, rules: PickupRules) -> int:
    """The fine for the ``late_day_number``-th late day (0 for day 0 or earlier)."""
    if late_day_number < 1:
        return 0
    # Stop doubling once past the cap so day 400 does not build a 120-digit number.
    fine = rules.first_fine_yuan
    for _ in range(late_day_number - 1):
        if fine >= rules.max_fine_yuan:
            break
        fine *= 2
    return min(fine, rules.max_fine_yuan)
