"""/status, /overdue, /backorders, /today: one screen each, scoped to what the person may see."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from domain.orders.lifecycle import OrderState
from domain.roles import Role
from domain.texts import t
from handlers.aftersales import cards as case_cards
from handlers.context import Context
from handlers.orders import cards
from handlers.reports.common import scope_for, today
from storage import reports
from storage.models import AfterSalesCase, Order
from storage.scope import Scope
from storage.orders import OPEN_STATES

SEVERITIES = ("high", "medium", "low")
SLA_STATES = ("overdue", "due_soon", "on_time", "paused", "awaiting_answer")


def scope_label(ctx: Context) -> str:
    role = Role(ctx.person.role)
    if role is Role.STORE_MANAGER:
        return ctx.person.store.name if ctx.person.store else "—"
    return ctx.t({Role.MANAGER: "report.scope.all", Role.CLERK: "report.scope.queue"}.get(role, "report.scope.own"))


async def status(ctx: Context, args: str) -> None:
    """A manager's overview: orders by state, today, overdue, after-sales by severity and SLA, fines."""
    figures = await status_figures(ctx, scope_for(ctx))
    ctx.reply(status_text(ctx.language, figures, scope_name=scope_label(ctx), day=today(ctx)))


async def fines_of(ctx: Context) -> list[int] | None:
    """Whose proposed fines the person's figures count: everyone's for managers (None), the store's
    people for a store manager, one's own otherwise."""
    role = Role(ctx.person.role)
    if role is Role.STORE_MANAGER:
        return await reports.store_people(ctx.session, ctx.person.store_id)
    return None if role is Role.MANAGER else [ctx.person.id]


async def status_figures(ctx: Context, scope: Scope) -> reports.StatusFigures:
    """/status's figures for ``scope`` (at most what ``scope_for`` allows the person)."""
    return await reports.status(ctx.session, scope=scope, today=today(ctx), now=ctx.now, tz=ctx.app.config.tz,
                                fines_of=await fines_of(ctx))


def status_text(lang: str, figures: reports.StatusFigures, *, scope_name: str, day: date) -> str:
    lines = [t(lang, "report.status.header", scope=scope_name, date=cards.fmt_date(lang, day))]
    states = " · ".join(f"{cards.state_label(lang, s)} {figures.by_state[s]}" for s in OPEN_STATES
                        if figures.by_state.get(s))
    lines.append(t(lang, "report.status.orders", count=sum(figures.by_state.values()), states=states or "—"))
    lines.append(t(lang, "report.status.today", place=figures.to_place_today, deliver=figures.deliveries_today,
                   submitted=figures.submitted_today, rush=figures.rush_today))
    lines.append(t(lang, "report.status.overdue", placement=figures.overdue_placement, pickup=figures.pickup_late,
                   backorders=figures.backorder_lines))
    if figures.cases:
        lines.append(t(lang, "report.status.cases", count=sum(figures.cases.values())))
        for severity in SEVERITIES:
            counts = {s: n for (of, s), n in figures.cases.items() if of == severity}
            if counts:
                parts = " · ".join(f"{t(lang, f'report.sla.{s}')} {counts[s]}" for s in SLA_STATES if counts.get(s))
                lines.append(t(lang, "report.status.case_row", severity=t(lang, f"case.severity.{severity}"),
                               count=sum(counts.values()), states=parts))
    else:
        lines.append(t(lang, "report.status.no_cases"))
    lines.append(t(lang, "report.status.fines", count=figures.fines_proposed, total=figures.fines_proposed_yuan))
    lines.append(t(lang, "report.status.footer"))
    return "\n".join(lines)


async def overdue(ctx: Context, args: str) -> None:
    """Order date passed and not placed; pickup late; after-sales past their SLA — oldest first."""
    lang, day, scope = ctx.language, today(ctx), scope_for(ctx)
    orders = await reports.overdue_orders(ctx.session, scope=scope, today=day)
    cases = await reports.overdue_cases(ctx.session, scope=scope, now=ctx.now)
    if not orders and not cases:
        ctx.say("report.overdue.none")
        return
    lines = [ctx.t("report.overdue.header", count=len(orders) + len(cases))]
    for order in orders:
        late, since = (("pickup", order.pickup_deadline) if order.state == OrderState.printed
                       else ("placement", order.order_date))
        problem = ctx.t(f"report.overdue.{late}", date=cards.fmt_date(lang, since))
        lines.append(ctx.t("report.overdue.row", number=order.number, store=order.store.name if order.store else "—",
                           customer=order.customer_name or "—", state=cards.state_label(lang, order.state),
                           problem=problem))
    for case in cases:
        lines.append(ctx.t("report.overdue.case_row", number=case.number,
                           store=case.store.name if case.store else "—",
                           severity=ctx.t(f"case.severity.{case.severity}"),
                           state=case_cards.state_label(lang, case.state),
                           due=case_cards.fmt_time(lang, case.next_due_at, ctx.app.config.tz)))
    ctx.reply("\n".join(lines))


async def backorders(ctx: Context, args: str) -> None:
    """欠货: backorder lines of open orders with their ETA, the oldest ETA first."""
    lang = ctx.language
    rows = await reports.backorders(ctx.session, scope=scope_for(ctx))
    if not rows:
        ctx.say("report.backorders.none")
        return
    lines = [ctx.t("report.backorders.header", count=len(rows))]
    for line, order in rows:
        lines.append(ctx.t("report.backorders.row", eta=cards.fmt_date(lang, line.eta), number=order.number,
                           store=order.store.name if order.store else "—",
                           customer=order.customer_name or "—", line=cards.line_text(lang, line)))
    ctx.reply("\n".join(lines))


async def today_command(ctx: Context, args: str) -> None:
    """Today's work: orders to place, deliveries, pickup deadlines, intake, after-sales due."""
    lang, day = ctx.language, today(ctx)
    lists = await reports.today_lists(ctx.session, scope=scope_for(ctx), today=day, tz=ctx.app.config.tz)

    def numbers(rows: Sequence[Order | AfterSalesCase]) -> str:
        return ctx.t("punct.enum").join(r.number or "" for r in rows) or "—"

    def flagged(rows: Sequence[Order]) -> str:
        return ctx.t("punct.enum").join((r.number or "") + ("⚡" if "rush_insertion" in r.flag_set else "")
                                        for r in rows) or "—"

    lines = [ctx.t("report.today.header", scope=scope_label(ctx), date=cards.fmt_date(lang, day)),
             ctx.t("report.today.to_place", count=len(lists.to_place), numbers=numbers(lists.to_place)),
             ctx.t("report.today.deliveries", count=len(lists.deliveries), numbers=numbers(lists.deliveries)),
             ctx.t("report.today.pickups", count=len(lists.pickups), numbers=numbers(lists.pickups)),
             ctx.t("report.today.submitted", count=len(lists.submitted), numbers=flagged(lists.submitted)),
             ctx.t("report.today.cases", count=len(lists.cases_due), numbers=numbers(lists.cases_due))]
    ctx.reply("\n".join(lines))
