"""The outbox: notifications for people other than the sender, delivered after commit.

Writing a notification in the same transaction as the change that caused it
means a crash can never lose it nor send it for a change that was rolled back.
``key`` is unique: asking twice to send the same (rule, entity, slot) is a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, Select, and_, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import added, rows_in
from storage.models import OutboxMessage, OutboxState


async def enqueue(session: AsyncSession, *, key: str, chat_id: int, text: str, now: datetime,
                  buttons: list[list[dict[str, str]]] | None = None, entity: str | None = None,
                  not_before: datetime | None = None, attachment: dict[str, str] | None = None,
                  urgent: bool = False, answer: bool = False, render: dict[str, object] | None = None,
                  thread_id: int | None = None, topic: str | None = None,
                  state: OutboxState = OutboxState.PENDING) -> bool:
    """Queue one notification; False when that key was queued before.

    ``render`` says how to render it again when it is sent (see ``OutboxMessage.render``);
    ``thread_id`` / ``topic`` the forum topic of a group it goes to.
    """
    if await session.scalar(select(OutboxMessage.id).where(OutboxMessage.key == key)) is not None:
        return False
    await added(session, OutboxMessage(
        key=key, chat_id=chat_id, text=text, buttons=_json(buttons), entity=entity, created_at=now,
        not_before=not_before or now, state=state, attempts=0, attachment=_json(attachment), urgent=urgent,
        answer=answer, render=_json(render), thread_id=thread_id, topic=topic))
    if state is OutboxState.PENDING:
        session.info[_QUEUED] = True
    return True


def _json(value: object) -> str | None:
    return json.dumps(value, ensure_ascii=False) if value else None


_QUEUED = "outbox-queued"  # in session.info


def queued_in(session: AsyncSession) -> bool:
    """Whether this session queued a notification to send: the sender need not look otherwise."""
    return bool(session.info.get(_QUEUED))


async def mark_skipped(session: AsyncSession, *, key: str, chat_id: int, now: datetime) -> None:
    """Record that a slot was evaluated and had nothing to say (state ``skipped``, never sent),
    so the next sweep does not compute it again."""
    await enqueue(session, key=key, chat_id=chat_id, text="", now=now, state=OutboxState.SKIPPED)


def _due(now: datetime, *, lease: timedelta, off_hours: bool, urgent_off_hours: bool) -> Select[OutboxMessage]:
    """Rows to send now: pending and due, or claimed by a sender whose lease ran out; outside
    working hours (R18) only answers, and urgent rows where config lets them through."""
    query = select(OutboxMessage).where(
        OutboxMessage.not_before <= now,
        or_(OutboxMessage.state == OutboxState.PENDING,
            and_(OutboxMessage.state == OutboxState.SENDING, OutboxMessage.not_before <= now - lease)))
    if off_hours:
        allowed: ColumnElement[bool] = OutboxMessage.answer.is_(True)
        if urgent_off_hours:
            allowed = or_(allowed, OutboxMessage.urgent.is_(True))
        query = query.where(allowed)
    return query


async def claim(session: AsyncSession, now: datetime, *, limit: int, lease: timedelta, off_hours: bool,
                urgent_off_hours: bool) -> list[OutboxMessage]:
    """Take the due rows for this sender (``sending``, claimed at ``now``), oldest first."""
    # Several bot instances may drain a PostgreSQL outbox; each row goes to exactly one (SQLite has no
    # FOR UPDATE: its writers are serialised).
    query = _due(now, lease=lease, off_hours=off_hours, urgent_off_hours=urgent_off_hours) \
        .order_by(OutboxMessage.id).limit(limit).with_for_update(skip_locked=True)
    rows = list(await session.scalars(query))
    for row in rows:
        row.state = OutboxState.SENDING
        row.not_before = now  # the claim time, so a stale claim can be recognised
    return rows


async def renew(session: AsyncSession, row_ids: Sequence[int], now: datetime) -> None:
    """Extend the lease on rows a sender still holds (the claim time is ``not_before``)."""
    await session.execute(update(OutboxMessage)
                          .where(OutboxMessage.id.in_(row_ids), OutboxMessage.state == OutboxState.SENDING)
                          .values(not_before=now))


async def busy(session: AsyncSession, now: datetime, *, lease: timedelta, off_hours: bool,
               urgent_off_hours: bool) -> bool:
    """Whether anything is being sent or is due to be sent now."""
    due = _due(now, lease=lease, off_hours=off_hours, urgent_off_hours=urgent_off_hours)
    if (await session.execute(due.limit(1))).first() is not None:
        return True
    sending = select(OutboxMessage.id).where(OutboxMessage.state == OutboxState.SENDING).limit(1)
    return (await session.execute(sending)).first() is not None


async def mark(session: AsyncSession, row_id: int, **values: object) -> None:
    """Record how a delivery went (state, attempts, error, the message id it got …)."""
    await session.execute(update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


async def for_key(session: AsyncSession, key: str) -> OutboxMessage | None:
    return await session.scalar(select(OutboxMessage).where(OutboxMessage.key == key))


async def existing_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of ``keys`` were queued already — one query per 500 keys, so a sweep stays cheap."""
    return {row.key for row in await rows_in(session, select(OutboxMessage.key), OutboxMessage.key, keys)}


async def summary(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
    return dict(rows.all())


async def recent(session: AsyncSession, states: tuple[OutboxState, ...], limit: int = 10) -> Sequence[OutboxMessage]:
    return (await session.scalars(select(OutboxMessage).where(OutboxMessage.state.in_(states))
                                  .order_by(OutboxMessage.id.desc()).limit(limit))).all()


async def pending_for_chat(session: AsyncSession, chat_id: int) -> Sequence[OutboxMessage]:
    waiting = (OutboxState.PENDING, OutboxState.SENDING)
    return (await session.scalars(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id,
                                                              OutboxMessage.state.in_(waiting))
                                  .order_by(OutboxMessage.not_before))).all()
