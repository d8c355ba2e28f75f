"""The outbox in groups: at most 20 messages a minute into one group, desk topics opened once
and remembered, and a group that became a supergroup gets its messages at its new id."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from bot.transport.delivery import ChatMoved, RecipientBlocked
from handlers.types import Reply
from schedules.outbox_sender import OutboxSender, RateLimits
from storage import groups as group_store
from storage import outbox
from storage.models import GroupLink, GroupRole, OutboxMessage

GROUP, DESK, NEW_GROUP = -4_000_000_001, -1_000_000_000_002, -1_000_000_000_003


@dataclass
class FakeTime:
    """A monotonic clock that only moves when the sender sleeps."""

    now: float = 0.0
    slept: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class GroupApi:
    time: FakeTime
    sent: list[tuple[float, Reply]] = field(default_factory=list)
    topics: list[tuple[int, str]] = field(default_factory=list)
    moved: dict[int, int] = field(default_factory=dict)

    async def send(self, reply: Reply) -> int:
        if reply.chat_id in self.moved:
            raise ChatMoved("Bad Request: group chat was upgraded to a supergroup chat", self.moved[reply.chat_id])
        self.sent.append((self.time.now, reply))
        return len(self.sent)

    async def create_topic(self, chat_id: int, name: str) -> int:
        self.topics.append((chat_id, name))
        return 100 + len(self.topics)


def _sender(app, api: GroupApi, time: FakeTime) -> OutboxSender:  # type: ignore[no-untyped-def]
    return OutboxSender(app, api, transient=(ChatMoved,), blocked=(RecipientBlocked,),
                        limits=RateLimits(0.0, 1000, 20), sleep=time.sleep, monotonic=time.monotonic)


async def test_a_group_gets_at_most_20_messages_a_minute_other_chats_are_not_held(app) -> None:  # type: ignore[no-untyped-def]
    async with app.sessions() as session, session.begin():
        for i in range(25):
            await outbox.enqueue(session, key=f"g:{i}", chat_id=GROUP, text=f"群 {i}", now=app.clock.now(), answer=True)
        await outbox.enqueue(session, key="private", chat_id=2001, text="私聊", now=app.clock.now(), answer=True)
    time = FakeTime()
    api = GroupApi(time)
    await _sender(app, api, time).drain()
    group_times = [at for at, reply in api.sent if reply.chat_id == GROUP]
    assert len(group_times) == 25
    assert group_times[19] < 60.0 <= group_times[20]  # the 21st waits until the first is a minute old
    for first, later in zip(group_times, group_times[20:]):
        assert later - first >= 60.0
    [private_at] = [at for at, reply in api.sent if reply.chat_id == 2001]
    assert private_at >= 60.0  # queued after the group's rows, so it waited its turn; nothing lost


async def test_desk_topics_are_opened_once_and_remembered(app) -> None:  # type: ignore[no-untyped-def]
    async with app.sessions() as session, session.begin():
        await group_store.set_link(session, DESK, role=GroupRole.DESK, store_id=None, title="跟单台", by=None,
                                   now=app.clock.now())
        for i, topic in enumerate(("日报", "日报", "DD202612001")):
            await outbox.enqueue(session, key=f"d:{i}", chat_id=DESK, text=f"台 {i}", now=app.clock.now(),
                                 answer=True, topic=topic)
    time = FakeTime()
    api = GroupApi(time)
    await _sender(app, api, time).drain()
    assert api.topics == [(DESK, "日报"), (DESK, "DD202612001")]
    assert [reply.thread_id for _, reply in api.sent] == [101, 101, 102]
    async with app.sessions() as session:
        link = await session.get(GroupLink, DESK)
        assert link is not None and group_store.topics(link) == {"日报": 101, "DD202612001": 102}


async def test_a_message_to_a_migrated_group_follows_it_to_the_supergroup(app) -> None:  # type: ignore[no-untyped-def]
    async with app.sessions() as session, session.begin():
        await group_store.set_link(session, GROUP, role=GroupRole.DESK, store_id=None, title="跟单台", by=None,
                                   now=app.clock.now())
        await outbox.enqueue(session, key="m", chat_id=GROUP, text="还在吗", now=app.clock.now(), answer=True)
    time = FakeTime()
    api = GroupApi(time, moved={GROUP: NEW_GROUP})
    sender = _sender(app, api, time)
    await sender.drain()
    await sender.drain()
    assert [(reply.chat_id, reply.text) for _, reply in api.sent] == [(NEW_GROUP, "还在吗")]
    async with app.sessions() as session:
        row = (await session.execute(select(OutboxMessage).where(OutboxMessage.key == "m"))).scalar_one()
        assert row.state == "sent" and row.chat_id == NEW_GROUP
        assert await session.get(GroupLink, GROUP) is None
        assert (await session.get(GroupLink, NEW_GROUP)).migrated_from == GROUP  # type: ignore[union-attr]
