"""/kpi: R17's four rates with the period's numbers behind each, per store and per clerk."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.reports import KPI_NAMES, KpiCounts, Period, last_weeks, percent_text, total
from domain.roles import Role
from domain.texts import t
from handlers.app import App
from handlers.context import Context
from handlers.reports.common import period_label, period_problem, read_period_of, today
from storage import reports
from storage.scope import Scope
from storage.users import store_by_code


async def counts(session: AsyncSession, app: App, period: Period, *, now: datetime, today: date,
                 group: str | None = None, scope: Scope = Scope()) -> dict[int | None, KpiCounts]:
    return await reports.kpi_counts(session, period, tz=app.config.tz, now=now, today=today,
                                    satisfied_min_score=app.config.policy.after_sales.satisfied_min_score,
                                    group=group, scope=scope)


async def weekly_trend(session: AsyncSession, app: App, *, now: datetime, today: date,
                       weeks: int = 8, scope: Scope = Scope()) -> list[tuple[Period, KpiCounts]]:
    """The KPI counts (the company's, or ``scope``'s) of each of the last ``weeks`` whole weeks,
    oldest first (the chart)."""
    trend = []
    for period in last_weeks(today, weeks):
        found = await counts(session, app, period, now=now, today=today, scope=scope)
        trend.append((period, found.get(None, KpiCounts())))
    return trend


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


async def kpi_answer(ctx: Context, words: list[str]) -> KpiAnswer:
    """/kpi's reading of ``words`` (period, then a store or clerk) with the role's limits applied:
    a store manager counts their store, a clerk themselves; others' figures only to managers."""
    assert ctx.user is not None
    lang, role = ctx.language, Role(ctx.user.role)
    reading = read_period_of(ctx, words)
    problem = period_problem(ctx, reading)
    if problem is not None:
        return KpiAnswer(refusal=problem)
    period, rest = reading.period, reading.rest
    if period is None or len(rest) > 1:
        return KpiAnswer(refusal=ctx.t("report.kpi.usage"))
    stores, users = await reports.names(ctx.session)
    scope, scope_name, breakdown = Scope(), ctx.t("report.scope.all"), True
    if rest:
        wanted = rest[0]
        store = await store_by_code(ctx.session, wanted.upper())
        store = store or next((s for s in stores.values() if s.name == wanted), None)
        clerk = next((u for u in users.values() if u.role == Role.CLERK and wanted in (u.name, u.username)), None)
        if store is not None:
            scope, scope_name = Scope(store_id=store.id), store.name
        elif clerk is not None:
            scope, scope_name, breakdown = Scope(clerk_id=clerk.id), clerk.name, False
        else:
            return KpiAnswer(refusal=ctx.t("report.kpi.unknown_scope", name=wanted, forms=ctx.t("report.period.forms")))
    # KPIs of other stores and other people only to managers.
    if role is Role.STORE_MANAGER:
        if rest and scope.store_id != ctx.user.store_id:
            return KpiAnswer(refusal=ctx.t("report.kpi.other_store"))
        scope, scope_name = Scope(store_id=ctx.user.store_id), (ctx.user.store.name if ctx.user.store else "—")
    elif role is Role.CLERK:
        if rest and scope.clerk_id != ctx.user.id:
            return KpiAnswer(refusal=ctx.t("report.kpi.other_store"))
        scope, scope_name, breakdown = Scope(clerk_id=ctx.user.id), ctx.user.name, False
    day = today(ctx)
    by_store = await counts(ctx.session, ctx.app, period, now=ctx.now, today=day, group="store", scope=scope)
    answer = KpiAnswer(period=period, scope=scope, scope_name=scope_name, figures=total(list(by_store.values())))
    if answer.figures.empty:
        return answer
    if breakdown and scope.store_id is None and len(by_store) > 1:
        for key in sorted(by_store, key=lambda k: (k is None, stores[k].code if k in stores else "")):
            name = f"{stores[key].code} {stores[key].name}" if key in stores else t(lang, "report.kpi.unassigned")
            answer.by_store.append((name, by_store[key]))
    if breakdown:
        by_clerk = await counts(ctx.session, ctx.app, period, now=ctx.now, today=day, group="clerk", scope=scope)
        for key in sorted(by_clerk, key=lambda k: (k is None, users[k].name if k in users else "")):
            name = users[key].name if key in users else t(lang, "report.kpi.unassigned")
            answer.by_clerk.append((name, by_clerk[key]))
    return answer


async def kpi(ctx: Context, args: str) -> None:
    """/kpi [本周|上周|本月|上月|今年|去年|YYYY-MM|from to] [store code|clerk name]."""
    lang = ctx.language
    answer = await kpi_answer(ctx, args.split())
    if answer.refusal is not None or answer.period is None:
        ctx.reply(answer.refusal or ctx.t("report.kpi.usage"))
        return
    lines = [ctx.t("report.kpi.header", period=period_label(lang, answer.period), scope=answer.scope_name)]
    if answer.figures.empty:
        lines.append(ctx.t("report.kpi.no_data"))
        ctx.reply("\n".join(lines))
        return
    lines += rate_lines(lang, answer.figures)
    if answer.by_store:
        lines.append(ctx.t("report.kpi.by_store"))
        lines += [row_text(lang, name, figures) for name, figures in answer.by_store]
    if answer.by_clerk:
        lines.append(ctx.t("report.kpi.by_clerk"))
        lines += [row_text(lang, name, figures) for name, figures in answer.by_clerk]
    lines.append(ctx.t("report.kpi.formulas"))
    ctx.reply("\n".join(lines))
