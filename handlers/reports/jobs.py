"""Heavy reports (重活) built off the event loop: what each job builds, and what becomes of it.

``build`` runs where the work is done — in the bot's worker process (``bot.jobs``), on a
session of its own engine, reading only — and returns something picklable; ``deliver``
and ``failed`` run back on the bot's event loop, in a transaction, and queue the answer
to the chat through the outbox (and keep what must be kept, e.g. an evidence
document's checkpoint). Where there is no worker (use-case tests) or a caller needs the
result itself (the desk), :func:`computed` gives it either way.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.app import App, AppConfig
from handlers.types import EvidenceJob, ExportJob, Job, KpiJob


@dataclass(frozen=True)
class _JobKind:
    """The three steps of one kind of job. A kind without ``deliver`` is awaited by whoever asked
    (:func:`computed`), not answered through the outbox."""

    build: Callable[[AsyncSession, AppConfig, Any], Awaitable[Any]]
    deliver: Callable[[AsyncSession, App, Any, Any], Awaitable[None]] | None = None
    failed: Callable[[AsyncSession, App, Any], Awaitable[None]] | None = None


def _kind(job: Job) -> _JobKind:
    # Each kind's module is imported when a job of that kind is handled: the modules that need the
    # heavy libraries (openpyxl, jinja2, matplotlib) are then imported where the work is done.
    if isinstance(job, ExportJob):
        from handlers.reports import export
        return _JobKind(export.write_export, export.send_export, export.export_failed)
    if isinstance(job, EvidenceJob):
        from handlers.reports import evidence
        return _JobKind(evidence.build_document, evidence.send_document, evidence.evidence_failed)
    if isinstance(job, KpiJob):
        from handlers.reports import kpi
        return _JobKind(kpi.count_job, kpi.send_kpi, kpi.kpi_failed)
    from handlers.reports import weekly
    return _JobKind(weekly.draw_chart)  # the weekly summary awaits its chart


async def build(session: AsyncSession, config: AppConfig, job: Job) -> Any:
    """What ``job`` makes, from the database as it is (reads only)."""
    return await _kind(job).build(session, config, job)


async def deliver(session: AsyncSession, app: App, job: Job, result: Any) -> None:
    """Queue what the worker built to the person who asked."""
    if (send := _kind(job).deliver) is not None:
        await send(session, app, job, result)


async def failed(session: AsyncSession, app: App, job: Job) -> None:
    """Tell the person who asked that it could not be built (the error itself is in the log)."""
    if (say := _kind(job).failed) is not None:
        await say(session, app, job)


async def computed(app: App, session: AsyncSession, job: Job) -> Any:
    """``job``'s result: awaited from the worker when there is one (the loop goes on meanwhile),
    else built on ``session``."""
    if app.jobs is not None:
        return await app.jobs.run(job)
    return await build(session, app.config, job)
