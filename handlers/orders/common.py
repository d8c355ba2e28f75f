"""Pieces the order use cases share: loading with entitlement, history, state changes."""

from __future__ import annotations

from datetime import date
from typing import Any

from domain import visibility
from domain.numbering import parse_order_number
from domain.errors import DomainError
from domain.roles import Role
from handlers.audit_trail import state_change
from handlers.context import Context
from storage import orders as order_store
from storage.models import Order, User


def may_see(user: User, order: Order) -> bool:
    """Customer data only to those entitled (``domain.visibility``)."""
    return visibility.may_see(user.role, viewer_id=user.id, viewer_store_id=user.store_id, sales_id=order.sales_id,
                              store_id=order.store_id)


def visible_filter(user: User) -> dict[str, int | None] | None:
    """The same rule as a query filter (``sales_id`` / ``store_id`` for the storage queries), None
    for someone who may see nothing."""
    how_far = visibility.reach(user.role)
    if how_far is visibility.Reach.everything:
        return {}
    if how_far is visibility.Reach.own_store:
        return {"store_id": user.store_id if user.store_id is not None else -1}
    if how_far is visibility.Reach.own:
        return {"sales_id": user.id}
    return None


async def visible_order(ctx: Context, number: str) -> Order | None:
    """The order with that number if the sender may see it — else None, exactly as if it did not exist."""
    try:
        parse_order_number(number.strip().upper())
    except DomainError:
        return None
    order = await order_store.order_by_number(ctx.session, number.strip().upper())
    if order is None or ctx.user is None or not may_see(ctx.user, order) or not ctx.shows_store(order.store_id):
        return None
    return order


async def record(ctx: Context, order: Order, event: str, *, from_state: str | None = None,
                 to_state: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """One history line on the order and one state-change entry in the audit chain, same evidence."""
    actor = ctx.user.id if ctx.user else None
    await order_store.add_event(ctx.session, order, at=ctx.now, actor_id=actor, event=event, from_state=from_state,
                                to_state=to_state, detail=detail, evidence_id=ctx.evidence_id)
    await state_change(ctx_session=ctx.session, app=ctx.app, now=ctx.now,
                       entity=order.number or f"draft:{order.id}",
                       actor_id=ctx.user.telegram_id if ctx.user else None, event=f"order.{event}",
                       data={"order_id": order.id, "from": from_state, "to": to_state, **(detail or {})},
                       evidence_id=ctx.evidence_id)


def local_today(ctx: Context) -> date:
    return ctx.app.calendar.local(ctx.now).date()
