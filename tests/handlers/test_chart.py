"""The weekly KPI chart renders in any language, with gaps for weeks without data."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from domain.reports import KpiCounts, Period
from handlers.reports.chart import render_trend

WEEKS = [(Period(date(2026, 11, 2) + timedelta(weeks=i), date(2026, 11, 8) + timedelta(weeks=i)),
          KpiCounts(due=50, completed=45, steps=100, steps_on_time=90, raised=10 if i % 2 else 0, resolved=5 if i % 2 else 0,
                    surveyed=8, satisfied=6)) for i in range(8)]


@pytest.mark.parametrize("language", ["zh-CN", "zh-TW", "en"])
def test_the_trend_renders_as_a_png(language: str) -> None:
    png = render_trend(WEEKS, language=language)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
