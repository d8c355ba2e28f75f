"""The one working calendar every rule of a running bot counts in (R18 工作日历).

It combines config (weekly pattern, the company's ``holidays`` and
``extra_working_days``), the region's public holidays and make-up days (built at
the composition root from a maintained package) and the days off a manager added
by chat. Rules read it from memory; it is rebuilt when a day is added or removed
and re-read from the database on every sweep, so a change made through another
bot instance reaches this one within a sweep.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from domain.policy.calendar import NO_PUBLIC_HOLIDAYS, PublicHolidays, WorkingCalendar, calendar_for
from domain.policy.settings import PolicySettings
from storage import calendar as calendar_store


class LiveCalendar:
    """Holds the current :class:`WorkingCalendar`; swapped whole, never mutated, so a rule
    that took it mid-request keeps one consistent view."""

    def __init__(self, policy: PolicySettings, public: PublicHolidays = NO_PUBLIC_HOLIDAYS,
                 company_days_off: Mapping[date, str] | None = None) -> None:
        self._policy, self._public = policy, public
        self.current: WorkingCalendar = calendar_for(policy, public, company_days_off)

    async def reload(self, session: AsyncSession) -> None:
        """Take the stored days off (start-up, every sweep, after a change by chat)."""
        days = await calendar_store.company_days_off(session)
        if dict(days) != dict(self.current.company_days_off):
            self.current = calendar_for(self._policy, self._public, days)
