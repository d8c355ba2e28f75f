"""The frozen bundle of collaborators every use case receives.

Built once by the composition root (``bot.runtime``); nothing here is built at
import time, so tests make their own with a fixed clock and a real database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal
from zoneinfo import ZoneInfo

from domain.policy.calendar import WorkingCalendar
from domain.evidence.note import Signer
from domain.policy.settings import PolicySettings
from handlers.types import Clock, FileFetcher, JobRunner, Parser
from handlers.working_calendar import LiveCalendar
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
