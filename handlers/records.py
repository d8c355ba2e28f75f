"""Pieces orders (订单) and after-sales cases (售后单) share: who may see one, finding one by its
number, writing a step into its history, telling its sales person, and reading that history back as lines.

Both kinds of record belong to a sales person and a store, carry a document number and keep a
history of events next to the audit chain; only the storage functions and the texts differ: ``record``
picks its own by the record's kind, the others are passed them by ``handlers.orders.common``,
``handlers.aftersales.common`` and the views.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from functools import partial
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain import visibility
from domain.errors import DomainError
from domain.texts import t
from handlers.context import Context
from storage import aftersales as case_store
from storage import orders as order_store
from storage.models import AfterSalesCase, CaseEvent, Order, OrderEvent, User
from storage.users import user_by_id


R = TypeVar("R", Order, AfterSalesCase)  # an order or a case
E = TypeVar("E", OrderEvent, CaseEvent)  # one line of its history


def may_see(user: User, record: Order | AfterSalesCase) -> bool:
    """Customer data only to those entitled (``domain.visibility``)."""
    return visibility.may_see(user.role, viewer_id=user.id, viewer_store_id=user.store_id, sales_id=record.sales_id,
                              store_id=record.store_id)


async def visible(ctx: Context, number: str, *, parse: Callable[[str], object],
                  load: Callable[[AsyncSession, str], Awaitable[R | None]]) -> R | None:
    """The record with that number if the sender may see it, and may see it in the chat asked in (a
    store's group shows only that store's records) — else None, exactly as if it did not exist.
    ``parse`` refuses what is not a number of that kind (a ``DomainError``) before anything is read."""
    try:
        parse(number.strip().upper())
    except DomainError:
        return None
    found = await load(ctx.session, number.strip().upper())
    if found is None or ctx.user is None or not may_see(ctx.user, found) or not ctx.shows_store(found.store_id):
        return None
    return found


async def record(ctx: Context, target: Order | AfterSalesCase, event: str, *, from_state: str | None = None,
                 to_state: str | None = None, detail: dict[str, Any] | None = None) -> None:
    """One history line on the order or case and one state-change entry in the audit chain, both
    pointing at the update that caused them."""
    add_event: Callable[..., Awaitable[object]]
    if isinstance(target, Order):
        kind, entity = "order", target.number or f"draft:{target.id}"
        add_event = partial(order_store.add_event, ctx.session, target)
    else:
        kind, entity, add_event = "case", target.number, partial(case_store.add_event, ctx.session, target)
    await add_event(at=ctx.now, actor_id=ctx.user.id if ctx.user else None, event=event, from_state=from_state,
                    to_state=to_state, detail=detail, evidence_id=ctx.evidence_id)
    await ctx.audit(entity, f"{kind}.{event}", {f"{kind}_id": target.id, "from": from_state, "to": to_state,
                                                **(detail or {})})


async def tell_sales(ctx: Context, target: Order | AfterSalesCase, key: str, **how: Any) -> None:
    """The record's sales person hears of a step (``how`` as ``Context.notify`` takes it) — unless
    they took it themselves."""
    sales = await user_by_id(ctx.session, target.sales_id)
    if sales is not None and sales.id != (ctx.user.id if ctx.user else None):
        await ctx.notify([sales], key, entity=target.number, **how)


async def history_lines(ctx: Context, events: Sequence[E], *, what: Callable[[E], str],
                        note: Callable[[E, dict[str, Any]], str | None], note_first: bool) -> list[str]:
    """The history as the /order and /case views show it: when, who, what, the note ``note`` adds, and
    the message that caused the step (its audit sequence number and the first words)."""
    lang, tz = ctx.language, ctx.app.config.tz
    evidence = await order_store.audit_entries(ctx.session, [e.evidence_id for e in events if e.evidence_id])
    lines = [t(lang, "order.history")]
    for event in events:
        who = event.actor.name if event.actor else t(lang, "order.system")
        when = event.at.astimezone(tz).strftime("%m-%d %H:%M")
        line = t(lang, "order.history_row", when=when, who=who, what=what(event))
        extra = note(event, json.loads(event.detail) if event.detail else {})
        source = evidence.get(event.evidence_id) if event.evidence_id else None
        cited = ""
        if source is not None and source.text and source.kind in ("inbound", "inbound_edit"):
            cited = t(lang, "order.history_evidence", seq=source.seq, text=source.text.replace("\n", " ")[:60])
        suffix = f" · {extra}" if extra else ""
        lines.append(line + (suffix + cited if note_first else cited + suffix))
    return lines
