"""Order notifications that may wait in the outbox, rendered from the order as it is when sent.

``order.card``: the clerk's card (new order, …) — dropped once the order is closed or cancelled.
``order.reminder``: a catalogue text about the order, sent only while the order is still in one of
the spec's ``while`` states (a placement reminder for an order placed meanwhile is dropped).
``order.cancel_request``: the clerk's 同意销单/不同意 question, only while the request stands.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from collections.abc import Iterable

from domain.orders.lifecycle import FINISHED, NOT_PLACED, OrderState
from domain.texts import t
from handlers.live import Rendered, Target
from handlers.orders import cards
from handlers.buttons import ToldClerk
from handlers.types import Button, Keyboard
from storage import fines as fine_store
from storage import orders as order_store
from storage.models import Order

def card_spec(headline_key: str = "clerk.card", *, notes: dict[str, str] | None = None) -> dict[str, object]:
    """``notes``: lines to keep under the card, per language (what the sender acknowledged)."""
    return {"kind": "order.card", "headline": headline_key, **({"notes": notes} if notes else {})}


def reminder_spec(text_key: str, *, while_states: Iterable[OrderState] = NOT_PLACED,
                  buttons: str | None = None) -> dict[str, object]:
    """``buttons``: ``"clerk"`` (the card's current steps) or ``"told"`` (已通知跟单员, until pressed)."""
    return {"kind": "order.reminder", "text": text_key, "while": [s.value for s in while_states], "buttons": buttons}


def reminder_text(language: str, key: str, order: Order) -> str:
    return t(language, key, number=order.number or "", customer=order.customer_name or "",
             order_date=cards.fmt_date(language, order.order_date),
             delivery=cards.fmt_date(language, order.delivery_date),
             deadline=cards.fmt_date(language, order.pickup_deadline),
             sales=order.sales.name if order.sales else "")


async def clerk_buttons_now(session: AsyncSession, language: str, order: Order) -> Keyboard:
    """The clerk card's buttons for the order's current state (the R2 fine button until proposed)."""
    proposed = await fine_store.fine_for_key(session, f"R2:{order.number}") is not None
    return cards.clerk_buttons(language, order, rush_fine_proposed=proposed)


def told_button(language: str, order: Order) -> Keyboard:
    return ((Button(t(language, "button.told_clerk"), ToldClerk(order.id).pack()),),)


async def card_now(target: Target) -> Rendered | None:
    order = await order_store.order_by_number(target.session, target.entity)
    if order is None or OrderState(order.state) in FINISHED:
        return None
    language = target.language
    text = cards.clerk_card(language, order, headline_key=str(target.spec.get("headline") or "clerk.card"))
    note = (target.spec.get("notes") or {}).get(language)
    return Rendered("\n".join([text, note]) if note else text,
                    await clerk_buttons_now(target.session, language, order))


async def reminder_now(target: Target) -> Rendered | None:
    order = await order_store.order_by_number(target.session, target.entity)
    if order is None or order.state not in target.spec.get("while", ()):
        return None
    language = target.language
    buttons: Keyboard = ()
    if target.spec.get("buttons") == "clerk":
        buttons = await clerk_buttons_now(target.session, language, order)
    elif target.spec.get("buttons") == "told":
        if order.sales_told_clerk_at is not None:
            return None  # the sales person did what the reminder asks
        buttons = told_button(language, order)
    return Rendered(reminder_text(language, str(target.spec["text"]), order), buttons)


async def cancel_request_now(target: Target) -> Rendered | None:
    order = await order_store.order_by_number(target.session, target.entity)
    if order is None or order.cancel_requested_at is None or OrderState(order.state) in FINISHED:
        return None
    language = target.language
    text = t(language, "clerk.cancel_request", number=order.number, by=order.sales.name if order.sales else "",
             reason=order.cancel_reason or "—", state=cards.state_label(language, order.state))
    return Rendered(text, (cards.cancel_answer_buttons(language, order),))
