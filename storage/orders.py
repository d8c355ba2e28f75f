"""Queries on orders, their lines, history, pending changes and the awaited answer. Never commit."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any, Unpack

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from domain.orders.lifecycle import OrderState

from storage import history as history_of
from storage.db import added, entities, is_postgres
from storage.history import EventFacts
from storage.models import ChangeState
from storage.models import AuditEntry, AwaitingInput, DocumentCounter, Order, OrderEvent, PendingChange, ReturnDay
from storage.scope import Scope

OPEN_STATES = (OrderState.submitted, OrderState.received, OrderState.confirmed, OrderState.placed, OrderState.complete,
               OrderState.printed, OrderState.picked_up, OrderState.delivered)


async def next_document_seq(session: AsyncSession, kind: str, year_month: str) -> int:
    """Hand out the next number of a month, safely under concurrent confirms.

    PostgreSQL: the counter row is locked (FOR UPDATE) until the transaction
    ends; SQLite: writers are serialised by BEGIN IMMEDIATE (storage.db).
    """
    insert = postgresql.insert if is_postgres(session) else sqlite.insert
    await session.execute(insert(DocumentCounter).values(kind=kind, year_month=year_month, last_seq=0)
                          .on_conflict_do_nothing())
    counter = (await session.scalars(select(DocumentCounter).with_for_update().where(
        DocumentCounter.kind == kind, DocumentCounter.year_month == year_month))).one()
    counter.last_seq += 1
    await session.flush()
    return counter.last_seq


async def order_by_id(session: AsyncSession, order_id: int) -> Order | None:
    return await session.get(Order, order_id)


async def order_by_number(session: AsyncSession, number: str) -> Order | None:
    return await session.scalar(select(Order).where(Order.number == number.upper()))


async def order_by_source_message(session: AsyncSession, chat_id: int, message_id: int) -> Order | None:
    return await session.scalar(select(Order).where(Order.source_chat_id == chat_id,
                                                    Order.source_message_id == message_id)
                                .order_by(Order.id.desc()).limit(1))


async def entity_of_bot_message(session: AsyncSession, chat_id: int, message_id: int) -> str | None:
    """What a bot message (a card) was about, from the outbound audit entry."""
    return await session.scalar(
        select(AuditEntry.entity).where(AuditEntry.chat_id == chat_id, AuditEntry.message_id == message_id,
                                        AuditEntry.kind.in_(("outbound", "outbound_edit")),
                                        AuditEntry.entity.is_not(None))
        .order_by(AuditEntry.seq.desc()).limit(1))


async def orders_visible(session: AsyncSession, *, sales_id: int | None = None, store_id: int | None = None,
                         limit: int = 30) -> Sequence[Order]:
    query = select(Order).where(Order.state.in_(OPEN_STATES), *Scope(store_id=store_id, sales_id=sales_id).orders())
    return await entities(session, query.order_by(Order.order_date.asc().nulls_last(), Order.id).limit(limit))


async def submitted_since(session: AsyncSession, *, store_id: int | None, phone: str, since: datetime,
                          exclude_id: int) -> Sequence[Order]:
    """Orders of one store for one customer phone submitted at or after ``since`` (the duplicate
    check's candidates, ``exclude_id`` the order checked), newest first; cancelled ones do not count."""
    query = select(Order).where(Order.customer_phone == phone, Order.number.is_not(None), Order.id != exclude_id,
                                Order.submitted_at >= since, Order.state != OrderState.cancelled,
                                Order.store_id.is_(None) if store_id is None else Order.store_id == store_id)
    return await entities(session, query.order_by(Order.submitted_at.desc()).limit(10))


async def latest_draft(session: AsyncSession, sales_id: int, *, since: datetime) -> Order | None:
    """The sales person's newest draft (草稿) created at or after ``since``, if any."""
    return await session.scalar(
        select(Order).where(Order.state == OrderState.draft, Order.sales_id == sales_id, Order.created_at >= since)
        .order_by(Order.id.desc()).limit(1))


async def drafts_held_until(session: AsyncSession, day: date) -> Sequence[Order]:
    """Orders paused by a return day (R12) whose hold ends on or before ``day``."""
    query = select(Order).where(Order.state == OrderState.draft, Order.held_until <= day).order_by(Order.id)
    return await entities(session, query)


async def add_event(session: AsyncSession, order: Order, **facts: Unpack[EventFacts]) -> OrderEvent:
    return await history_of.add(session, OrderEvent(order_id=order.id), facts)


async def history(session: AsyncSession, order_id: int) -> Sequence[OrderEvent]:
    return await history_of.events(session, OrderEvent, OrderEvent.order_id == order_id)


async def uncertain_fields(session: AsyncSession, order_id: int) -> frozenset[str]:
    """The draft's fields the parser was unsure of, less those the sales person has set since."""
    rows = (await session.execute(
        select(OrderEvent.event, OrderEvent.detail).where(OrderEvent.order_id == order_id,
                                                          OrderEvent.event.in_(("drafted", "draft_filled")))
        .order_by(OrderEvent.id))).all()
    unsure: set[str] = set()
    for event, detail in rows:
        data = json.loads(detail) if detail else {}
        if event == "drafted":
            unsure = set(data.get("uncertain") or ())
        else:
            unsure -= set(data.get("fields") or ())
    return frozenset(unsure)


async def audit_entries(session: AsyncSession, ids: Sequence[int]) -> dict[int, AuditEntry]:
    if not ids:
        return {}
    return {row.id: row for row in await session.scalars(select(AuditEntry).where(AuditEntry.id.in_(ids)))}


# -- the one question the bot waits for --------------------------------------------

async def awaiting(session: AsyncSession, user_id: int) -> AwaitingInput | None:
    found = await session.get(AwaitingInput, user_id)
    if found is None:
        session.info[(_NONE_AWAITED, user_id)] = True  # clear_awaiting then needs no statement
    return found


async def await_input(session: AsyncSession, user_id: int, *, kind: str, ref_id: int, field: str | None,
                      now: datetime) -> None:
    await session.execute(delete(AwaitingInput).where(AwaitingInput.user_id == user_id))
    session.add(AwaitingInput(user_id=user_id, kind=kind, ref_id=ref_id, field=field, created_at=now))
    session.info.pop((_NONE_AWAITED, user_id), None)
    await session.flush()


async def clear_awaiting(session: AsyncSession, user_id: int) -> None:
    # Most messages answer no question: when this transaction saw none awaited (its chat's updates
    # are applied one at a time), there is nothing to delete.
    if session.info.get((_NONE_AWAITED, user_id)):
        return
    await session.execute(delete(AwaitingInput).where(AwaitingInput.user_id == user_id))


_NONE_AWAITED = "none-awaited"


# -- changes ------------------------------------------------------------------------

async def add_pending_change(session: AsyncSession, *, order: Order, requested_by: int, now: datetime,
                             changes: dict[str, Any], origin: str, evidence_id: int | None) -> PendingChange:
    # A newer request replaces an older unanswered one for the same order.
    await session.execute(update(PendingChange).where(PendingChange.order_id == order.id,
                                                      PendingChange.state == ChangeState.PENDING).values(state=ChangeState.DROPPED))
    return await added(session, PendingChange(
        order_id=order.id, requested_by=requested_by, created_at=now, state=ChangeState.PENDING,
        changes=json.dumps(changes, ensure_ascii=False, default=str), origin=origin, evidence_id=evidence_id))


# -- return day ---------------------------------------------------------------------

async def return_day_of_month(session: AsyncSession, year_month: str) -> date | None:
    row = await session.get(ReturnDay, year_month)
    return row.day if row else None


async def set_return_day(session: AsyncSession, *, day: date, user_id: int, now: datetime) -> None:
    await session.merge(ReturnDay(year_month=f"{day.year:04d}-{day.month:02d}", day=day, set_by=user_id,
                                  set_at=now))
    await session.flush()


def search_filter(*texts: str) -> ColumnElement[bool]:
    """Orders matching a customer phone or name fragment, any of ``texts`` (a name's spellings)."""
    return or_(*(column.like(f"%{text}%") for text in texts for column in (Order.customer_phone, Order.customer_name)))


async def orders_of_customer(session: AsyncSession, needles: Sequence[str]) -> Sequence[Order]:
    """Submitted orders (with a number) whose customer phone or name contains one of ``needles``
    (one phone, or a name's spellings), at most 20."""
    query = select(Order).where(search_filter(*needles), Order.number.is_not(None)).limit(20)
    return await entities(session, query)


async def find_numbered(session: AsyncSession, text: str, *, spellings: Sequence[str] = (),
                        sales_id: int | None = None, store_id: int | None = None) -> Sequence[Order]:
    """Handed-in orders whose number, customer phone or customer name contains ``text`` (or one of
    its ``spellings``), newest first, within what ``sales_id`` / ``store_id`` limit (the desk's search)."""
    query = select(Order).where(Order.number.is_not(None),
                                or_(search_filter(text, *spellings), Order.number.like(f"%{text.upper()}%")),
                                *Scope(store_id=store_id, sales_id=sales_id).orders())
    return await entities(session, query.order_by(Order.id.desc()).limit(30))
