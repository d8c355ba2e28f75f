"""When reminders, notices and digests fall due, and when they may be delivered (R9, R10, R12, R15, R18).

Like ``placement``, every function answers from stored facts and ``now`` only,
with a ``slot`` string that names the occurrence: the sweep may ask every
minute, the outbox's unique key makes each occurrence go out once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from domain.policy.calendar import WorkingCalendar
from domain.policy.pickup import late_days, pickup_fine
from domain.policy.settings import DigestRules, PickupRules


@dataclass(frozen=True, slots=True)
class Due:
    rule: str
    kind: str
    due_at: datetime
    slot: str
    amount: int = 0  # a fine's amount, where the duty is a fine


def deliver_at(due_at: datetime, calendar: WorkingCalendar, *, urgent: bool = False) -> datetime:
    """R18: the first moment a notification due at ``due_at`` may reach a phone.

    Inside working hours — the closing minute included, all of it (the sheet due
    at 18:30 is queued and sent a few seconds into that minute), so the 18:30
    tracking sheet still goes out "before the end of work" — it is ``due_at``
    itself; otherwise the next working time. ``urgent`` (config) skips the wait.
    """
    if urgent:
        return due_at
    local = calendar.local(due_at)
    minute = local.time().replace(second=0, microsecond=0)
    if calendar.is_working_day(local.date()) and calendar.working.day_start <= local.time() and minute <= calendar.working.day_end:
        return due_at
    return calendar.next_working_time(due_at)


def daily_slot(calendar: WorkingCalendar, now: datetime, at: time) -> tuple[date, datetime] | None:
    """Today's occurrence of a daily working-day event, once it is due; None before it or on a day off."""
    today = calendar.local(now).date()
    if not calendar.is_working_day(today):
        return None
    moment = calendar.at(today, at)
    return (today, moment) if moment <= now else None


def weekly_slot(calendar: WorkingCalendar, now: datetime, rules: DigestRules) -> tuple[date, datetime] | None:
    """This week's summary (Monday 09:00 by default), once due; it waits for the day if that is a holiday."""
    today = calendar.local(now).date()
    week_day = today - timedelta(days=(today.weekday() - rules.weekly_day) % 7)
    day = week_day if calendar.is_working_day(week_day) else calendar.next_working_day(week_day)
    if day > today:
        return None
    moment = calendar.at(day, rules.weekly_at)
    return (week_day, moment) if moment <= now else None


def last_call_due(order_date: date, calendar: WorkingCalendar, now: datetime, at: time) -> Due | None:
    """R2 (17:45): an order still not handed in on its order date gets a last call before the window closes."""
    today = calendar.local(now).date()
    if order_date != today or not calendar.is_working_day(today):
        return None
    moment = calendar.at(today, at)
    return Due("R2", "last_call", moment, f"R2:last_call:{today.isoformat()}") if moment <= now else None


def pickup_duties(deadline: date, now: datetime, rules: PickupRules, calendar: WorkingCalendar,
                  *, printed_on: date | None = None, max_days: int = 60) -> tuple[Due, ...]:
    """R10: a reminder on the last working day before the deadline, then one doubling fine per late day.

    The reminder is due when that day's work starts (a Sunday off: Saturday for a Monday
    deadline) and is not given once the deadline has passed — the fines speak then. When that
    day is the day of printing or earlier (printed just before a holiday), the print notice
    named the deadline, so the reminder waits for the morning of the deadline itself.
    Each late day's fine falls due when that day's work starts; a warehouse
    closed for a holiday still counts the day, as the rule book counts days.
    """
    today = calendar.local(now).date()
    duties: list[Due] = []
    remind_on = calendar.previous_working_day(deadline)
    if printed_on is not None and remind_on <= printed_on:
        remind_on = deadline
    remind_at = calendar.at(remind_on, calendar.working.day_start)
    if remind_at <= now and today <= deadline:
        duties.append(Due("R10", "pickup_reminder", remind_at, f"R10:reminder:{deadline.isoformat()}"))
    for n in range(1, min(late_days(deadline, today), max_days) + 1):
        day = deadline + timedelta(days=n)
        at = calendar.at(day, calendar.working.day_start)
        if at <= now:
            duties.append(Due("R10", "pickup_fine", at, f"R10:late:{n}", amount=pickup_fine(n, rules)))
    return tuple(duties)
