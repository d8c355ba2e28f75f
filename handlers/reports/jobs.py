"""Heavy reports (重活) built off the event loop: what each job builds, and what becomes of it.

``build`` runs where the work is done — in the bot's worker process (``bot.jobs``), on a
session of its own engine, reading only — and returns something picklable; ``deliver``
and ``failed`` run back on the bot's event loop, in a transaction, and queue the answer
to the chat through the outbox (and keep what must be kept, e.g. an evidence
document's checkpoint). Where there is no worker (use-case tests) or a caller needs the
result itself (the desk), :func:`computed` gives it either way.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.app import App, AppConfig
from handlers.types import ChartJob, EvidenceJob, ExportJob, Job, KpiJob


async def build(session: AsyncSession, config: AppConfig, job: Job) -> Any:
    """What ``job`` makes, from the database as it is (reads only). The modules that need the heavy
    libraries (openpyxl, jinja2, matplotlib) are imported here, where the work is done."""
    if isinstance(job, ExportJob):
        from handlers.reports.export import write_export

        path, rows = await write_export(session, job, policy=config.policy,
                                        folder=Path(config.files_dir) / "exports")
        return str(path), rows
    if isinstance(job, EvidenceJob):
        from handlers.reports.evidence import build_document

        return await build_document(session, config, job)
    if isinstance(job, KpiJob):
        from handlers.reports.kpi import count_job

        return await count_job(session, config, job)
    from handlers.reports.weekly import draw_chart

    return await draw_chart(session, config, job)


async def deliver(session: AsyncSession, app: App, job: Job, result: Any) -> None:
    """Queue what the worker built to the person who asked."""
    if isinstance(job, ExportJob):
        from handlers.reports.export import send_export

        path, rows = result
        await send_export(session, app, job, Path(path), rows)
    elif isinstance(job, EvidenceJob):
        from handlers.reports.evidence import send_document

        await send_document(session, app, job, result)
    elif isinstance(job, KpiJob):
        from handlers.reports.kpi import send_kpi

        await send_kpi(session, app, job, result)


async def failed(session: AsyncSession, app: App, job: Job) -> None:
    """Tell the person who asked that it could not be built (the error itself is in the log)."""
    if isinstance(job, ExportJob):
        from handlers.reports.export import export_failed

        await export_failed(session, app, job)
    elif isinstance(job, EvidenceJob):
        from handlers.reports.evidence import evidence_failed

        await evidence_failed(session, app, job)
    elif isinstance(job, KpiJob):
        from handlers.reports.kpi import kpi_failed

        await kpi_failed(session, app, job)


async def computed(app: App, session: AsyncSession, job: Job) -> Any:
    """``job``'s result: awaited from the worker when there is one (the loop goes on meanwhile),
    else built on ``session``."""
    if app.jobs is not None:
        return await app.jobs.run(job)
    return await build(session, app.config, job)
