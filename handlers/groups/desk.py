"""The clerks' desk group (跟单台) as a destination: a clerk's notification goes into the
desk's topic for its store (or its order) instead of — or besides — the clerk's private chat.

One desk message stands for every clerk: its outbox key ends in ``:desk``, so the same
notification queued for three clerks is posted once. In ``desk`` mode the clerks' own keys
are marked skipped, so whoever checks "was this sent to everyone" still finds them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.roles import Role
from handlers.app import ClerkNotices, DeskTopics
from storage import groups as group_store
from storage import outbox
from storage.aftersales import case_by_number
from storage.models import AfterSalesCase, GroupLink, Order, User
from storage.orders import order_by_number

DAILY_TOPIC = "日报"


async def desk_for(session: AsyncSession, user: User, mode: ClerkNotices) -> GroupLink | None:
    """The desk group that takes ``user``'s notification, or None (not a clerk, or no desk)."""
    if user.role != Role.CLERK or mode == "private":
        return None
    return await group_store.desk(session)


async def topic_for(session: AsyncSession, entity: str | None, per: DeskTopics) -> str | None:
    """The desk topic of a notification: its store's code (or its order / case number, with
    ``per="order"``), 「日报」 for the daily sheets and lists, None (the General topic) otherwise."""
    if entity is None:
        return DAILY_TOPIC
    record: Order | AfterSalesCase | None = None
    if entity.startswith("DD"):
        record = await order_by_number(session, entity)
    elif entity.startswith("SH"):
        record = await case_by_number(session, entity)
    if record is None:
        return None
    if per == "order":
        return entity
    return record.store.code if record.store is not None else None


async def mention_for(session: AsyncSession, entity: str | None, user: User) -> str | None:
    """``@clerk`` when the notification is for the clerk who holds the order: the desk sees whose it is."""
    if entity is None or not entity.startswith("DD") or not user.username:
        return None
    order = await order_by_number(session, entity)
    return f"@{user.username}" if order is not None and order.clerk_id == user.id else None


async def queue(session: AsyncSession, desk: GroupLink, user: User, *, key: str, text: str, now: datetime,
                mode: ClerkNotices, per: DeskTopics, buttons: list[list[dict[str, str]]] | None = None,
                entity: str | None = None, not_before: datetime | None = None, live: dict[str, object] | None = None,
                urgent: bool = False, attachment: dict[str, str] | None = None) -> bool:
    """Queue ``user``'s notification (``key`` without the ``:u…`` part) at the desk.

    Rendered at send time as ``user`` (a clerk sees every order, so any clerk renders it the
    same); in ``desk`` mode the clerk's own row is recorded as skipped.
    """
    mention = await mention_for(session, entity, user)
    render = {**live, "as_user": user.id} if live else None
    if render is not None and mention:
        render["mention"] = mention
    queued = await outbox.enqueue(session, key=f"{key}:desk", chat_id=desk.chat_id,
                                  text=f"{mention} {text}" if mention else text, now=now, buttons=buttons,
                                  entity=entity, not_before=not_before, render=render, urgent=urgent,
                                  attachment=attachment, topic=await topic_for(session, entity, per))
    if mode == "desk":
        await outbox.mark_skipped(session, key=f"{key}:u{user.id}", chat_id=user.telegram_id, now=now)
    return queued
