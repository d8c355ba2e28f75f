"""R12 每月售后退货日: one day between the 15th and 20th, set by the clerk.

Sales are told in advance (3 and 1 days before by default) and order intake is
paused on that day.
"""

from __future__ import annotations

from datetime import date, timedelta

from domain.errors import DomainError
from domain.policy.calendar import WorkingCalendar
from domain.policy.settings import AfterSalesRules


def validate_return_day(day: date, rules: AfterSalesRules, calendar: WorkingCalendar, *, today: date) -> date:
    """Return ``day`` if the clerk may set it as this month's return day (退货日).

    Raises ``return_day.in_past`` (before ``today``; today itself is allowed,
    though then the advance notices can no longer go out),
    ``return_day.out_of_range`` (not the 15th–20th) or
    ``return_day.not_working_day`` (nobody would be there to take goods back).
    """
    if day < today:
        raise DomainError("return_day.in_past", day=day, today=today)
    if not rules.return_day_first <= day.day <= rules.return_day_last:
        raise DomainError(
            "return_day.out_of_range", day=day, first=rules.return_day_first, last=rules.return_day_last
        )
    if not calendar.is_working_day(day):
        raise DomainError("return_day.not_working_day", day=day)
    return day


def return_day_notices(day: date, rules: AfterSalesRules) -> tuple[date, ...]:
    """提前通知: the dates on which sales are told, earliest first.

    Calendar days before the return day: a notice date falling on a Sunday is
    still sent on the next sweep in working time; the date is the slot key.
    """
    return tuple(sorted({day - timedelta(days=n) for n in rules.return_day_notice_days if n > 0}))


def intake_paused(local_date: date, return_day: date | None) -> bool:
    """暂停接单: intake is paused on the return day itself."""
    return return_day is not None and local_date == return_day


def held_until(local_date: date, return_day: date | None, calendar: WorkingCalendar) -> date | None:
    """The working day an order handed in on ``local_date`` is held until (R12), None while intake is open."""
    return calendar.next_working_day(local_date) if intake_paused(local_date, return_day) else None
