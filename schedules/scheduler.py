"""APScheduler wiring: a few triggers whose bodies call the sweep — never one job per order.

* the sweep, every ``[scheduler] sweep_seconds`` (60): everything due is derived from the database;
* cron triggers at the rule book's fixed times (R9 chase list 09:00, R2 last call 17:45,
  R15 tracking sheet 18:30, weekly summary Monday 09:00) run the same sweep on the minute,
  so those messages are not up to a minute late; the outbox keys make the overlap harmless.

With PostgreSQL and several bot instances only the instance holding the advisory
lock runs the scheduler; the others only serve chats and drain the outbox.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import time

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from handlers.app import App
from handlers.reminders.sweep import SweepReport, sweep

log = logging.getLogger(__name__)

SCHEDULER_LOCK_KEY = 0x6F62_7363_6865_64  # "obsched"
_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class Scheduler:
    def __init__(self, app: App, engine: AsyncEngine, *, sweep_seconds: int,
                 after_sweep: Callable[[SweepReport], Awaitable[None]] | None = None) -> None:
        self.app, self.engine = app, engine
        self.sweep_seconds = sweep_seconds
        self.after_sweep = after_sweep
        self._scheduler: AsyncIOScheduler | None = None
        self._lock_conn: AsyncConnection | None = None

    async def run_sweep(self) -> SweepReport:
        report = await sweep(self.app, self.app.clock.now())
        if report.queued or report.fines or report.released:
            log.info("sweep: %d notifications queued, %d fines proposed, %d held orders released",
                     report.queued, report.fines, report.released)
        if self.after_sweep is not None:
            await self.after_sweep(report)
        return report

    async def _acquire(self) -> bool:
        if self.engine.dialect.name != "postgresql":
            return True  # SQLite: one process owns the file
        self._lock_conn = await self.engine.connect()
        got = (await self._lock_conn.execute(text("SELECT pg_try_advisory_lock(:k)"),
                                             {"k": SCHEDULER_LOCK_KEY})).scalar()
        if not got:
            await self._lock_conn.close()
            self._lock_conn = None
        return bool(got)

    async def start(self) -> bool:
        """Start the triggers; False when another instance holds the scheduler lock."""
        if not await self._acquire():
            log.info("another instance runs the scheduler; this one only serves chats")
            return False
        policy = self.app.config.policy
        tz = self.app.config.tz
        days = ",".join(_DAYS[d] for d in policy.working.work_days)
        scheduler = AsyncIOScheduler(timezone=tz, job_defaults={"coalesce": True, "max_instances": 1,
                                                                "misfire_grace_time": 300})
        scheduler.add_job(self.run_sweep, IntervalTrigger(seconds=self.sweep_seconds, timezone=tz), id="sweep")
        fixed: dict[str, time] = {
            "chase_list": policy.digests.chase_list_at,
            "last_call": policy.intake.last_call,
            "daily_sheet": policy.digests.daily_at,
        }
        for name, at in fixed.items():
            scheduler.add_job(self.run_sweep, CronTrigger(day_of_week=days, hour=at.hour, minute=at.minute,
                                                          timezone=tz), id=name)
        weekly = policy.digests.weekly_at
        scheduler.add_job(self.run_sweep, CronTrigger(day_of_week=_DAYS[policy.digests.weekly_day],
                                                      hour=weekly.hour, minute=weekly.minute, timezone=tz),
                          id="weekly_summary")
        scheduler.start()
        self._scheduler = scheduler
        return True

    @property
    def jobs(self) -> list[str]:
        return [job.id for job in self._scheduler.get_jobs()] if self._scheduler else []

    async def stop(self) -> None:
        if self._scheduler is not None:
            self._scheduler.shutdown(wait=False)
            self._scheduler = None
        if self._lock_conn is not None:
            # The lock belongs to the database session, and a pooled connection outlives close():
            # release it explicitly so another instance can take over.
            await self._lock_conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": SCHEDULER_LOCK_KEY})
            await self._lock_conn.close()
            self._lock_conn = None
