"""考核指标 in the desk: /kpi's answer for a period and scope, and its 8-week trend as chart points."""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.reports import KpiCounts, Period
from handlers.context import Context
from handlers.reports.jobs import computed
from handlers.reports.kpi import KpiAnswer, KpiResult, kpi_request

# The period list's values are the words /kpi reads; its labels come from the catalogue
# (desk.kpi.periods.NAME), in the reader's language.
PERIODS = (("本周", "this_week"), ("上周", "last_week"), ("本月", "this_month"), ("上月", "last_month"),
           ("今年", "this_year"), ("去年", "last_year"))


@dataclass
class Trend:
    weeks: list[Period] = field(default_factory=list)
    # KPI name → the rate of each week in percent, None for a week with nothing to count
    series: dict[str, list[float | None]] = field(default_factory=dict)
    counts: list[KpiCounts] = field(default_factory=list)


async def kpis(ctx: Context, period: str, who: str = "") -> tuple[KpiAnswer, Trend]:
    words = [w for w in (period.strip() or "本月").split() if w] + ([who.strip()] if who.strip() else [])
    job = await kpi_request(ctx, words, trend=True)
    trend = Trend()
    if isinstance(job, str):
        return KpiAnswer(refusal=job), trend
    # The period's counts and the 8 weeks' are the worker's (a year is seconds of queries): the
    # page waits for them, the chats do not.
    result: KpiResult = await computed(ctx.app, ctx.session, job)
    for week, counted in result.trend:
        trend.weeks.append(week)
        trend.counts.append(counted)
        for name, rate in counted.rates().items():  # KPI_NAMES, in that order
            trend.series.setdefault(name, []).append(None if rate.percent is None else round(float(rate.percent), 1))
    return result.answer, trend
