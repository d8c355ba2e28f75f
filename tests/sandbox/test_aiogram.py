"""aiogram, unchanged, pointed at the sandbox through TelegramAPIServer.from_base."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramBadRequest, TelegramRetryAfter, TelegramServerError
from aiogram.types import BotCommand, BotCommandScopeChat, BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer

pytestmark = pytest.mark.e2e

KEYBOARD = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="确认", callback_data="ok"), InlineKeyboardButton(text="修改", callback_data="edit")]]
)


@pytest.fixture
async def aio(server: SandboxServer) -> AsyncIterator[Bot]:
    session = AiohttpSession(api=TelegramAPIServer.from_base(server.root_url))
    bot = Bot(server.token, session=session)
    try:
        yield bot
    finally:
        await bot.session.close()


async def test_get_me(aio: Bot) -> None:
    me = await aio.get_me()
    assert me.is_bot and me.id == 100000


async def test_keyboard_callback_answer_and_edit_round_trip(aio: Bot, client: SandboxClient) -> None:
    await client.send_text(201, "订单 9 到货了吗", first_name="李四")
    [update] = await aio.get_updates(timeout=2)
    assert update.message is not None and update.message.text == "订单 9 到货了吗"
    sent = await aio.send_message(201, "请确认", reply_markup=KEYBOARD, reply_to_message_id=update.message.message_id)
    [event] = await client.wait_for_bot(201, 0)
    assert event["reply_markup"]["inline_keyboard"][0][1] == {"text": "修改", "callback_data": "edit"}

    await client.press(201, event, "修改")
    [press] = await aio.get_updates(offset=update.update_id + 1, timeout=2)
    assert press.callback_query is not None and press.callback_query.data == "edit"
    assert await aio.answer_callback_query(press.callback_query.id, text="请输入新数量", show_alert=True)
    edited = await aio.edit_message_text(text="请输入新数量", chat_id=201, message_id=sent.message_id)
    assert not isinstance(edited, bool) and edited.text == "请输入新数量"
    events = await client.wait_for_bot(201, event["seq"], count=2)
    assert events[0]["kind"] == "callback_answer" and events[0]["show_alert"] is True
    assert events[1]["kind"] == "edit" and events[1]["reply_markup"] is None
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await aio.edit_message_text(text="请输入新数量", chat_id=201, message_id=sent.message_id)


async def test_send_document_get_file_and_download(aio: Bot, client: SandboxClient) -> None:
    await client.register_user(202, "周七")
    payload = b"PK\x03\x04 fake xlsx bytes"
    message = await aio.send_document(202, BufferedInputFile(payload, filename="weekly.xlsx"), caption="周报")
    assert message.document is not None and message.document.file_name == "weekly.xlsx"
    tg_file = await aio.get_file(message.document.file_id)
    assert tg_file.file_path is not None
    downloaded = await aio.download_file(tg_file.file_path)
    assert downloaded is not None and downloaded.read() == payload


async def test_set_my_commands_with_chat_scope(server: SandboxServer, aio: Bot) -> None:
    await aio.set_my_commands([BotCommand(command="fine", description="罚款")], scope=BotCommandScopeChat(chat_id=203))
    assert [c.command for c in await aio.get_my_commands(scope=BotCommandScopeChat(chat_id=203))] == ["fine"]
    assert server.calls_to("setMyCommands")[-1]["params"]["scope"] == {"type": "chat", "chat_id": 203}


async def test_429_fault_becomes_retry_after(server: SandboxServer, aio: Bot, client: SandboxClient) -> None:
    await client.register_user(204, "A")
    server.faults.add(method="sendMessage", status=429, retry_after=2)
    with pytest.raises(TelegramRetryAfter) as caught:
        await aio.send_message(204, "hi")
    assert caught.value.retry_after == 2
    assert (await aio.send_message(204, "hi")).text == "hi"


async def test_500_fault_becomes_server_error(server: SandboxServer, aio: Bot, client: SandboxClient) -> None:
    await client.register_user(205, "B")
    server.faults.add(method="sendMessage", status=500)
    with pytest.raises(TelegramServerError):
        await aio.send_message(205, "hi")
    assert (await aio.send_message(205, "hi")).text == "hi"


async def test_chat_menu_button_web_app(aio: Bot, client: SandboxClient) -> None:
    from aiogram.types import MenuButtonWebApp, WebAppInfo

    await client.register_user(205, "王经理")
    await aio.set_chat_menu_button(chat_id=205, menu_button=MenuButtonWebApp(text="管理台",
                                                                             web_app=WebAppInfo(url="https://x.test/d")))
    button = await aio.get_chat_menu_button(chat_id=205)
    assert button.type == "web_app" and button.web_app.url == "https://x.test/d"  # type: ignore[union-attr]
