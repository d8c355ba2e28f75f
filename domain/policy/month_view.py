"""One month of the working calendar as runs of alike days, for ``/calendar``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.policy.calendar import DayKind, WorkingCalendar

# Ordinary working and rest days follow the weekly pattern and are summed, not listed.
_LISTED = frozenset({DayKind.PUBLIC_HOLIDAY, DayKind.MAKE_UP, DayKind.COMPANY_DAY_OFF, DayKind.COMPANY_WORKING})


@dataclass(frozen=True, slots=True)
class DayRun:
    """Consecutive days of one kind and one name (e.g. 春节 2月6日至2月13日)."""

    kind: DayKind
    first: date
    last: date
    name: str  # holiday name or the company's reason; "" when the source gives none


def month_days(year: int, month: int) -> list[date]:
    day = date(year, month, 1)
    days = []
    while day.month == month:
        days.append(day)
        day += timedelta(days=1)
    return days


def working_days_in_month(calendar: WorkingCalendar, year: int, month: int) -> int:
    return sum(calendar.is_working_day(day) for day in month_days(year, month))


def special_runs(calendar: WorkingCalendar, year: int, month: int, language: str) -> list[DayRun]:
    """Holidays, make-up days and company days of the month, alike neighbours merged."""
    runs: list[DayRun] = []
    for day in month_days(year, month):
        kind = calendar.day_kind(day)
        if kind not in _LISTED:
            continue
        if kind is DayKind.COMPANY_DAY_OFF:
            name = calendar.company_days_off.get(day, "")
        else:
            name = calendar.holiday_name(day, language) or ""
        last = runs[-1] if runs else None
        if last and last.kind is kind and last.name == name and last.last + timedelta(days=1) == day:
            runs[-1] = DayRun(kind, last.first, day, name)
        else:
            runs.append(DayRun(kind, day, day, name))
    return runs
