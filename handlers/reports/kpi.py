"""/kpi: R17's four rates with the period's numbers behind each, per store and per clerk."""

from __future__ import annotations

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
                       weeks: int = 8) -> list[tuple[Period, KpiCounts]]:
    """The company's KPI counts of each of the last ``weeks`` whole weeks, oldest first (the chart)."""
    trend = []
    for period in last_weeks(today, weeks):
        found = await counts(session, app, period, now=now, today=today)
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


async def kpi(ctx: Context, args: str) -> None:
    """/kpi [本周|上周|本月|上月|今年|去年|YYYY-MM|from to] [store code|clerk name]."""
    assert ctx.user is not None
    lang, role = ctx.language, Role(ctx.user.role)
    reading = read_period_of(ctx, args.split())
    problem = period_problem(ctx, reading)
    if problem is not None:
        ctx.reply(problem)
        return
    period, rest = reading.period, reading.rest
    if period is None or len(rest) > 1:
        ctx.say("report.kpi.usage")
        return
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
            ctx.say("report.kpi.unknown_scope", name=wanted, forms=ctx.t("report.period.forms"))
            return
    # KPIs of other stores and other people only to managers.
    if role is Role.STORE_MANAGER:
        if rest and scope.store_id != ctx.user.store_id:
            ctx.say("report.kpi.other_store")
            return
        scope, scope_name = Scope(store_id=ctx.user.store_id), (ctx.user.store.name if ctx.user.store else "—")
    elif role is Role.CLERK:
        if rest and scope.clerk_id != ctx.user.id:
            ctx.say("report.kpi.other_store")
            return
        scope, scope_name, breakdown = Scope(clerk_id=ctx.user.id), ctx.user.name, False
    day = today(ctx)
    by_store = await counts(ctx.session, ctx.app, period, now=ctx.now, today=day, group="store", scope=scope)
    figures = total(list(by_store.values()))
    lines = [ctx.t("report.kpi.header", period=period_label(lang, period), scope=scope_name)]
    if figures.empty:
        lines.append(ctx.t("report.kpi.no_data"))
        ctx.reply("\n".join(lines))
        return
    lines += rate_lines(lang, figures)
    if breakdown and scope.store_id is None and len(by_store) > 1:
        lines.append(ctx.t("report.kpi.by_store"))
        for key in sorted(by_store, key=lambda k: (k is None, stores[k].code if k in stores else "")):
            name = f"{stores[key].code} {stores[key].name}" if key in stores else ctx.t("report.kpi.unassigned")
            lines.append(row_text(lang, name, by_store[key]))
    if breakdown:
        by_clerk = await counts(ctx.session, ctx.app, period, now=ctx.now, today=day, group="clerk", scope=scope)
        if by_clerk:
            lines.append(ctx.t("report.kpi.by_clerk"))
            for key in sorted(by_clerk, key=lambda k: (k is None, users[k].name if k in users else "")):
                name = users[key].name if key in users else ctx.t("report.kpi.unassigned")
                lines.append(row_text(lang, name, by_clerk[key]))
    lines.append(ctx.t("report.kpi.formulas"))
    ctx.reply("\n".join(lines))
