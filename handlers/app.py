"""The frozen bundle of collaborators every use case receives.

Built once by the composition root (``bot.runtime``); nothing here is built at
import time, so tests make their own with a fixed clock and a real database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from domain.policy.settings import PolicySettings
from handlers.types import Clock, FileFetcher, JobRunner
from storage.db import SessionFactory


@dataclass(frozen=True, slots=True)
class AppConfig:
    """The application settings use cases need (a subset of ``bot.config.Settings``)."""

    policy: PolicySettings = field(default_factory=PolicySettings)
    admins: tuple[int, ...] = ()
    default_language: str = "zh-CN"
    invite_valid_hours: int = 72
    files_dir: str = "orderbot-files"
    bot_username: str = "orderbot"
    bot_id: int | None = None

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.policy.timezone)


@dataclass(frozen=True, slots=True)
class App:
    sessions: SessionFactory
    clock: Clock
    config: AppConfig
    parser: object  # domain.parsing.Parser; typed loosely so handlers need not build one at import
    files: FileFetcher | None = None  # downloads photos sent as evidence; None where there is no transport
    jobs: JobRunner | None = None  # heavy work off the event loop; None: done in the update's own task
