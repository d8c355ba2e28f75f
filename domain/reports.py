"""Managers' reports, the pure part: KPI periods and the counts behind R17's rates.

``parse_period`` reads what people type after ``/kpi`` or ``/export`` — 本周, 上周,
本月, 上月, 2026-12, or two dates — against a ``today`` that the caller passes in
(no clock here). ``KpiCounts`` holds the numbers a period produced for one clerk,
one store or the whole company; its rates come from ``domain.kpi``, so pooled
figures add counts instead of averaging percentages.

What is counted (R17, seed 001 七、考核指标), per period of local dates:

* order completion = completed ÷ due: numbered, not cancelled orders whose
  delivery date falls in the period; completed = delivered (or closed) by now;
* on-time processing = steps done within their rule's time ÷ all steps: the
  order steps with a deadline — placing by the order date (R4/R6), pick-up by the
  pickup deadline (R10), delivery by the delivery date — and the after-sales
  first response and resolution by their R14 due times; a step belongs to the
  period of its deadline and counts once it is done or its deadline has passed;
* problem resolution = resolved ÷ raised: after-sales cases opened in the period
  (not those refused as no after-sales matter); resolved = resolved or closed now;
* customer satisfaction = satisfied ÷ surveyed: of those cases, the ones with a
  score; satisfied = score at or above the satisfied threshold.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from datetime import date, timedelta

from domain.kpi import Rate, customer_satisfaction, on_time_processing_rate, order_completion_rate, \
    problem_resolution_rate

KPI_NAMES = ("completion", "on_time", "resolution", "satisfaction")


@dataclass(frozen=True, slots=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")
_MONTH = re.compile(r"^(\d{4})[-/.年](\d{1,2})月?$")


def _read_date(text: str) -> date | None:
    match = _DATE.match(text.strip())
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None


def week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def month_period(year: int, month: int) -> Period:
    first = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1))


def parse_period(words: list[str], today: date, *, default: str = "本月") -> tuple[Period | None, list[str]]:
    """The period named at the start of ``words`` and the words left over (a store or clerk).

    Returns ``(None, words)`` when the words name a period that cannot be (2026-13,
    a range that ends before it starts). A period reaching past today ends today.
    """
    words = list(words)
    head = words[0] if words else default
    rest = words[1:] if words else []
    period: Period | None
    key = head.lower()
    if key in ("本周", "这周", "本週", "這週", "week", "thisweek"):
        period = Period(week_start(today), today)
    elif key in ("上周", "上週", "lastweek"):
        start = week_start(today) - timedelta(days=7)
        period = Period(start, start + timedelta(days=6))
    elif key in ("本月", "这个月", "這個月", "month", "thismonth"):
        period = Period(today.replace(day=1), today)
    elif key in ("上月", "上个月", "上個月", "lastmonth"):
        last = today.replace(day=1) - timedelta(days=1)
        period = month_period(last.year, last.month)
    elif key in ("今年", "year", "thisyear"):
        period = Period(date(today.year, 1, 1), today)
    elif (start := _read_date(head)) is not None:
        end = _read_date(rest[0]) if rest else None
        if end is not None:
            rest = rest[1:]
        else:
            end = start
        period = Period(start, end) if end >= start else None
    elif (match := _MONTH.match(head)) is not None:
        year, month = int(match[1]), int(match[2])
        period = month_period(year, month) if 1 <= month <= 12 else None
    else:
        # No period word: the default period, and every word is left for the scope.
        period, _ = parse_period([default], today)
        return period, words
    if period is not None and period.end > today >= period.start:
        period = Period(period.start, today)
    return period, rest


def last_weeks(today: date, count: int = 8) -> list[Period]:
    """The ``count`` whole weeks (Monday–Sunday) before the week of ``today``, oldest first."""
    this_week = week_start(today)
    return [Period(this_week - timedelta(days=7 * n), this_week - timedelta(days=7 * n - 6))
            for n in range(count, 0, -1)]


@dataclass(frozen=True, slots=True)
class KpiCounts:
    """The period's numbers behind the four rates, for one clerk, one store or everyone."""

    due: int = 0
    completed: int = 0
    steps: int = 0
    steps_on_time: int = 0
    raised: int = 0
    resolved: int = 0
    surveyed: int = 0
    satisfied: int = 0

    def __add__(self, other: KpiCounts) -> KpiCounts:
        return KpiCounts(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def empty(self) -> bool:
        return not any(getattr(self, f.name) for f in fields(self))

    def rates(self) -> dict[str, Rate]:
        return {
            "completion": order_completion_rate(self.completed, self.due),
            "on_time": on_time_processing_rate(self.steps_on_time, self.steps),
            "resolution": problem_resolution_rate(self.resolved, self.raised),
            "satisfaction": customer_satisfaction(self.satisfied, self.surveyed),
        }


def total(counts: list[KpiCounts] | tuple[KpiCounts, ...]) -> KpiCounts:
    result = KpiCounts()
    for item in counts:
        result = result + item
    return result


def percent_text(value: Rate) -> str:
    """``80.0%``, or ``—`` when nothing was due (no data is not 0 % and not 100 %)."""
    return "—" if value.percent is None else f"{value.percent:.1f}%"
