"""/orders and /order: what a person may see of the order book, and an order's whole history."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from domain.orders.lifecycle import OrderState
from domain.roles import Role
from domain.texts import t
from handlers.context import Context
from handlers.orders import cards
from handlers.orders.common import visible_filter, visible_order
from handlers.orders.lifecycle import CLERKS
from handlers.records import R as Record, history_lines
from storage import orders as order_store
from storage.models import Order


async def listing(ctx: Context, what: str, find: Callable[..., Awaitable[Sequence[Record]]],
                  row: Callable[[Record], str]) -> None:
    """/orders and /cases: the open ones the sender may see (``domain.visibility``) — mine for sales,
    my store's for store managers, all for clerks and managers — one ``row`` each."""
    where = visible_filter(ctx.person)
    rows: Sequence[Record] = await find(ctx.session, **where) if where is not None else []
    if not rows:
        ctx.say(f"{what}.none")
        return
    ctx.reply("\n".join([ctx.t(f"{what}.header", count=len(rows)), *map(row, rows), ctx.t(f"{what}.footer")]))


async def by_number(ctx: Context, args: str, what: str, find: Callable[[Context, str], Awaitable[Record | None]],
                    show: Callable[[Context, Record], Awaitable[None]]) -> None:
    """/order DD… and /case SH…: the record with its whole history, if the sender may see it."""
    number = args.strip().split()[0] if args.strip() else ""
    if not number:
        ctx.say(f"{what}.usage")
        return
    found = await find(ctx, number)
    if found is None:
        ctx.say(f"{what}.not_found", number=number.upper())
        return
    await show(ctx, found)


async def orders(ctx: Context, args: str) -> None:
    """Open orders, the earliest order date first."""
    await listing(ctx, "orders", order_store.orders_visible, lambda order: _row(ctx.language, order))


def _row(language: str, order: Order) -> str:
    flags = "".join(t(language, f"flag.short.{f}") for f in sorted(order.flag_set))
    return t(language, "orders.row", number=order.number, customer=order.customer_name or "—",
             state=cards.state_label(language, order.state), order_date=cards.fmt_date(language, order.order_date),
             delivery=cards.fmt_date(language, order.delivery_date), flags=flags)


async def order(ctx: Context, args: str) -> None:
    """/order DD202612005 — the order with its full history (who, what, when, evidence message)."""
    await by_number(ctx, args, "order", visible_order, show_order)


async def show_order(ctx: Context, order: Order) -> None:
    lang = ctx.language
    lines = [cards.clerk_card(lang, order)]
    if order.pickup_deadline and order.state == OrderState.printed:
        lines.append(t(lang, "order.pickup_deadline", date=cards.fmt_date(lang, order.pickup_deadline)))
    lines += await history_lines(ctx, await order_store.history(ctx.session, order.id),
                                 what=lambda event: t(lang, f"event.{event.event}"),
                                 note=lambda event, detail: _changed_fields(lang, event.event, detail), note_first=False)
    buttons = cards.clerk_buttons(lang, order) if Role(ctx.person.role) in CLERKS else ()
    ctx.reply("\n".join(lines), buttons=buttons, entity=order.number)


def _changed_fields(language: str, event: str, detail: dict[str, Any]) -> str | None:
    """A change's history line names the fields it changed."""
    if event == "changed" and detail.get("diff"):
        return t(language, "punct.enum").join(t(language, f"field.{name}") for name in detail["diff"])
    return None
