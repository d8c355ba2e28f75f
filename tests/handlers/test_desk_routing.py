"""Clerks' notifications with a desk group linked: one desk message per notification, in its
store's (or order's) topic, the daily sheet in 「日报」; the clerks' own rows skipped, or kept
too in "both" mode."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import select

from bot.demo import seed_demo_team
from handlers.reminders.sweep import sweep
from storage import groups as group_store
from storage.models import GroupRole, OutboxMessage
from tests.conftest import local
from tests.handlers.helpers import button_data, press, send

SALES, CLERK = 2001, 1003
DESK = -1_000_000_000_100
ORDER = "张三 13812345678 实木床1.8米1张 12月20日送 天河区天河路1号 全款"


async def _setup(app) -> None:  # type: ignore[no-untyped-def]
    async with app.sessions() as session, session.begin():
        await seed_demo_team(session, app.clock.now())
        await group_store.set_link(session, DESK, role=GroupRole.DESK, store_id=None, title="跟单台", by=None,
                                   now=app.clock.now())


async def _submit(app) -> str:  # type: ignore[no-untyped-def]
    card = await send(app, SALES, ORDER)
    done = await press(app, SALES, button_data(card, "确认"))
    return re.search(r"DD\d+", done.replies[0].text).group(0)  # type: ignore[union-attr]


async def _rows(app, like: str) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    async with app.sessions() as session:
        return list((await session.execute(select(OutboxMessage).where(OutboxMessage.key.like(like))
                                           .order_by(OutboxMessage.key))).scalars())


@pytest.mark.parametrize(("per", "topic"), [("store", "S1"), ("order", None)])
async def test_a_new_order_card_goes_once_into_the_desk_topic(app, clock, per: str, topic: str | None) -> None:  # type: ignore[no-untyped-def]
    clock.set(local(2026, 12, 3, 17, 20))
    app = dataclasses.replace(app, config=dataclasses.replace(app.config, desk_topics=per))
    await _setup(app)
    number = await _submit(app)
    desk, clerk = await _rows(app, f"order:{number}:new:%")
    assert (desk.key, desk.chat_id, desk.topic, desk.state) == (f"order:{number}:new:desk", DESK, topic or number,
                                                                 "pending")
    assert '"as_user"' in (desk.render or "")  # rendered at send time as a clerk
    assert (clerk.chat_id, clerk.state) == (CLERK, "skipped")


async def test_in_both_mode_the_clerk_also_gets_it_privately(app, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(local(2026, 12, 3, 17, 20))
    app = dataclasses.replace(app, config=dataclasses.replace(app.config, clerk_notices="both"))
    await _setup(app)
    number = await _submit(app)
    assert [(r.chat_id, r.state) for r in await _rows(app, f"order:{number}:new:%")] == [
        (DESK, "pending"), (CLERK, "pending")]


async def test_private_mode_ignores_the_desk(app, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(local(2026, 12, 3, 17, 20))
    app = dataclasses.replace(app, config=dataclasses.replace(app.config, clerk_notices="private"))
    await _setup(app)
    number = await _submit(app)
    assert [(r.chat_id, r.state) for r in await _rows(app, f"order:{number}:new:%")] == [(CLERK, "pending")]


async def test_the_daily_sheet_goes_to_the_daily_topic_once(app, clock) -> None:  # type: ignore[no-untyped-def]
    clock.set(local(2026, 12, 3, 17, 20))
    await _setup(app)
    await _submit(app)
    for minute in (30, 31):  # a second sweep does not queue it again
        when = local(2026, 12, 3, 18, minute)
        clock.set(when)
        await sweep(app, when)
    rows = await _rows(app, "R15:daily:%")
    desk = [r for r in rows if r.chat_id == DESK]
    assert [(r.key, r.topic) for r in desk] == [("R15:daily:2026-12-03:desk", "日报")]
    assert [r.state for r in rows if r.chat_id == CLERK] == ["skipped"]
    assert [r.state for r in rows if r.chat_id == 1002] == ["pending"]  # the manager: privately, as before
