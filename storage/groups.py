"""Group chats the bot works in: store groups, the clerks' desk and its topics, departures."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import added
from storage.models import GroupDeparture, GroupLink, GroupRole, OutboxMessage, OutboxState


async def set_link(session: AsyncSession, chat_id: int, *, role: GroupRole, store_id: int | None, title: str | None,
                   by: int | None, now: datetime) -> GroupLink:
    """Link (or re-link) a group; a group can be one store's group or the desk, never both."""
    link = await session.get(GroupLink, chat_id) or GroupLink(chat_id=chat_id)
    session.add(link)
    if link.role != role or link.store_id != store_id:
        link.topics = None  # topics belong to a desk link; a re-linked group starts afresh
    link.role, link.store_id, link.title, link.linked_by, link.linked_at = role, store_id, title, by, now
    await session.flush()
    return link


async def mark_told(session: AsyncSession, chat_id: int, *, title: str | None, now: datetime) -> bool:
    """Remember that an unlinked group had its one answer; False when it had it already."""
    link = await session.get(GroupLink, chat_id) or GroupLink(chat_id=chat_id, role=GroupRole.UNLINKED, title=title)
    if link.role is not GroupRole.UNLINKED or link.told_at is not None:
        return False
    link.told_at = now
    session.add(link)
    await session.flush()
    return True


async def unlink(session: AsyncSession, chat_id: int) -> bool:
    link = await session.get(GroupLink, chat_id)
    if link is None or link.role is GroupRole.UNLINKED:
        return False
    link.role, link.store_id, link.topics = GroupRole.UNLINKED, None, None
    await session.flush()
    return True


async def desk(session: AsyncSession) -> GroupLink | None:
    """The clerks' desk group (the latest linked, should someone link two)."""
    return await session.scalar(select(GroupLink).where(GroupLink.role == GroupRole.DESK)
                                .order_by(GroupLink.linked_at.desc()).limit(1))


def topics(link: GroupLink) -> dict[str, int]:
    return {str(k): int(v) for k, v in json.loads(link.topics or "{}").items()}


async def set_topic(session: AsyncSession, chat_id: int, key: str, thread_id: int) -> None:
    link = await session.get(GroupLink, chat_id)
    if link is None:
        return
    link.topics = json.dumps({**topics(link), key: thread_id}, ensure_ascii=False)
    await session.flush()


async def move(session: AsyncSession, old_chat_id: int, new_chat_id: int) -> GroupLink | None:
    """A group upgraded to a supergroup: its link, departures and waiting messages follow the new id."""
    old = await session.get(GroupLink, old_chat_id)
    if old is None:
        return await session.get(GroupLink, new_chat_id)
    new = await session.get(GroupLink, new_chat_id) or GroupLink(
        chat_id=new_chat_id, role=old.role, store_id=old.store_id, title=old.title, topics=old.topics,
        linked_by=old.linked_by, linked_at=old.linked_at, told_at=old.told_at, migrated_from=old_chat_id)
    session.add(new)
    await session.delete(old)
    await session.execute(update(GroupDeparture).where(GroupDeparture.chat_id == old_chat_id)
                          .values(chat_id=new_chat_id))
    waiting = (OutboxState.PENDING, OutboxState.SENDING)
    await session.execute(update(OutboxMessage).where(OutboxMessage.chat_id == old_chat_id,
                                                      OutboxMessage.state.in_(waiting))
                          .values(chat_id=new_chat_id))
    await session.flush()
    return new


async def left(session: AsyncSession, chat_id: int, telegram_id: int, now: datetime) -> None:
    if await session.get(GroupDeparture, (chat_id, telegram_id)) is None:
        await added(session, GroupDeparture(chat_id=chat_id, telegram_id=telegram_id, left_at=now))


async def rejoined(session: AsyncSession, chat_id: int, telegram_id: int) -> None:
    await session.execute(delete(GroupDeparture).where(GroupDeparture.chat_id == chat_id,
                                                       GroupDeparture.telegram_id == telegram_id))


async def has_left(session: AsyncSession, chat_id: int, telegram_id: int) -> bool:
    return await session.get(GroupDeparture, (chat_id, telegram_id)) is not None
