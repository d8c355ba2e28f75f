"""Two instances, one chat (PostgreSQL): a lane that finds the chat's lock taken leaves at once,
and the instance holding it answers the chat's later update too, in order — no lane waits for
another instance's lock, holding a connection and a slot."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import pytest

from bot.pipeline import UpdatePipeline
from domain.parsing import Parser
from domain.policy.settings import PolicySettings
from handlers.app import App, AppConfig
from handlers.types import Reply
from storage import users
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from tests.conftest import FakeClock, local
from tests.handlers.helpers import RecordingBotApi

pytestmark = pytest.mark.postgres

SALES = 7400


@dataclass
class HeldBotApi(RecordingBotApi):
    """Sends only once ``go`` is set: the instance stays inside its lane (and the chat's lock)."""

    go: asyncio.Event = field(default_factory=asyncio.Event)
    sending: asyncio.Event = field(default_factory=asyncio.Event)

    async def send(self, reply: Reply) -> int:
        self.sending.set()
        await self.go.wait()
        return await super().send(reply)


def _update(n: int, text: str) -> dict:
    return {"update_id": n, "message": {"message_id": n, "date": 1_796_000_000, "text": text,
                                        "chat": {"id": SALES, "type": "private"},
                                        "from": {"id": SALES, "is_bot": False, "first_name": "导购"}}}


async def _nothing(*_: object) -> None:
    return None


async def test_the_instance_holding_a_chat_answers_what_another_recorded_meanwhile(pg_url: str) -> None:
    engines = [create_engine(pg_url, connections=10) for _ in range(2)]
    try:
        await upgrade(engines[0])
        clock = FakeClock(local(2026, 12, 3, 17, 20))
        async with session_factory(engines[0])() as session, session.begin():
            store = await users.add_store(session, code="S1", name="天河店", now=clock.now())
            await users.add_user(session, telegram_id=SALES, name="导购", role="sales", now=clock.now(),
                                 store_id=store.id)
        apis = [HeldBotApi(clock), HeldBotApi(clock)]
        apis[1].go.set()
        pipelines = [UpdatePipeline(App(sessions=session_factory(engine), clock=clock,
                                        config=AppConfig(policy=PolicySettings(), bot_id=1), parser=Parser()),
                                    api, engine, after_answer=_nothing, on_unreadable=_nothing)  # type: ignore[arg-type]
                     for engine, api in zip(engines, apis, strict=True)]
        await pipelines[0].accept(_update(1, "/help"))
        await asyncio.wait_for(apis[0].sending.wait(), 30)  # instance 0 is answering, holding the chat
        await pipelines[1].accept(_update(2, "/whoami"))
        await asyncio.wait_for(asyncio.gather(*pipelines[1]._lanes.values()), 10)  # left at once
        assert apis[1].sent == []
        apis[0].go.set()
        await asyncio.wait_for(asyncio.gather(*pipelines[0]._lanes.values()), 30)
        texts = [text for _, _, text in apis[0].sent]
        assert len(texts) == 2 and "可用命令" in texts[0] and "Telegram ID" in texts[1]  # /help, then /whoami
        assert apis[1].sent == []
    finally:
        for engine in engines:
            await engine.dispose()
