"""The desk group's forum topics: looked up when a message is sent, opened the first time."""

from __future__ import annotations

import logging
from typing import Protocol

from handlers.app import App
from handlers.groups.desk import DAILY_TOPIC
from storage import groups as group_store
from storage.models import GroupLink, GroupRole
from storage.users import store_by_code

log = logging.getLogger(__name__)


class OpensTopics(Protocol):
    """What opening a topic needs of the transport (``bot.transport.outgoing``; handlers do not import bot)."""

    async def create_topic(self, chat_id: int, name: str) -> int: ...


async def thread_for(app: App, api: OpensTopics, chat_id: int, key: str) -> int | None:
    """The thread id of topic ``key`` in group ``chat_id``; opens the topic through ``api``
    (``create_topic(chat_id, name)``) when the group has none yet. None: post in General."""
    async with app.sessions() as session:
        link = await session.get(GroupLink, chat_id)
        if link is None or link.role is not GroupRole.DESK:
            return None
        known = group_store.topics(link)
        if key in known:
            return known[key]
        name = key
        if key != DAILY_TOPIC and (store := await store_by_code(session, key)) is not None:
            name = f"{store.code} {store.name}"
    thread_id = await api.create_topic(chat_id, name)
    async with app.sessions() as session, session.begin():
        await group_store.set_topic(session, chat_id, key, thread_id)
    log.info("desk group %s: opened topic %r (thread %s)", chat_id, name, thread_id)
    return thread_id


async def chat_moved(app: App, old_chat_id: int, new_chat_id: int) -> None:
    """Telegram said the group is a supergroup now: the link follows it."""
    async with app.sessions() as session, session.begin():
        await group_store.move(session, old_chat_id, new_chat_id)
