"""The weekly summary's picture (R15 每周订单协调会 + R17): the last 8 weeks' KPI trend as a PNG.

Drawn by the worker (matplotlib is large and a chart is a second of CPU: neither belongs in the
bot's process) and written under ``files_dir`` when the summary is queued; the outbox sender
reads it at send time and sends it as a photo with the summary's text.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.app import App, AppConfig
from handlers.types import ChartJob

log = logging.getLogger(__name__)


async def draw_chart(session: AsyncSession, config: AppConfig, job: ChartJob) -> str:
    """Count the 8 whole weeks before ``job.week``, draw them, write the PNG; its path (reads only)."""
    from handlers.reports.chart import render_trend
    from handlers.reports.kpi import weekly_trend

    trend = await weekly_trend(session, config, now=job.now, today=job.week)
    png = render_trend(trend, language=job.language)
    path = Path(config.files_dir) / "charts" / f"kpi-{job.week.isoformat()}.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png)
    return str(path.resolve())


async def weekly_chart(app: App, session: AsyncSession, now: datetime, week: date) -> dict[str, str] | None:
    """The outbox attachment of the week starting ``week``: the 8 whole weeks before it.

    None when the chart cannot be drawn: the summary then goes out as text alone."""
    from handlers.reports.jobs import computed

    job = ChartJob(week, now, app.config.default_language, key=f"chart:{week.isoformat()}")
    try:
        path = await computed(app, session, job)
    except Exception:  # a missing plotting library or a full disk must not hold back the summary
        log.exception("could not draw the weekly KPI chart for %s; sending the text alone", week)
        return None
    return {"kind": "photo", "path": str(path), "file_name": "kpi.png", "mime_type": "image/png"}
