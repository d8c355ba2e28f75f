"""/kpi: R17's four rates with the period's numbers behind each, per store and per clerk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.reports import KPI_NAMES, KpiCounts, Period, last_weeks, percent_text, total
from domain.roles import Role
from domain.texts import t
from handlers.app import App, AppConfig
from handlers.context import Context
from handlers.reports.common import answer, period_label, read_period_of, today
from handlers.types import KpiJob
from storage import reports
from storage.scope import Scope
from storage.users import store_by_code

# Periods longer than this are counted by the worker, after a "⏳" answer; shorter ones (今天, 本周,
# 本月) in the update's own task. benchmarks/report_bench.py: on a 20-store company's year a month
# takes ~0.1 s of queries, the year ~1.5 s — seconds no other chat should wait for.
INLINE_DAYS = 31


async def counts(session: AsyncSession, config: AppConfig, period: Period, *, now: datetime, today: date,
                 group: str | None = None, scope: Scope = Scope()) -> dict[int | None, KpiCounts]:
    return await reports.kpi_counts(session, period, tz=config.tz, now=now, today=today,
                                    satisfied_min_score=config.policy.after_sales.satisfied_min_score,
                                    group=group, scope=scope)


async def weekly_trend(session: AsyncSession, config: AppConfig, *, now: datetime, today: date,
                       weeks: int = 8, scope: Scope = Scope()) -> list[tuple[Period, KpiCounts]]:
    """The KPI counts (the company's, or ``scope``'s) of each of the last ``weeks`` whole weeks,
    oldest first (the chart)."""
    return [(period, (await counts(session, config, period, now=now, today=today, scope=scope)).get(None, KpiCounts()))
            for period in last_weeks(today, weeks)]


def rate_lines(lang: str, figures: KpiCounts) -> list[str]:
    rates = figures.rates()
    return [t(lang, f"report.kpi.{name}", rate=percent_text(rates[name]), n=rates[name].numerator,
              d=rates[name].denominator) for name in KPI_NAMES]


def row_text(lang: str, name: str, figures: KpiCounts) -> str:
    rates = figures.rates()
    cells = {key: f"{percent_text(r)}({r.numerator}/{r.denominator})" for key, r in rates.items()}
    return t(lang, "report.kpi.row", name=name, **cells)


@dataclass
class KpiAnswer:
    """What /kpi counts for a request: the period, whose figures, the totals and the breakdowns —
    or the answer that says why it cannot be counted (``refusal``)."""

    refusal: str | None = None
    period: Period | None = None
    scope: Scope = field(default_factory=Scope)
    scope_name: str = ""
    figures: KpiCounts = field(default_factory=KpiCounts)
    by_store: list[tuple[str, KpiCounts]] = field(default_factory=list)
    by_clerk: list[tuple[str, KpiCounts]] = field(default_factory=list)


async def kpi_request(ctx: Context, words: list[str], *, trend: bool = False) -> KpiJob | str:
    """/kpi's reading of ``words`` (period, then a store or clerk) with the role's limits applied:
    a store manager counts their store, a clerk themselves; others' figures only to managers.
    The job counts it, inline or by the worker; a string is the answer that says why it cannot be counted."""
    role = Role(ctx.person.role)
    reading = read_period_of(ctx, words)
    if isinstance(reading, str):
        return reading
    period, rest = reading.period, reading.rest
    if period is None or len(rest) > 1:
        return ctx.t("report.kpi.usage")
    scope, scope_name, breakdown = Scope(), ctx.t("report.scope.all"), True
    if rest:
        stores, users = await reports.names(ctx.session)
        wanted = rest[0]
        store = await store_by_code(ctx.session, wanted) or next((s for s in stores.values() if s.name == wanted), None)
        clerk = next((u for u in users.values() if u.role == Role.CLERK and wanted in (u.name, u.username)), None)
        if store is not None:
            scope, scope_name = Scope(store_id=store.id), store.name
        elif clerk is not None:
            scope, scope_name, breakdown = Scope(clerk_id=clerk.id), clerk.name, False
        else:
            return ctx.t("report.kpi.unknown_scope", name=wanted, forms=ctx.t("report.period.forms"))
    # KPIs of other stores and other people only to managers.
    if role is Role.STORE_MANAGER:
        if rest and scope.store_id != ctx.person.store_id:
            return ctx.t("report.kpi.other_store")
        scope, scope_name = Scope(store_id=ctx.person.store_id), (ctx.person.store.name if ctx.person.store else "—")
    elif role is Role.CLERK:
        if rest and scope.clerk_id != ctx.person.id:
            return ctx.t("report.kpi.other_store")
        scope, scope_name, breakdown = Scope(clerk_id=ctx.person.id), ctx.person.name, False
    return KpiJob(period.start, period.end, scope.store_id, scope.clerk_id, scope_name, breakdown,
                  today(ctx), ctx.now, ctx.language, ctx.incoming.chat_id, key=f"kpi:{ctx.evidence_id}",
                  trend=trend)


async def kpi_figures(session: AsyncSession, config: AppConfig, job: KpiJob) -> KpiAnswer:
    """The counts behind a /kpi: the totals and the breakdowns by store and by clerk (reads only)."""
    lang, period = job.language, Period(job.start, job.end)
    scope = Scope(store_id=job.store_id, clerk_id=job.clerk_id)
    stores, users = await reports.names(session)
    by_store = await counts(session, config, period, now=job.now, today=job.today, group="store", scope=scope)
    answer = KpiAnswer(period=period, scope=scope, scope_name=job.scope_name, figures=total(list(by_store.values())))
    if answer.figures.empty:
        return answer
    if not job.breakdown:
        return answer
    unassigned = t(lang, "report.kpi.unassigned")
    if scope.store_id is None and len(by_store) > 1:
        answer.by_store = [(f"{stores[k].code} {stores[k].name}" if k in stores else unassigned, by_store[k])
                           for k in sorted(by_store, key=lambda k: (k is None, stores[k].code if k in stores else ""))]
    by_clerk = await counts(session, config, period, now=job.now, today=job.today, group="clerk", scope=scope)
    answer.by_clerk = [(users[k].name if k in users else unassigned, by_clerk[k])
                       for k in sorted(by_clerk, key=lambda k: (k is None, users[k].name if k in users else ""))]
    return answer


@dataclass
class KpiResult:
    """What the worker gives back for a :class:`KpiJob`: the answer, its text, and the trend when asked."""

    answer: KpiAnswer
    text: str
    trend: list[tuple[Period, KpiCounts]] = field(default_factory=list)


async def count_job(session: AsyncSession, config: AppConfig, job: KpiJob) -> KpiResult:
    answer = await kpi_figures(session, config, job)
    trend = await weekly_trend(session, config, now=job.now, today=job.today, scope=answer.scope) if job.trend else []
    return KpiResult(answer, kpi_text(job.language, answer), trend)


def kpi_text(lang: str, answer: KpiAnswer) -> str:
    assert answer.period is not None
    lines = [t(lang, "report.kpi.header", period=period_label(lang, answer.period), scope=answer.scope_name)]
    if answer.figures.empty:
        lines.append(t(lang, "report.kpi.no_data"))
        return "\n".join(lines)
    lines += rate_lines(lang, answer.figures)
    for header, rows in (("by_store", answer.by_store), ("by_clerk", answer.by_clerk)):
        if rows:
            lines.append(t(lang, f"report.kpi.{header}"))
            lines += [row_text(lang, name, figures) for name, figures in rows]
    lines.append(t(lang, "report.kpi.formulas"))
    return "\n".join(lines)


async def kpi(ctx: Context, args: str) -> None:
    """/kpi [本周|上周|本月|上月|今年|去年|YYYY-MM|from to] [store code|clerk name].

    A period of up to a month is counted at once; a longer one (今年, 去年, a range) by the worker,
    after a "⏳" answer, so the other chats do not wait for it."""
    job = await kpi_request(ctx, args.split())
    if isinstance(job, str):
        ctx.reply(job)
        return
    if ctx.app.jobs is None or (job.end - job.start).days + 1 <= INLINE_DAYS:
        ctx.reply(kpi_text(ctx.language, await kpi_figures(ctx.session, ctx.app.config, job)))
        return
    ctx.say("report.kpi.preparing", period=period_label(ctx.language, Period(job.start, job.end)),
            scope=job.scope_name)
    ctx.jobs.append(job)


async def send_kpi(session: AsyncSession, app: App, job: KpiJob, result: KpiResult) -> None:
    await answer(session, app, job, result.text)


async def kpi_failed(session: AsyncSession, app: App, job: KpiJob) -> None:
    await answer(session, app, job, t(job.language, "report.kpi.failed",
                                      period=period_label(job.language, Period(job.start, job.end))))
