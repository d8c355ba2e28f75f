"""/orders and /order: what a person may see of the order book, and an order's whole history."""

from __future__ import annotations

import json

from domain.roles import Role
from domain.texts import t
from handlers.context import Context
from handlers.orders import cards
from handlers.orders.common import visible_filter, visible_order
from handlers.orders.lifecycle import CLERKS
from storage import orders as order_store
from storage.models import Order

VIEWERS = frozenset({Role.SALES, Role.CLERK, Role.STORE_MANAGER, Role.MANAGER})


async def orders(ctx: Context, args: str) -> None:
    """Open orders the sender may see (``domain.visibility``): mine for sales, my store's for store
    managers, all for clerks and managers."""
    assert ctx.user is not None
    where = visible_filter(ctx.user)
    rows = await order_store.orders_visible(ctx.session, **where) if where is not None else []
    if not rows:
        ctx.say("orders.none")
        return
    lines = [ctx.t("orders.header", count=len(rows))]
    lines += [_row(ctx.language, order) for order in rows]
    lines.append(ctx.t("orders.footer"))
    ctx.reply("\n".join(lines))


def _row(language: str, order: Order) -> str:
    flags = "".join(t(language, f"flag.short.{f}") for f in sorted(order.flag_set))
    return t(language, "orders.row", number=order.number, customer=order.customer_name or "—",
             state=cards.state_label(language, order.state), order_date=cards.fmt_date(language, order.order_date),
             delivery=cards.fmt_date(language, order.delivery_date), flags=flags)


async def order(ctx: Context, args: str) -> None:
    """/order DD202612005 — the order with its full history (who, what, when, evidence message)."""
    number = args.strip().split()[0] if args.strip() else ""
    if not number:
        ctx.say("order.usage")
        return
    found = await visible_order(ctx, number)
    if found is None:
        ctx.say("order.not_found", number=number.upper())
        return
    await show_order(ctx, found)


async def show_order(ctx: Context, order: Order) -> None:
    assert ctx.user is not None
    lang = ctx.language
    lines = [cards.clerk_card(lang, order)]
    if order.pickup_deadline and order.state == "printed":
        lines.append(t(lang, "order.pickup_deadline", date=cards.fmt_date(lang, order.pickup_deadline)))
    events = await order_store.history(ctx.session, order.id)
    evidence = await order_store.audit_entries(ctx.session, [e.evidence_id for e in events if e.evidence_id])
    lines.append(t(lang, "order.history"))
    tz = ctx.app.config.tz
    for event in events:
        who = event.actor.name if event.actor else t(lang, "order.system")
        when = event.at.astimezone(tz).strftime("%m-%d %H:%M")
        line = t(lang, "order.history_row", when=when, who=who, what=t(lang, f"event.{event.event}"))
        source = evidence.get(event.evidence_id) if event.evidence_id else None
        if source is not None and source.text and source.kind in ("inbound", "inbound_edit"):
            line += t(lang, "order.history_evidence", seq=source.seq, text=source.text.replace("\n", " ")[:60])
        detail = json.loads(event.detail) if event.detail else {}
        if event.event == "changed" and detail.get("diff"):
            line += " · " + t(lang, "punct.enum").join(t(lang, f"field.{name}") for name in detail["diff"])
        lines.append(line)
    buttons = ()
    if Role(ctx.user.role) in CLERKS:
        buttons = cards.clerk_buttons(lang, order)
    ctx.reply("\n".join(lines), buttons=buttons, entity=order.number)
