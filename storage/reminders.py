"""What the reminder engine reads: the rows that can be due, by indexed state and date columns.

The sweep and the digests (``handlers.reminders``) ask these queries instead of writing SQL, so
the cost of a sweep stays in one place: each query reads only candidates for a rule, never the
whole order book.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.orders.lifecycle import NOT_PLACED, OrderState
from domain.policy.fines import FineState
from storage.db import entities
from storage.models import AuditEntry, CaseEvent, Fine, Order, OrderLine, ReturnDayNotice
from storage.orders import OPEN_STATES


async def _orders(session: AsyncSession, *where: ColumnElement[bool],
                  order_by: Sequence[Any] = ()) -> Sequence[Order]:
    return await entities(session, select(Order).where(*where).order_by(*order_by))


async def orders_to_place(session: AsyncSession, *, order_date_before: date, since: date) -> Sequence[Order]:
    """R6/R7 candidates: handed in, not yet placed, with an order date in [since, order_date_before)."""
    return await _orders(session, Order.state.in_(NOT_PLACED), Order.order_date < order_date_before,
                         Order.order_date >= since)


async def drafts_due_on(session: AsyncSession, day: date) -> Sequence[Order]:
    """R2 last-call candidates: drafts (not held for the return day) whose order date is ``day``."""
    return await _orders(session, Order.state == OrderState.draft, Order.held_until.is_(None),
                         Order.order_date == day)


async def printed_orders_due(session: AsyncSession, *, deadline_by: date) -> Sequence[Order]:
    """R10 candidates: printed orders whose pickup deadline is ``deadline_by`` or earlier."""
    return await _orders(session, Order.state == OrderState.printed, Order.pickup_deadline <= deadline_by)


async def fine_set_aside(session: AsyncSession, order_id: int, rule: str) -> bool:
    """Whether a manager waived or overturned a ``rule`` fine on the order (no more are proposed then)."""
    return await session.scalar(select(Fine.id).where(
        Fine.order_id == order_id, Fine.rule == rule,
        Fine.state.in_((FineState.waived, FineState.overturned))).limit(1)) is not None


async def placed_orders(session: AsyncSession) -> Sequence[Order]:
    """R9 chase list: placed orders not yet complete, in placement order."""
    return await _orders(session, Order.state == OrderState.placed, order_by=(Order.placed_at, Order.id))


async def lines_arrived_since(session: AsyncSession, store_id: int | None,
                              since: datetime) -> Sequence[tuple[OrderLine, Order]]:
    """R9 store list: the store's lines that arrived since ``since``, with their orders."""
    return (await session.execute(
        select(OrderLine, Order).join(Order, Order.id == OrderLine.order_id)
        .where(Order.store_id == store_id, OrderLine.arrived_at >= since))).all()


async def open_orders(session: AsyncSession) -> Sequence[Order]:
    """R15 tracking sheet: every open order, by order date."""
    return await _orders(session, Order.state.in_(OPEN_STATES), order_by=(Order.order_date, Order.id))


async def audit_head(session: AsyncSession) -> tuple[int, str] | None:
    """The newest audit entry's sequence number and hash (published with the tracking sheet)."""
    return (await session.execute(select(AuditEntry.seq, AuditEntry.hash)
                                  .order_by(AuditEntry.seq.desc()).limit(1))).first()


async def week_figures(session: AsyncSession, since: datetime, until: datetime) -> dict[str, int]:
    """R15 weekly summary: orders handed in, placed, delivered and cancelled in [since, until), and open now."""
    async def count(*where: ColumnElement[bool]) -> int:
        return int((await session.execute(select(func.count()).select_from(Order).where(*where))).scalar_one())

    return {
        "submitted": await count(Order.submitted_at >= since, Order.submitted_at < until),
        "placed": await count(Order.placed_at >= since, Order.placed_at < until),
        "delivered": await count(Order.delivered_at >= since, Order.delivered_at < until),
        "cancelled": await count(Order.cancelled_at >= since, Order.cancelled_at < until,
                                 Order.number.is_not(None)),
        "open": await count(Order.state.in_(OPEN_STATES)),
    }


async def fines_proposed(session: AsyncSession, since: datetime, until: datetime) -> tuple[int, int]:
    """(how many, total yuan) of the fines proposed in [since, until)."""
    row = (await session.execute(select(func.count(), func.coalesce(func.sum(Fine.amount_yuan), 0))
                                 .where(Fine.proposed_at >= since, Fine.proposed_at < until))).one()
    return int(row[0]), int(row[1])


async def case_events(session: AsyncSession, case_id: int, events: Iterable[str]) -> Sequence[CaseEvent]:
    """The case's history entries of those kinds, oldest first (escalation acknowledgements, snoozes)."""
    return (await session.scalars(select(CaseEvent).where(
        CaseEvent.case_id == case_id, CaseEvent.event.in_(list(events))).order_by(CaseEvent.id))).all()


async def return_day_notices_due(session: AsyncSession, now: datetime) -> Sequence[ReturnDayNotice]:
    """R12: the stored return-day notices due by ``now`` and not sent yet."""
    return (await session.scalars(select(ReturnDayNotice).where(
        ReturnDayNotice.sent_at.is_(None), ReturnDayNotice.due_at <= now))).all()
