"""What is waiting for someone (待办): one query per kind, narrowed to whose it is. Never commit.

``Whose`` says for whom: one sales person's, one store's, or a clerk's queue (what the clerk
took plus what nobody has taken yet); nothing set means everyone's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from domain.aftersales.case import CaseState
from domain.orders.lifecycle import NOT_PLACED, LineState, OrderState

from storage.db import entities
from storage.models import AfterSalesCase, Order, OrderLine
from storage.scope import Scope

LIMIT = 20


@dataclass(frozen=True, slots=True)
class Whose(Scope):
    """A to-do list's scope: a clerk's list holds what the clerk took and what nobody has taken yet."""

    queue: bool = True


async def _orders(session: AsyncSession, whose: Whose, *where: Any) -> Sequence[Order]:
    return await entities(session, select(Order).where(*where, *whose.orders())
                          .order_by(Order.order_date.asc().nulls_last(), Order.id).limit(LIMIT + 1))


async def _cases(session: AsyncSession, whose: Whose, *where: Any) -> Sequence[AfterSalesCase]:
    return await entities(session, select(AfterSalesCase).where(*where, *whose.cases()).limit(LIMIT + 1)
                          .order_by(AfterSalesCase.next_due_at.asc().nulls_last(), AfterSalesCase.id))


async def drafts(session: AsyncSession, whose: Whose) -> Sequence[Order]:
    """Drafts not yet confirmed (a draft held for the return day is handed in by itself)."""
    return await _orders(session, whose, Order.state == OrderState.draft, Order.held_until.is_(None))


async def not_received(session: AsyncSession, whose: Whose) -> Sequence[Order]:
    """Handed in, no clerk has pressed 接单 yet."""
    return await _orders(session, whose, Order.state == OrderState.submitted)


async def to_place(session: AsyncSession, today: date, whose: Whose) -> Sequence[Order]:
    """Received (or confirmed with the customer) and the order date has come: to be placed (下单)."""
    return await _orders(session, whose, Order.state.in_((OrderState.received, OrderState.confirmed)),
                         Order.order_date <= today)


async def order_date_due(session: AsyncSession, today: date, whose: Whose) -> Sequence[Order]:
    """Not placed yet and the order date has come — the sales person makes sure the clerk knows (R6)."""
    return await _orders(session, whose, Order.state.in_(NOT_PLACED), Order.order_date <= today)


async def backorders_late(session: AsyncSession, today: date, whose: Whose) -> Sequence[Order]:
    """Orders with a backorder line whose expected arrival (欠货交期) has passed."""
    late = select(OrderLine.order_id).where(OrderLine.state == LineState.backorder, OrderLine.eta < today)
    return await _orders(session, whose, Order.state == OrderState.placed, Order.id.in_(late))


async def backorders(session: AsyncSession, whose: Whose) -> Sequence[Order]:
    """Placed orders waiting on a backorder line, whatever its ETA."""
    waiting = select(OrderLine.order_id).where(OrderLine.state == LineState.backorder)
    return await _orders(session, whose, Order.state == OrderState.placed, Order.id.in_(waiting))


async def pickups_due(session: AsyncSession, by_day: date, whose: Whose) -> Sequence[Order]:
    """Printed orders whose pickup deadline (提货期限) is ``by_day`` or earlier."""
    return await _orders(session, whose, Order.state == OrderState.printed, Order.pickup_deadline <= by_day)


async def cases_unaccepted(session: AsyncSession, whose: Whose) -> Sequence[AfterSalesCase]:
    """Cases no one has accepted (受理) yet, new or re-opened."""
    return await _cases(session, whose, AfterSalesCase.state.in_((CaseState.open, CaseState.reopened)))


async def cases_in_hand(session: AsyncSession, whose: Whose) -> Sequence[AfterSalesCase]:
    """Accepted cases being worked on or waiting for the customer."""
    return await _cases(session, whose,
                        AfterSalesCase.state.in_((CaseState.accepted, CaseState.waiting_customer)))


async def cases_to_score(session: AsyncSession, whose: Whose) -> Sequence[AfterSalesCase]:
    """Resolved cases still waiting for the customer's satisfaction score."""
    return await _cases(session, whose, AfterSalesCase.state == CaseState.resolved)
