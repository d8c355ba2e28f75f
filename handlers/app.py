"""The frozen bundle of collaborators every use case receives.

Built once by the composition root (``bot.runtime``); nothing here is built at
import time, so tests make their own with a fixed clock and a real database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from domain.policy.calendar import NO_PUBLIC_HOLIDAYS, PublicHolidays, WorkingCalendar, calendar_for
from domain.evidence.note import Signer
from domain.policy.settings import PolicySettings
from handlers.types import Clock, FileFetcher, JobRunner, Parser
from storage import calendar as calendar_store
from storage.db import SessionFactory

DeskTopics = Literal["store", "order"]  # the desk group's topics: one per store | one per order
ClerkNotices = Literal["desk", "private", "both"]  # where clerks' notices go once a desk group is linked


@dataclass(frozen=True, slots=True)
class AppConfig:
    """The application settings use cases need (a subset of ``bot.config.Settings``)."""

    policy: PolicySettings = field(default_factory=PolicySettings)
    admins: tuple[int, ...] = ()
    default_language: str = "zh-CN"
    invite_valid_hours: int = 72
    files_dir: str = "orderbot-data/files"
    bot_username: str = "orderbot"
    bot_id: int | None = None
    audit_signer: Signer | None = None  # signs audit checkpoints; None: they go out unsigned
    desk_url: str = ""  # where the managers' desk (Mini App) opens; "" when it is not served
    desk_topics: DeskTopics = "store"
    clerk_notices: ClerkNotices = "desk"

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.policy.timezone)


class LiveCalendar:
    """The one working calendar every rule of a running bot counts in (R18 工作日历).

    It combines config (weekly pattern, the company's ``holidays`` and ``extra_working_days``), the
    region's public holidays and make-up days (built at the composition root from a maintained
    package) and the days off a manager added by chat. Rules read it from memory; it is rebuilt when
    a day is added or removed and re-read from the database on every sweep, so a change made through
    another bot instance reaches this one within a sweep. The :class:`WorkingCalendar` is swapped
    whole, never mutated, so a rule that took it mid-request keeps one consistent view.
    """

    def __init__(self, policy: PolicySettings, public: PublicHolidays = NO_PUBLIC_HOLIDAYS,
                 company_days_off: Mapping[date, str] | None = None) -> None:
        self._policy, self._public = policy, public
        self.current: WorkingCalendar = calendar_for(policy, public, company_days_off)

    async def reload(self, session: AsyncSession) -> None:
        """Take the stored days off (start-up, every sweep, after a change by chat)."""
        days = await calendar_store.company_days_off(session)
        if dict(days) != dict(self.current.company_days_off):
            self.current = calendar_for(self._policy, self._public, days)


@dataclass(frozen=True, slots=True)
class App:
    sessions: SessionFactory
    clock: Clock
    config: AppConfig
    parser: Parser  # domain.parsing.Parser, built by the composition root
    files: FileFetcher | None = None  # downloads photos sent as evidence; None where there is no transport
    jobs: JobRunner | None = None  # heavy work off the event loop; None: done in the update's own task
    # Config + public holidays + days off added by chat; without one, config alone.
    calendars: LiveCalendar | None = None

    def __post_init__(self) -> None:
        if self.calendars is None:
            object.__setattr__(self, "calendars", LiveCalendar(self.config.policy))

    @property
    def live_calendar(self) -> LiveCalendar:
        """Config + holidays + days off, reloaded when a day off is added by chat."""
        assert self.calendars is not None  # set in __post_init__
        return self.calendars

    @property
    def calendar(self) -> WorkingCalendar:
        """The working calendar every rule counts in, as it is now."""
        return self.live_calendar.current
