"""The desk as a manager sees it: headless Chromium (Debian's) opens the sandbox-signed URL, the order a
sales person just typed in chat is on the board, the manager confirms its fine and opens its evidence.

With ``ORDERBOT_DESK_SHOTS=DIR`` each screen is also saved as a PNG there (board, KPIs, find, evidence,
phone width, dark theme).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.desk.launch import launch_url
from bot.sandbox.server import SANDBOX_TOKEN
from storage.models import Fine
from tests.conftest import require_browser

ORDER = "张姐 139 0000 1234 实木餐桌一张 下周六送 江宁区天元路88号 全款"
MANAGER = 1002
SHOTS = os.environ.get("ORDERBOT_DESK_SHOTS")


@pytest.fixture
def framework() -> str:
    return "python-telegram-bot"  # the desk does not depend on the chat library; one is enough


async def _order_and_fine(harness) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    card = (await harness.say("sales1", ORDER))[-1]
    confirmed = await harness.press("sales1", card, "确认")
    number = re.search(r"DD\d{9}", "\n".join(e.get("text") or "" for e in confirmed)).group(0)  # type: ignore[union-attr]
    answer = await harness.say("clerk", f"/fine {number} 30 R8 打错单")
    fine = re.search(r"FK\d{9}", answer[-1]["text"]).group(0)  # type: ignore[union-attr]
    return number, fine


@pytest.mark.e2e
async def test_desk_people_get_the_mini_app_as_menu_button_and_desk(harness) -> None:  # type: ignore[no-untyped-def]
    desk_url = harness.runtime.desk.local_url
    for chat_id in (MANAGER, 1003, 2002):
        assert harness.sandbox.state.menu_buttons[chat_id] == {"type": "web_app", "text": "管理台",
                                                               "web_app": {"url": desk_url}}
    assert harness.sandbox.state.menu_buttons[2001] == {"type": "default"}  # sales: the command list
    answer = (await harness.say("manager", "/desk"))[-1]
    assert answer["reply_markup"]["inline_keyboard"][0][0] == {"text": "管理台", "web_app": {"url": desk_url}}
    refused = (await harness.say("sales1", "/desk"))[-1]
    assert "/desk" in refused["text"] and not (refused.get("reply_markup") or {}).get("inline_keyboard")


async def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


@pytest.mark.e2e
@pytest.mark.browser
async def test_a_manager_sees_the_chat_order_confirms_its_fine_and_opens_its_evidence(harness) -> None:  # type: ignore[no-untyped-def]
    chromium = require_browser()
    from playwright.async_api import async_playwright

    number, fine = await _order_and_fine(harness)
    desk = harness.runtime.desk
    url = launch_url(desk.local_url, bot_token=SANDBOX_TOKEN, telegram_id=MANAGER, name="王经理",
                     at=harness.sandbox.clock.now())
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = await browser.new_page(viewport={"width": 900, "height": 1000}, accept_downloads=True)
            await page.goto(url)
            await page.wait_for_selector("[data-screen=board]")
            assert number in await page.inner_text("#open-orders")
            await page.wait_for_selector(f"[data-fine={fine}] [data-action=fine_confirm]")
            await (await page.query_selector(f"[data-fine={fine}]")).scroll_into_view_if_needed()  # type: ignore[union-attr]
            await _shot(page, "1-board")

            await page.click(f"[data-fine={fine}] [data-action=fine_confirm]")
            toast = page.locator("#toast")
            await toast.wait_for(state="visible")
            assert fine in await toast.inner_text()
            await page.wait_for_selector(f"[data-fine={fine}]", state="detached")
            async with harness.runtime.app.sessions() as session:
                state = (await session.execute(select(Fine.state).where(Fine.number == fine))).scalar_one()
            assert state == "confirmed"

            await page.click(f"#open-orders [data-item={number}]")
            await page.wait_for_selector("[data-screen=item]")
            assert "✔" in await page.inner_text("#verdict")
            async with page.expect_download() as waiting:
                await page.click(f"[data-download={number}]")
            download = await waiting.value
            assert download.suggested_filename == f"evidence-{number}.html"
            assert number in Path(await download.path()).read_text(encoding="utf-8")
            await _shot(page, "4-evidence")

            await page.click("#tab-kpi")
            await page.wait_for_selector("[data-screen=kpi] svg#trend")
            await _shot(page, "2-kpi")

            await page.click("#tab-find")
            await page.fill("input[name=q]", "张姐")
            await page.press("input[name=q]", "Enter")
            await page.wait_for_selector("#found-orders")
            assert number in await page.inner_text("#found-orders")
            assert "13900001234" in await page.inner_text("#found-orders")  # a manager sees the phone
            await _shot(page, "3-find")

            if SHOTS:  # a phone, in Telegram's dark theme
                phone = await browser.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=2)
                await phone.goto(launch_url(desk.local_url, bot_token=SANDBOX_TOKEN, telegram_id=MANAGER,
                                            name="王经理", at=harness.sandbox.clock.now(), theme="dark"))
                await phone.wait_for_selector("[data-screen=board]")
                await _shot(phone, "5-phone-dark-board")
                await phone.click("#tab-kpi")
                await phone.wait_for_selector("svg#trend")
                await _shot(phone, "6-phone-dark-kpi")
        finally:
            await browser.close()
