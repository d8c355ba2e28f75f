"""python-telegram-bot, unchanged, pointed at the sandbox through base_url."""

from __future__ import annotations

import warnings
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, NetworkError, RetryAfter
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SandboxServer

pytestmark = pytest.mark.e2e

KEYBOARD = InlineKeyboardMarkup(
    [[InlineKeyboardButton("确认", callback_data="confirm:7"), InlineKeyboardButton("取消", callback_data="cancel:7")]]
)


@pytest.fixture
async def ptb(server: SandboxServer) -> AsyncIterator[Bot]:
    async with Bot(server.token, base_url=server.api_url, base_file_url=server.file_url) as bot:
        yield bot


def _seconds(value: int | timedelta) -> float:
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def test_get_me(ptb: Bot) -> None:
    me = await ptb.get_me()
    assert me.is_bot and me.username == "orderbot_sandbox_bot"


async def test_keyboard_callback_answer_and_edit_round_trip(ptb: Bot, client: SandboxClient) -> None:
    await client.send_text(101, "/start", first_name="王五")
    updates = await ptb.get_updates(timeout=2)
    assert updates[0].message.text == "/start" and updates[0].message.from_user.first_name == "王五"
    seq = await client.last_seq()
    sent = await ptb.send_message(101, "订单 7 请确认", reply_markup=KEYBOARD, reply_to_message_id=updates[0].message.message_id)
    [event] = await client.wait_for_bot(101, seq)
    assert (event["text"], event["message_id"]) == ("订单 7 请确认", sent.message_id)
    assert event["reply_to_message_id"] == updates[0].message.message_id

    await client.press(101, event, "确认")
    updates = await ptb.get_updates(offset=updates[-1].update_id + 1, timeout=2)
    query = updates[0].callback_query
    assert query.data == "confirm:7" and query.message.message_id == sent.message_id
    assert await query.answer("已确认") is True
    edited = await ptb.edit_message_text("订单 7 已确认", chat_id=101, message_id=sent.message_id)
    assert edited.text == "订单 7 已确认"
    events = await client.wait_for_bot(101, event["seq"], count=2)
    assert [(e["kind"], e["text"]) for e in events] == [("callback_answer", "已确认"), ("edit", "订单 7 已确认")]
    with pytest.raises(BadRequest, match="(?i)query is too old"):
        await query.answer("twice")


async def test_send_document_get_file_and_download(ptb: Bot, client: SandboxClient) -> None:
    await client.register_user(102, "赵六")
    payload = "订单号,状态\n7,单齐\n".encode()
    message = await ptb.send_document(102, document=payload, filename="report.csv", caption="本周报表")
    assert message.document.file_name == "report.csv" and message.caption == "本周报表"
    tg_file = await ptb.get_file(message.document.file_id)
    assert tg_file.file_path.startswith(ptb.base_file_url)
    assert bytes(await tg_file.download_as_bytearray()) == payload
    # Resending by file_id reuses the stored bytes.
    again = await ptb.send_document(102, document=message.document.file_id)
    assert again.document.file_id == message.document.file_id
    [event] = [e for e in await client.bot_messages(102) if e["message_id"] == message.message_id]
    assert await client.download(event["document"]["url"]) == payload


async def test_user_photo_reaches_ptb_and_downloads(ptb: Bot, client: SandboxClient) -> None:
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000002000000030806000000") + b"\x00" * 16
    sent = await client.send_photo(103, png, caption="破损照片", filename="damage.png")
    assert (sent["photo"][-1]["width"], sent["photo"][-1]["height"]) == (2, 3)
    [update] = await ptb.get_updates(timeout=2)
    assert update.message.caption == "破损照片"
    tg_file = await update.message.photo[-1].get_file()
    assert bytes(await tg_file.download_as_bytearray()) == png


async def test_429_fault_becomes_retry_after(server: SandboxServer, ptb: Bot, client: SandboxClient) -> None:
    await client.register_user(104, "A")
    server.faults.add(method="sendMessage", status=429, retry_after=3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB warns about int vs timedelta retry_after
        with pytest.raises(RetryAfter) as caught:
            await ptb.send_message(104, "hi")
        assert _seconds(caught.value.retry_after) == 3
    assert (await ptb.send_message(104, "hi")).text == "hi"


async def test_500_fault_becomes_network_error(server: SandboxServer, ptb: Bot, client: SandboxClient) -> None:
    await client.register_user(105, "B")
    server.faults.add(method="sendMessage", status=500)
    with pytest.raises(NetworkError):
        await ptb.send_message(105, "hi")
    assert (await ptb.send_message(105, "hi")).text == "hi"


async def test_set_my_commands_with_chat_scope(server: SandboxServer, ptb: Bot, client: SandboxClient) -> None:
    from telegram import BotCommand, BotCommandScopeChat

    await ptb.set_my_commands([BotCommand("orders", "我的订单")], scope=BotCommandScopeChat(106))
    assert [c.command for c in await ptb.get_my_commands(scope=BotCommandScopeChat(106))] == ["orders"]
    assert await ptb.get_my_commands() == ()
    assert server.calls_to("setMyCommands")[-1]["params"]["scope"] == {"type": "chat", "chat_id": 106}
    assert [c["command"] for c in await client.commands(106)] == ["orders"]


async def test_application_polling_runs_command_and_callback_handlers(server: SandboxServer, client: SandboxClient) -> None:
    async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.message is not None
        await update.message.reply_text(f"欢迎 {' '.join(context.args or [])}".strip(), reply_markup=KEYBOARD)

    async def pressed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        assert query is not None
        await query.answer()
        await query.edit_message_text(f"收到 {query.data}")

    app = (
        Application.builder()
        .token(server.token)
        .base_url(server.api_url)
        .base_file_url(server.file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        await app.start()
        try:
            await client.send_text(107, "/start store-3", first_name="店长")
            [welcome] = await client.wait_for_bot(107, 0)
            assert welcome["text"] == "欢迎 store-3"
            await client.press(107, welcome, "取消")
            events = await client.wait_for_bot(107, welcome["seq"], count=2)
            assert [e["kind"] for e in events] == ["callback_answer", "edit"]
            assert events[-1]["text"] == "收到 cancel:7"
        finally:
            await app.updater.stop()
            await app.stop()


async def test_chat_menu_button_opens_a_web_app_and_goes_back_to_commands(ptb: Bot, client: SandboxClient) -> None:
    from telegram import MenuButtonDefault, MenuButtonWebApp, WebAppInfo

    await client.register_user(107, "王经理")
    await ptb.set_chat_menu_button(chat_id=107, menu_button=MenuButtonWebApp("管理台", WebAppInfo("https://x.test/desk")))
    button = await ptb.get_chat_menu_button(chat_id=107)
    assert isinstance(button, MenuButtonWebApp) and button.web_app.url == "https://x.test/desk"
    await ptb.set_chat_menu_button(chat_id=107)
    assert isinstance(await ptb.get_chat_menu_button(chat_id=107), MenuButtonDefault)
