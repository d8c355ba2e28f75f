"""Asking instead of guessing, and corrections as test data, on SQLite and PostgreSQL."""

from __future__ import annotations

import re

from sqlalchemy import select

from bot.demo import seed_demo_team
from domain.parsing.corrections import labelled_line
from handlers.app import App
from storage import orders as order_store
from storage.corrections import correction_journeys
from storage.models import Order
from tests.conftest import local
from tests.handlers.helpers import button_data, press, send

SALES = 2001
ORDER = "张三 13812345678 实木床1.8米1张 12月20日送 天河区天河路1号 全款"


async def _team(app: App) -> None:
    async with app.sessions() as session, session.begin():
        await seed_demo_team(session, app.clock.now())


async def _submit(app: App) -> str:
    card = await send(app, SALES, ORDER)
    done = await press(app, SALES, button_data(card, "确认"))
    match = re.search(r"DD\d{9,}", done.replies[0].text)
    assert match, done.replies[0].text
    return match.group(0)


async def test_duplicate_order_is_asked_about_and_new_order_keeps_the_original_message(app: App) -> None:
    app.clock.set(local(2026, 12, 3, 17, 20))  # type: ignore[attr-defined]
    await _team(app)
    number = await _submit(app)
    asked = await send(app, SALES, f"{number} {ORDER}", at=local(2026, 12, 3, 17, 25))
    assert asked.replies[0].text == f"{number} 已经是张三的订单。这条是对它的修改吗？"
    app.clock.set(local(2026, 12, 3, 18, 40))  # type: ignore[attr-defined]
    answered = await press(app, SALES, button_data(asked, "不，新订单"))
    assert "订单草稿" in answered.replies[-1].text
    async with app.sessions() as session:
        draft = (await session.execute(select(Order).where(Order.state == "draft"))).scalar_one()
    # the draft is dated by the message, not by the button press: inside the window, no rush flag
    assert draft.sent_at.astimezone(local(2026, 1, 1).tzinfo) == local(2026, 12, 3, 17, 25)
    assert "rush_insertion" not in draft.flag_set


async def test_a_guessed_field_is_remembered_until_corrected_and_exported(app: App) -> None:
    app.clock.set(local(2026, 12, 3, 17, 20))  # type: ignore[attr-defined]
    await _team(app)
    text = "今天下午高洁在我们店定了实木床1张，12月20日送到天河区天河路1号，电话13812345678，全款"
    card = await send(app, SALES, text)
    assert "客户：高洁 ?" in card.replies[0].text
    async with app.sessions() as session:
        draft = (await session.execute(select(Order).where(Order.state == "draft"))).scalar_one()
        assert await order_store.uncertain_fields(session, draft.id) == {"customer_name"}
    await press(app, SALES, button_data(card, "修改"))
    fixed = await send(app, SALES, "客户：高小洁")
    assert "客户：高小洁" in fixed.replies[-1].text and " ?" not in fixed.replies[-1].text
    async with app.sessions() as session:
        assert await order_store.uncertain_fields(session, draft.id) == frozenset()
        [journey] = await correction_journeys(session)
    line = labelled_line("c1", journey.text, journey.sent_at, journey.parsed, journey.corrections)
    assert line is not None and line["expected"]["customer_name"] == "高小洁" and line["text"] == text
