"""/desk: a web_app button where the desk is served, the reason where it is not, nothing for sales."""

from __future__ import annotations

import dataclasses

from bot.demo import seed_demo_team
from handlers.app import App
from handlers.desk.command import menu_button
from handlers.types import keyboard_from_json, keyboard_to_json
from tests.handlers.helpers import send


async def test_desk_answers_with_the_mini_app_button_or_says_why_not(app) -> None:  # type: ignore[no-untyped-def]
    async with app.sessions() as session, session.begin():
        await seed_demo_team(session, app.clock.now())
    unserved = await send(app, 1002, "/desk")
    assert "public_url" in unserved.replies[0].text and not unserved.replies[0].buttons
    served = dataclasses.replace(app, config=dataclasses.replace(app.config, desk_url="https://bot.example/desk"))
    assert isinstance(served, App)
    for who in (1002, 1003, 2002):  # manager, clerk, store manager
        button = (await send(served, who, "/desk")).replies[0].buttons[0][0]
        assert (button.web_app, button.data) == ("https://bot.example/desk", "")
    refused = await send(served, 2001, "/desk")
    assert not refused.replies[0].buttons and "/desk" in refused.replies[0].text


def test_a_web_app_button_survives_the_outbox_round_trip() -> None:
    from handlers.types import Button

    rows = ((Button("管理台", "", web_app="https://x/desk"), Button("确认", "f:1:confirm")),)
    assert keyboard_from_json(keyboard_to_json(rows)) == rows


def test_the_menu_button_is_for_desk_roles_only() -> None:
    assert menu_button("manager", "en", "https://x/desk") == ("Desk", "https://x/desk")
    assert menu_button("sales", "zh-CN", "https://x/desk") is None
    assert menu_button("admin", "zh-CN", "https://x/desk") is None
    assert menu_button("clerk", "zh-CN", "") is None
