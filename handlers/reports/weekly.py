"""The weekly summary's picture (R15 每周订单协调会 + R17): the last 8 weeks' KPI trend as a PNG.

Written under ``files_dir`` when the summary is queued; the outbox sender reads it
at send time and sends it as a photo with the summary's text.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession

from handlers.app import App
from handlers.reports.chart import render_trend
from handlers.reports.kpi import weekly_trend

log = logging.getLogger(__name__)


async def weekly_chart(app: App, session: AsyncSession, now: datetime, week: date) -> dict[str, str] | None:
    """The outbox attachment of the week starting ``week``: the 8 whole weeks before it.

    None when the chart cannot be drawn: the summary then goes out as text alone."""
    try:
        trend = await weekly_trend(session, app, now=now, today=week)
        png = render_trend(trend, language=app.config.default_language)
        path = Path(app.config.files_dir) / "charts" / f"kpi-{week.isoformat()}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png)
    except Exception:  # a missing plotting library or a full disk must not hold back the summary
        log.exception("could not draw the weekly KPI chart for %s; sending the text alone", week)
        return None
    return {"kind": "photo", "path": str(path.resolve()), "file_name": "kpi.png", "mime_type": "image/png"}
