"""The outbox: notifications for people other than the sender, delivered after commit.

Writing a notification in the same transaction as the change that caused it
means a crash can never lose it nor send it for a change that was rolled back.
``key`` is unique: asking twice to send the same (rule, entity, slot) is a no-op.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage


async def enqueue(session: AsyncSession, *, key: str, chat_id: int, text: str, now: datetime,
                  buttons: list[list[dict[str, str]]] | None = None, entity: str | None = None,
                  not_before: datetime | None = None, attachment: dict[str, str] | None = None,
                  urgent: bool = False, answer: bool = False, render: dict[str, object] | None = None,
                  thread_id: int | None = None, topic: str | None = None) -> bool:
    """Queue one notification; False when that key was queued before.

    ``render`` says how to render it again when it is sent (see ``OutboxMessage.render``);
    ``thread_id`` / ``topic`` the forum topic of a group it goes to.
    """
    exists = (await session.execute(select(OutboxMessage.id).where(OutboxMessage.key == key))).first()
    if exists:
        return False
    session.add(OutboxMessage(
        key=key, chat_id=chat_id, text=text, buttons=json.dumps(buttons, ensure_ascii=False) if buttons else None,
        entity=entity, created_at=now, not_before=not_before or now, state="pending", attempts=0,
        attachment=json.dumps(attachment, ensure_ascii=False) if attachment else None, urgent=urgent,
        answer=answer, render=json.dumps(render, ensure_ascii=False) if render else None,
        thread_id=thread_id, topic=topic))
    await session.flush()
    return True


async def mark_skipped(session: AsyncSession, *, key: str, chat_id: int, now: datetime) -> None:
    """Record that a slot was evaluated and had nothing to say (state ``skipped``, never sent),
    so the next sweep does not compute it again."""
    if not (await session.execute(select(OutboxMessage.id).where(OutboxMessage.key == key))).first():
        session.add(OutboxMessage(key=key, chat_id=chat_id, text="", created_at=now, not_before=now,
                                  state="skipped", attempts=0))
        await session.flush()


async def due(session: AsyncSession, now: datetime, limit: int = 100) -> Sequence[OutboxMessage]:
    query = (select(OutboxMessage).where(OutboxMessage.state == "pending", OutboxMessage.not_before <= now)
             .order_by(OutboxMessage.id).limit(limit))
    if session.bind.dialect.name == "postgresql":
        # Several bot instances may drain the outbox; each row goes to exactly one.
        query = query.with_for_update(skip_locked=True)
    return (await session.execute(query)).scalars().all()


async def for_key(session: AsyncSession, key: str) -> OutboxMessage | None:
    return (await session.execute(select(OutboxMessage).where(OutboxMessage.key == key))).scalar_one_or_none()


async def existing_keys(session: AsyncSession, keys: list[str]) -> set[str]:
    """Which of ``keys`` were queued already — one query per 500 keys, so a sweep stays cheap."""
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        found |= set((await session.execute(select(OutboxMessage.key).where(OutboxMessage.key.in_(chunk)))).scalars())
    return found


async def summary(session: AsyncSession) -> dict[str, int]:
    from sqlalchemy import func

    rows = await session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
    return {state: count for state, count in rows.all()}


async def recent(session: AsyncSession, states: tuple[str, ...], limit: int = 10) -> Sequence[OutboxMessage]:
    return (await session.execute(select(OutboxMessage).where(OutboxMessage.state.in_(states))
                                  .order_by(OutboxMessage.id.desc()).limit(limit))).scalars().all()


async def pending_about(session: AsyncSession, chat_id: int, entity: str) -> OutboxMessage | None:
    """The first notification about ``entity`` still waiting for that chat, if any."""
    return (await session.execute(select(OutboxMessage).where(
        OutboxMessage.chat_id == chat_id, OutboxMessage.entity == entity, OutboxMessage.state == "pending")
        .order_by(OutboxMessage.not_before).limit(1))).scalar_one_or_none()


async def pending_for_chat(session: AsyncSession, chat_id: int) -> Sequence[OutboxMessage]:
    return (await session.execute(select(OutboxMessage).where(OutboxMessage.chat_id == chat_id,
                                                              OutboxMessage.state.in_(("pending", "sending")))
                                  .order_by(OutboxMessage.not_before))).scalars().all()
