"""Managers' reports, the pure part: KPI periods and the counts behind R17's rates.

``read_period`` reads what people type after ``/kpi`` or ``/export`` — 本周, 上周,
本月, 上月, 今年, 去年, 2026-12, or two dates — against the business's ``today`` that
the caller passes in (no clock here). ``KpiCounts`` holds the numbers a period produced for one clerk,
one store or the whole company; its rates come from ``domain.kpi``, so pooled
figures add counts instead of averaging percentages.

What is counted (R17 考核指标), per period of local dates:

* order completion = completed ÷ due: numbered, not cancelled orders whose
  delivery date falls in the period and has come; completed = delivered by now;
* on-time processing = steps done within their rule's time ÷ all steps: the
  order steps with a deadline — placing by the order date (R4/R6), pick-up by the
  pickup deadline (R10), delivery by the delivery date — and the after-sales
  first response and resolution by their R14 due times; a step belongs to the
  period of its deadline and counts once it is done or its deadline has passed;
* problem resolution = resolved ÷ raised: after-sales cases opened in the period
  (not those refused as no after-sales matter); resolved = resolved or closed now;
* customer satisfaction = satisfied ÷ surveyed answers: every score the customers
  of those cases gave counts once — the low score that re-opened a case as well as
  the later one that closed it; satisfied = score at or above the satisfied threshold.

Order completion counts an order as due once its delivery date has come (or it was
delivered), so a period reaching past today does not count tomorrow as missed.
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
_DATE_LIKE = re.compile(r"^\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?$")


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


# Words that try to name a period (so an unknown one is answered as a period, not as a store).
_PERIODISH = re.compile(r"\d{4}|[年月周週季]|星期|礼拜|禮拜|week|month|year|quarter", re.I)


# English periods are written as two words too: "last month" reads as lastmonth.
_TWO_WORDS = frozenset(f"{which}{unit}" for which in ("this", "last", "next") for unit in ("week", "month", "year"))


@dataclass(frozen=True, slots=True)
class PeriodReading:
    """What the words after /kpi said: a period and the words left for the scope, or a problem.

    ``problem`` is ``unknown`` (a period word nobody defined: 上季度), ``future`` (明年,
    next month: nothing to count yet), ``backwards`` (TO before FROM) or ``invalid``
    (2026-13, 2026-02-30); ``words`` are the words that named the period.
    """

    period: Period | None
    rest: list[str]
    problem: str | None = None
    words: str = ""


def read_period(words: list[str], today: date, *, default: str = "本月") -> PeriodReading:
    """Read the period named at the start of ``words`` against the business's ``today``.

    本周, 本月 and 今年 run up to today (so far); 上周, 上月, 去年 are whole; YYYY-MM and
    ``FROM TO`` are taken exactly as typed, TO included. Without a period word the
    default period applies and every word is left for the scope.
    """
    words = list(words)
    typed = None
    if len(words) >= 2 and (words[0] + words[1]).lower() in _TWO_WORDS:
        typed = f"{words[0]} {words[1]}"  # "last month", as English is written
        words = [words[0] + words[1], *words[2:]]
    head = words[0] if words else default
    rest = words[1:] if words else []
    key = head.lower()
    period: Period | None
    if key in ("本周", "这周", "本週", "這週", "week", "thisweek"):
        period = Period(week_start(today), today)
    elif key in ("上周", "上週", "lastweek"):
        start = week_start(today) - timedelta(days=7)
        period = Period(start, start + timedelta(days=6))
    elif key in ("下周", "下週", "nextweek"):
        start = week_start(today) + timedelta(days=7)
        period = Period(start, start + timedelta(days=6))
    elif key in ("本月", "这个月", "這個月", "month", "thismonth"):
        period = Period(today.replace(day=1), today)
    elif key in ("上月", "上个月", "上個月", "lastmonth"):
        last = today.replace(day=1) - timedelta(days=1)
        period = month_period(last.year, last.month)
    elif key in ("下月", "下个月", "下個月", "nextmonth"):
        following = month_period(today.year, today.month).end + timedelta(days=1)
        period = month_period(following.year, following.month)
    elif key in ("今年", "year", "thisyear"):
        period = Period(date(today.year, 1, 1), today)
    elif key in ("去年", "lastyear"):
        period = Period(date(today.year - 1, 1, 1), date(today.year - 1, 12, 31))
    elif key in ("明年", "nextyear"):
        period = Period(date(today.year + 1, 1, 1), date(today.year + 1, 12, 31))
    elif (first := _read_date(head)) is not None:
        end = _read_date(rest[0]) if rest else None
        if end is not None:
            head, rest = f"{head} {rest[0]}", rest[1:]
        else:
            end = first
        if end < first:
            return PeriodReading(Period(first, end), rest, "backwards", head)
        period = Period(first, end)
    elif (match := _MONTH.match(head)) is not None:
        year, month = int(match[1]), int(match[2])
        if not 1 <= month <= 12:
            return PeriodReading(None, rest, "invalid", head)
        period = month_period(year, month)
    elif _DATE_LIKE.match(head):
        return PeriodReading(None, rest, "invalid", head)
    elif _PERIODISH.search(head):
        return PeriodReading(None, rest, "unknown", head)
    else:
        return PeriodReading(read_period([default], today).period, words)
    if period.start > today:
        return PeriodReading(period, rest, "future", typed or head)
    return PeriodReading(period, rest, None, typed or head)


def parse_period(words: list[str], today: date, *, default: str = "本月") -> tuple[Period | None, list[str]]:
    """The period named at the start of ``words`` and the words left over (a store or clerk);
    ``(None, words)`` when it names no countable period (see ``read_period``)."""
    reading = read_period(words, today, default=default)
    if reading.problem is not None:
        return None, reading.rest
    return reading.period, reading.rest


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
