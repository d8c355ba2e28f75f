"""状态看板: open orders by state per store, what is late, after-sales by deadline, fines to decide."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from domain.roles import Role
from handlers.aftersales import notices
from handlers.context import Context
from handlers.fines import decision_buttons
from handlers.reminders.escalation import HANDLERS
from handlers.reports.common import scope_for
from handlers.reports.views import fines_of, status_figures
from handlers.orders.common import visible_filter
from storage import fines as fine_store
from storage import orders as order_store
from storage import reports
from storage.models import AfterSalesCase, Fine, Order, OrderLine
from storage.scope import Scope


@dataclass
class StoreRow:
    name: str
    figures: reports.StatusFigures


@dataclass
class CaseRow:
    case: AfterSalesCase
    sla: str  # overdue | due_soon | on_time | paused | awaiting_answer
    breach: datetime | None  # the deadline an escalation is about, when it has passed and nobody answered
    may_ack: bool


@dataclass
class FineRow:
    fine: Fine
    may_decide: bool


@dataclass
class Board:
    total: reports.StatusFigures
    stores: list[StoreRow] = field(default_factory=list)
    open_orders: list[Order] = field(default_factory=list)  # what /orders lists, earliest order date first
    overdue: list[Order] = field(default_factory=list)
    backorders: list[tuple[OrderLine, Order]] = field(default_factory=list)
    cases: list[CaseRow] = field(default_factory=list)
    fines: list[FineRow] = field(default_factory=list)


async def board(ctx: Context) -> Board:
    role, scope = Role(ctx.person.role), scope_for(ctx)
    found = Board(total=await status_figures(ctx, scope))
    if role is Role.MANAGER:
        stores, _users = await reports.names(ctx.session)
        found.stores = [StoreRow(f"{store.code} {store.name}", await status_figures(ctx, Scope(store_id=store.id)))
                        for store in sorted(stores.values(), key=lambda s: s.code)]
    where = visible_filter(ctx.person)
    if where is not None:
        found.open_orders = [o for o in await order_store.orders_visible(ctx.session, **where, limit=50) if o.number]
    today = ctx.app.calendar.local(ctx.now).date()
    found.overdue = list(await reports.overdue_orders(ctx.session, scope=scope, today=today))
    found.backorders = list(await reports.backorders(ctx.session, scope=scope))
    for case, sla in await reports.open_cases_by_deadline(ctx.session, scope=scope, now=ctx.now):
        breach = None
        if sla == "overdue" and case.next_due_at is not None \
                and await notices.acknowledgement(ctx.session, case, case.next_due_at) is None:
            breach = case.next_due_at
        found.cases.append(CaseRow(case, sla, breach, may_ack=breach is not None and role in HANDLERS))
    people = await fines_of(ctx)
    found.fines = [FineRow(fine, may_decide=role is Role.MANAGER and bool(decision_buttons(ctx.language, fine)))
                   for fine in await fine_store.fines(ctx.session, states=["proposed"])
                   if people is None or fine.person_id in people]
    return found
