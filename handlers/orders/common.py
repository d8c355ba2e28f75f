"""Pieces the order use cases share: loading with entitlement, history, state changes
(the parts orders and cases have in common are in ``handlers.records``)."""

from __future__ import annotations

from datetime import date
from typing import TypedDict

from domain import visibility
from domain.numbering import parse_order_number
from handlers import records
from handlers.records import record as record  # the order use cases take it from here
from handlers.context import Context
from storage import orders as order_store
from storage.models import Order, User


class Reach(TypedDict, total=False):
    """A visibility rule as keyword arguments of the storage queries."""

    sales_id: int
    store_id: int


def visible_filter(user: User) -> Reach | None:
    """The same rule as a query filter (``sales_id`` / ``store_id`` for the storage queries), None
    for someone who may see nothing."""
    filters: dict[visibility.Reach, Reach] = {
        visibility.Reach.everything: {},
        visibility.Reach.own_store: {"store_id": user.store_id if user.store_id is not None else -1},
        visibility.Reach.own: {"sales_id": user.id},
    }
    return filters.get(visibility.reach(user.role))


async def visible_order(ctx: Context, number: str) -> Order | None:
    """The order with that number if the sender may see it — else None, exactly as if it did not exist."""
    return await records.visible(ctx, number, parse=parse_order_number, load=order_store.order_by_number)


def local_today(ctx: Context) -> date:
    return ctx.app.calendar.local(ctx.now).date()
