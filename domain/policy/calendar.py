"""R18 工作时间: the working calendar every reminder, SLA and deadline is counted in.

Working time is the half-open interval ``[day_start, day_end)`` in the business
timezone on each working day. Which days work is decided, strongest first, by the
company's own days off (config ``holidays`` and days added by chat), the company's
extra working days (config ``extra_working_days``), the public holidays of the
region and its make-up working days (调休), and last the weekly pattern
(``work_days``). The public days arrive as plain data (:class:`PublicHolidays`),
so this module never reads a holiday package itself. Every datetime
going in or out is timezone-aware; results come back in the business timezone.
Durations are measured on UTC instants, so the arithmetic stays right even in a
timezone with daylight saving (Asia/Shanghai has none, a branch abroad might).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from enum import StrEnum
from typing import Mapping
from zoneinfo import ZoneInfo

from domain.policy.settings import PolicySettings, WorkingTime

# A calendar with no working day in ten years is a configuration mistake; stop
# walking instead of looping forever.
_MAX_DAYS_SEARCHED = 3660

_HOUR = timedelta(hours=1)


# A holiday's name per language ("zh-CN", "zh-TW", "en"), as the source spells it.
HolidayName = Mapping[str, str]


class DayKind(StrEnum):
    """What a date is in the working calendar, for rules and for ``/calendar``."""

    WORKING = "working"  # 工作日
    REST = "rest"  # 休息日: not in the weekly pattern
    PUBLIC_HOLIDAY = "public_holiday"  # 法定节假日 (the whole announced break, weekends included)
    MAKE_UP = "make_up"  # 调休上班: a weekend day worked to make up for a holiday
    COMPANY_DAY_OFF = "company_day_off"  # 公司休息日: config or added by chat
    COMPANY_WORKING = "company_working"  # 公司加班日: config extra_working_days on a rest day or holiday

    @property
    def is_working(self) -> bool:
        return self in (DayKind.WORKING, DayKind.MAKE_UP, DayKind.COMPANY_WORKING)


@dataclass(frozen=True, slots=True)
class PublicHolidays:
    """法定节假日与调休: what a maintained source says about a region, as plain data.

    ``known_years`` are the years the source has published. For any other year
    the calendar falls back to the weekly pattern and says so
    (:meth:`WorkingCalendar.knows_year`), instead of pretending a holiday is a
    working day it knows nothing about.
    """

    region: str = ""  # "" = no public calendar chosen
    source: str = ""  # the package and version the days come from, to name in notices
    days_off: Mapping[date, HolidayName] = field(default_factory=dict)
    make_up_days: Mapping[date, HolidayName] = field(default_factory=dict)
    known_years: frozenset[int] = frozenset()

    def knows(self, year: int) -> bool:
        return not self.region or year in self.known_years


NO_PUBLIC_HOLIDAYS = PublicHolidays()


@dataclass(frozen=True, slots=True)
class WorkingCalendar:
    """工作日历: working days, working hours and holidays in one timezone.

    ``company_days_off`` are the days a manager added by chat (date → reason);
    config ``holidays`` count the same way without a reason.
    """

    working: WorkingTime
    tz: str
    public: PublicHolidays = NO_PUBLIC_HOLIDAYS
    company_days_off: Mapping[date, str] = field(default_factory=dict)
    _zone: ZoneInfo = field(init=False, repr=False, compare=False)
    _off: frozenset[date] = field(init=False, repr=False, compare=False)
    _on: frozenset[date] = field(init=False, repr=False, compare=False)
    _company_off: frozenset[date] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.working.day_start < self.working.day_end:
            raise ValueError("working day must start before it ends")
        if not set(self.working.work_days) & set(range(7)):
            raise ValueError("at least one weekday must be a working day")
        company_off = frozenset(self.working.holidays) | frozenset(self.company_days_off)
        company_on = frozenset(self.working.extra_working_days) - company_off
        object.__setattr__(self, "_zone", ZoneInfo(self.tz))
        object.__setattr__(self, "_company_off", company_off)
        object.__setattr__(self, "_off", company_off | (frozenset(self.public.days_off) - company_on))
        object.__setattr__(self, "_on", company_on | (frozenset(self.public.make_up_days) - company_off))

    # -- days -------------------------------------------------------------

    def is_working_day(self, day: date) -> bool:
        """工作日: not a day off (company's or public), and a make-up day or a listed weekday."""
        if day in self._off:
            return False
        return day in self._on or day.weekday() in self.working.work_days

    def day_kind(self, day: date) -> DayKind:
        """Why ``day`` works or not, strongest reason first."""
        weekly = day.weekday() in self.working.work_days
        if day in self._company_off:
            return DayKind.COMPANY_DAY_OFF
        if day in self.working.extra_working_days:
            return DayKind.WORKING if weekly and day not in self.public.days_off else DayKind.COMPANY_WORKING
        if day in self.public.days_off:
            return DayKind.PUBLIC_HOLIDAY
        if day in self.public.make_up_days:
            return DayKind.MAKE_UP
        return DayKind.WORKING if weekly else DayKind.REST

    def holiday_name(self, day: date, language: str) -> str | None:
        """The public holiday ``day`` belongs to (or makes up for), in ``language`` where the source has it."""
        names = self.public.days_off.get(day) or self.public.make_up_days.get(day)
        if not names:
            return None
        return names.get(language) or names.get("zh-CN") or next(iter(names.values()), None)

    def knows_year(self, year: int) -> bool:
        """Whether the public calendar has published ``year`` (always true without one)."""
        return self.public.knows(year)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        return self._step_day(day, +1)

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before ``day``."""
        return self._step_day(day, -1)

    def add_working_days(self, day: date, n: int) -> date:
        """The ``n``-th working day after ``day`` (before it when ``n`` < 0).

        ``n == 0`` returns ``day`` unchanged, working day or not, so callers can
        tell "no shift" from "the next working day".
        """
        step = 1 if n >= 0 else -1
        for _ in range(abs(n)):
            day = self._step_day(day, step)
        return day

    # -- instants ---------------------------------------------------------

    def local(self, moment: datetime) -> datetime:
        """``moment`` seen on the business clock (same instant)."""
        _require_aware(moment)
        return moment.astimezone(self._zone)

    def at(self, day: date, clock: time) -> datetime:
        """The aware instant of wall-clock ``clock`` on ``day`` in the business timezone."""
        return datetime.combine(day, clock, tzinfo=self._zone)

    def day_start_at(self, day: date) -> datetime:
        return self.at(day, self.working.day_start)

    def day_end_at(self, day: date) -> datetime:
        """End of the working day (下班时间), e.g. when end-of-day fines fall due."""
        return self.at(day, self.working.day_end)

    @property
    def working_day_hours(self) -> float:
        """Length of one working day in hours; "N working days" means N of these."""
        start = datetime.combine(date(2000, 1, 3), self.working.day_start)
        end = datetime.combine(date(2000, 1, 3), self.working.day_end)
        return (end - start) / _HOUR

    def is_working_time(self, moment: datetime) -> bool:
        local = self.local(moment)
        day = local.date()
        if not self.is_working_day(day):
            return False
        return self._utc(self.day_start_at(day)) <= self._utc(local) < self._utc(self.day_end_at(day))

    def next_working_time(self, moment: datetime) -> datetime:
        """The first working instant at or after ``moment`` (itself when inside working time)."""
        local = self.local(moment)
        if self.is_working_time(local):
            return local
        day = local.date()
        if self.is_working_day(day) and self._utc(local) < self._utc(self.day_start_at(day)):
            return self.day_start_at(day)
        return self.day_start_at(self.next_working_day(day))

    def add_working_hours(self, moment: datetime, hours: float) -> datetime:
        """``moment`` moved by ``hours`` of working time; negative hours go back.

        Forward, a budget that ends exactly at closing time yields the closing
        instant (e.g. 18:30), not the next morning: "due by end of day" reads
        better and both mean the same amount of working time.
        Zero hours yields ``next_working_time(moment)``.
        """
        remaining = timedelta(hours=hours)
        if remaining < timedelta(0):
            return self._subtract(moment, -remaining)
        cursor = self._utc(self.next_working_time(moment))
        for _ in range(_MAX_DAYS_SEARCHED):
            day = cursor.astimezone(self._zone).date()
            end = self._utc(self.day_end_at(day))
            available = end - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(self._zone)
            remaining -= available
            cursor = self._utc(self.day_start_at(self.next_working_day(day)))
        raise ValueError("working-hour budget does not fit in the calendar")

    def working_hours_between(self, start: datetime, end: datetime) -> float:
        """Working hours in ``[start, end)``; negative when ``end`` is before ``start``."""
        a, b = self._utc(start), self._utc(end)
        if b < a:
            return -self.working_hours_between(end, start)
        total = timedelta(0)
        day = a.astimezone(self._zone).date()
        last = b.astimezone(self._zone).date()
        while day <= last:
            if self.is_working_day(day):
                lo = max(a, self._utc(self.day_start_at(day)))
                hi = min(b, self._utc(self.day_end_at(day)))
                if hi > lo:
                    total += hi - lo
            day += timedelta(days=1)
        return total / _HOUR

    # -- internals --------------------------------------------------------

    def _subtract(self, moment: datetime, amount: timedelta) -> datetime:
        cursor = self._utc(self._previous_working_edge(moment))
        for _ in range(_MAX_DAYS_SEARCHED):
            day = cursor.astimezone(self._zone).date()
            start = self._utc(self.day_start_at(day))
            available = cursor - start
            if amount <= available:
                return (cursor - amount).astimezone(self._zone)
            amount -= available
            cursor = self._utc(self.day_end_at(self.previous_working_day(day)))
        raise ValueError("working-hour budget does not fit in the calendar")

    def _previous_working_edge(self, moment: datetime) -> datetime:
        """The latest instant at or before ``moment`` that closes a stretch of working time."""
        local = self.local(moment)
        day = local.date()
        if self.is_working_day(day):
            start = self._utc(self.day_start_at(day))
            end = self._utc(self.day_end_at(day))
            if start <= self._utc(local) <= end:
                return local
            if self._utc(local) > end:
                return self.day_end_at(day)
        return self.day_end_at(self.previous_working_day(day))

    def _step_day(self, day: date, step: int) -> date:
        for _ in range(_MAX_DAYS_SEARCHED):
            day += timedelta(days=step)
            if self.is_working_day(day):
                return day
        raise ValueError("no working day found within ten years")

    @staticmethod
    def _utc(moment: datetime) -> datetime:
        _require_aware(moment)
        return moment.astimezone(timezone.utc)


def _require_aware(moment: datetime) -> None:
    # A naive datetime is a programming error upstream, not a business refusal.
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("naive datetime: the domain only accepts aware datetimes")


def calendar_for(policy: PolicySettings, public: PublicHolidays = NO_PUBLIC_HOLIDAYS,
                 company_days_off: Mapping[date, str] | None = None) -> WorkingCalendar:
    """The calendar a ``PolicySettings`` describes, with the public and chat-added days given."""
    return WorkingCalendar(working=policy.working, tz=policy.timezone, public=public,
                           company_days_off=dict(company_days_off or {}))

