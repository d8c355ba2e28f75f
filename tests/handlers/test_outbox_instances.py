"""Several bot instances on one PostgreSQL: each notification goes out once, one scheduler runs.
And on any backend: a person who blocked the bot is marked unreachable and the admins are told."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.demo import seed_demo_team
from bot.transport.delivery import RecipientBlocked
from schedules.outbox_sender import OutboxSender, RateLimits
from schedules.scheduler import Scheduler
from storage import outbox
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import OutboxMessage
from tests.handlers.helpers import RecordingBotApi


async def _no_sleep(_seconds: float) -> None:
    return None


async def _queue(app, n: int) -> None:  # type: ignore[no-untyped-def]
    async with app.sessions() as session, session.begin():
        for i in range(n):
            await outbox.enqueue(session, key=f"test:{i}", chat_id=1000 + i % 7, text=f"通知 {i}",
                                 now=app.clock.now())


@pytest.fixture
async def pg_app(pg_url: str, clock):  # type: ignore[no-untyped-def]
    """An App on a fresh PostgreSQL database (the multi-instance features are PostgreSQL's)."""
    from handlers.app import App, AppConfig

    engine = create_engine(pg_url)
    await upgrade(engine)
    yield App(sessions=session_factory(engine), clock=clock, config=AppConfig(), parser=None), engine
    await engine.dispose()


@pytest.mark.postgres
async def test_two_instances_draining_one_outbox_send_each_row_once(pg_app) -> None:  # type: ignore[no-untyped-def]
    app, _engine = pg_app
    await _queue(app, 60)
    apis = [RecordingBotApi(app.clock), RecordingBotApi(app.clock)]
    senders = [OutboxSender(app, api, transient=(RuntimeError,), blocked=(RecipientBlocked,),
                            limits=RateLimits(0.0, 10_000), sleep=_no_sleep) for api in apis]
    while True:
        sent = await asyncio.gather(*(s.drain(limit=7) for s in senders))
        if not any(sent):
            break
    texts = [text for api in apis for _, _, text in api.sent]
    assert sorted(texts) == sorted(f"通知 {i}" for i in range(60))
    assert all(api.sent for api in apis)  # both instances took part


@pytest.mark.postgres
async def test_only_one_instance_runs_the_scheduler(pg_app, pg_url: str) -> None:  # type: ignore[no-untyped-def]
    app, engine = pg_app
    second_engine = create_engine(pg_url)
    first = Scheduler(app, engine, sweep_seconds=60)
    second = Scheduler(app, second_engine, sweep_seconds=60)
    try:
        assert await first.start() is True
        assert await second.start() is False
        assert "sweep" in first.jobs and second.jobs == []
        await first.stop()
        assert await second.start() is True  # the lock passes on when the first instance stops
    finally:
        await first.stop()
        await second.stop()
        await second_engine.dispose()


async def test_a_blocked_recipient_is_marked_unreachable_and_the_admins_told(app) -> None:  # type: ignore[no-untyped-def]
    async with app.sessions() as session, session.begin():
        await seed_demo_team(session, app.clock.now())
        await outbox.enqueue(session, key="R6:remind_sales:x", chat_id=2001, text="提醒", now=app.clock.now())
    api = RecordingBotApi(app.clock, failures=[RecipientBlocked("Forbidden: bot was blocked by the user")])
    sender = OutboxSender(app, api, transient=(RuntimeError,), blocked=(RecipientBlocked,),
                          limits=RateLimits(0.0, 1000), sleep=_no_sleep)
    await sender.drain()
    await sender.drain()
    async with app.sessions() as session:
        row = (await session.execute(select(OutboxMessage).where(OutboxMessage.key == "R6:remind_sales:x"))).scalar_one()
    assert row.state == "unreachable" and "blocked" in row.last_error
    assert [(chat, text.split("（")[0]) for _, chat, text in api.sent] == [(1001, "⚠️ 无法给 张导购")]


@pytest.mark.parametrize(("urgent_allowed", "expected"), [(False, []), (True, ["🚨 上报"])])
async def test_outside_working_hours_only_urgent_rows_go_and_only_if_config_says(app, urgent_allowed: bool,  # type: ignore[no-untyped-def]
                                                                                  expected: list[str]) -> None:
    import dataclasses

    from domain.policy.settings import PolicySettings, WorkingTime
    from tests.conftest import local

    policy = PolicySettings(working=WorkingTime(urgent_escalations_ignore_hours=urgent_allowed))
    app = dataclasses.replace(app, config=dataclasses.replace(app.config, policy=policy))
    app.clock.set(local(2026, 12, 6, 3, 0))  # Sunday, 3 a.m.
    async with app.sessions() as session, session.begin():
        await outbox.enqueue(session, key="R14:escalate:x", chat_id=1002, text="🚨 上报", now=app.clock.now(),
                             urgent=True)
        await outbox.enqueue(session, key="R15:daily:x", chat_id=1002, text="📊 跟踪表", now=app.clock.now())
    api = RecordingBotApi(app.clock)
    sender = OutboxSender(app, api, transient=(RuntimeError,), blocked=(RecipientBlocked,),
                          limits=RateLimits(0.0, 1000), sleep=_no_sleep)
    await sender.drain()
    assert [text for _, _, text in api.sent] == expected
