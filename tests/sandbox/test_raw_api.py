"""The wire format: shapes and refusals a real Bot API client depends on."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import aiohttp

from bot.sandbox.client import SandboxClient
from bot.sandbox.server import SANDBOX_TOKEN, SandboxServer

if TYPE_CHECKING:
    from conftest import RawBot


KEYBOARD = {"inline_keyboard": [[{"text": "确认", "callback_data": "ok"}, {"text": "取消", "callback_data": "no"}]]}


async def test_get_me_identifies_the_bot_from_the_token(raw: RawBot) -> None:
    me = await raw.ok("getMe")
    assert me["id"] == int(SANDBOX_TOKEN.split(":")[0])
    assert me["is_bot"] is True and me["username"]


async def test_wrong_token_is_unauthorized(server: SandboxServer, http: aiohttp.ClientSession) -> None:
    async with http.post(f"{server.api_url}123:other/getMe") as resp:
        assert resp.status == 401
        assert await resp.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}


async def test_unknown_method_is_404(raw: RawBot) -> None:
    status, body = await raw.call("sendTelepathy", chat_id=1)
    assert status == 404
    assert body == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}


async def test_method_names_are_case_insensitive(raw: RawBot) -> None:
    assert (await raw.ok("getme"))["is_bot"] is True


async def test_every_parameter_encoding_means_the_same(
    server: SandboxServer, client: SandboxClient, http: aiohttp.ClientSession
) -> None:
    await client.register_user(7, "Amy")
    base = f"{server.api_url}{server.token}/sendMessage"
    markup = json.dumps(KEYBOARD)
    async with http.get(base, params={"chat_id": "7", "text": "query", "reply_markup": markup}) as r1:
        b1 = await r1.json()
    async with http.post(base, data={"chat_id": "7", "text": "form", "reply_markup": markup}) as r2:
        b2 = await r2.json()
    form = aiohttp.FormData(default_to_multipart=True)
    form.add_field("chat_id", "7")
    form.add_field("text", "multipart")
    form.add_field("reply_markup", markup)
    async with http.post(base, data=form) as r3:
        assert r3.request_info.headers["Content-Type"].startswith("multipart/form-data")
        b3 = await r3.json()
    async with http.post(base, json={"chat_id": 7, "text": "json", "reply_markup": KEYBOARD}) as r4:
        b4 = await r4.json()
    results = [b["result"] for b in (b1, b2, b3, b4)]
    assert [m["text"] for m in results] == ["query", "form", "multipart", "json"]
    assert all(m["reply_markup"] == KEYBOARD for m in results)
    assert all(m["chat"] == {"id": 7, "type": "private", "first_name": "Amy"} for m in results)


async def test_user_and_bot_share_one_message_id_sequence_per_chat(raw: RawBot, client: SandboxClient) -> None:
    first = await client.send_text(1, "hi", first_name="A")
    reply = await raw.ok("sendMessage", chat_id=1, text="hello")
    second = await client.send_text(1, "again")
    other_chat = await client.send_text(2, "hi", first_name="B")
    assert [first["message_id"], reply["message_id"], second["message_id"]] == [1, 2, 3]
    assert other_chat["message_id"] == 1


async def test_command_messages_carry_a_bot_command_entity(client: SandboxClient) -> None:
    msg = await client.send_text(3, "/start ORD-42", first_name="C")
    assert msg["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]
    plain = await client.send_text(3, "no command /here")
    assert "entities" not in plain


async def test_message_dates_follow_the_sandbox_clock(server: SandboxServer, raw: RawBot, client: SandboxClient) -> None:
    server.clock.set(datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC))
    msg = await client.send_text(4, "hi", first_name="D")
    assert abs(msg["date"] - datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC).timestamp()) < 5
    server.clock.advance(timedelta(days=1))
    sent = await raw.ok("sendMessage", chat_id=4, text="tomorrow")
    assert sent["date"] - msg["date"] >= 86400
    explicit = await client.send_text(4, "backdated", date=datetime(2029, 5, 1, tzinfo=UTC))
    assert explicit["date"] == int(datetime(2029, 5, 1, tzinfo=UTC).timestamp())


async def test_sending_to_an_unknown_chat_is_refused(raw: RawBot) -> None:
    status, body = await raw.call("sendMessage", chat_id=999, text="hi")
    assert (status, body["description"]) == (400, "Bad Request: chat not found")


async def test_blocked_user_answers_403(raw: RawBot, client: SandboxClient) -> None:
    await client.register_user(5, "E")
    await client.block(5)
    status, body = await raw.call("sendMessage", chat_id=5, text="hi")
    assert status == 403 and body["error_code"] == 403


async def test_empty_and_badly_formatted_text_is_refused(raw: RawBot, client: SandboxClient) -> None:
    await client.register_user(6, "F")
    status, body = await raw.call("sendMessage", chat_id=6, text="")
    assert (status, body["description"]) == (400, "Bad Request: message text is empty")
    status, body = await raw.call("sendMessage", chat_id=6, text="price 1.5", parse_mode="MarkdownV2")
    assert status == 400 and "can't parse entities" in body["description"]
    status, body = await raw.call("sendMessage", chat_id=6, text="a <x> b", parse_mode="HTML")
    assert status == 400 and "can't parse entities" in body["description"]
    ok = await raw.ok("sendMessage", chat_id=6, text="<b>王</b> &lt;3", parse_mode="HTML")
    assert ok["text"] == "王 <3"


async def test_too_long_callback_data_is_refused(raw: RawBot, client: SandboxClient) -> None:
    await client.register_user(8, "G")
    markup = {"inline_keyboard": [[{"text": "x", "callback_data": "x" * 65}]]}
    status, body = await raw.call("sendMessage", chat_id=8, text="hi", reply_markup=markup)
    assert (status, body["description"]) == (400, "Bad Request: BUTTON_DATA_INVALID")


async def test_reply_to_message_id_and_reply_parameters(raw: RawBot, client: SandboxClient) -> None:
    asked = await client.send_text(9, "订单 123 到了吗", first_name="H")
    a = await raw.ok("sendMessage", chat_id=9, text="到了", reply_to_message_id=asked["message_id"])
    b = await raw.ok("sendMessage", chat_id=9, text="再说一次", reply_parameters={"message_id": asked["message_id"]})
    assert a["reply_to_message"]["text"] == b["reply_to_message"]["text"] == "订单 123 到了吗"
    status, body = await raw.call("sendMessage", chat_id=9, text="x", reply_to_message_id=500)
    assert (status, body["description"]) == (400, "Bad Request: message to be replied not found")


async def test_edit_text_and_markup_like_telegram(raw: RawBot, client: SandboxClient) -> None:
    await client.register_user(10, "I")
    sent = await raw.ok("sendMessage", chat_id=10, text="请确认", reply_markup=KEYBOARD)
    mid = sent["message_id"]
    status, body = await raw.call("editMessageText", chat_id=10, message_id=mid, text="请确认", reply_markup=KEYBOARD)
    assert status == 400 and body["description"].startswith("Bad Request: message is not modified")
    edited = await raw.ok("editMessageText", chat_id=10, message_id=mid, text="已确认")
    # As on Telegram, editing text without reply_markup drops the keyboard.
    assert edited["text"] == "已确认" and "reply_markup" not in edited and "edit_date" in edited
    again = await raw.ok("editMessageReplyMarkup", chat_id=10, message_id=mid, reply_markup=KEYBOARD)
    assert again["reply_markup"] == KEYBOARD
    users_msg = await client.send_text(10, "mine")
    status, body = await raw.call("editMessageText", chat_id=10, message_id=users_msg["message_id"], text="x")
    assert (status, body["description"]) == (400, "Bad Request: message can't be edited")
    status, body = await raw.call("editMessageText", chat_id=10, message_id=999, text="x")
    assert (status, body["description"]) == (400, "Bad Request: message to edit not found")


async def test_delete_message_and_chat_action(raw: RawBot, client: SandboxClient) -> None:
    await client.register_user(11, "J")
    sent = await raw.ok("sendMessage", chat_id=11, text="oops")
    assert await raw.ok("sendChatAction", chat_id=11, action="typing") is True
    assert await raw.ok("deleteMessage", chat_id=11, message_id=sent["message_id"]) is True
    status, body = await raw.call("deleteMessage", chat_id=11, message_id=sent["message_id"])
    assert (status, body["description"]) == (400, "Bad Request: message to delete not found")
    kinds = [e["kind"] for e in await client.bot_messages(11)]
    assert kinds == ["send", "delete"]  # chat actions are not conversation events


async def test_commands_are_kept_per_scope_and_language(raw: RawBot, client: SandboxClient) -> None:
    default = [{"command": "start", "description": "开始"}]
    clerk = [{"command": "orders", "description": "我的订单"}]
    assert await raw.ok("setMyCommands", commands=default) is True
    assert await raw.ok("setMyCommands", commands=clerk, scope={"type": "chat", "chat_id": "12"}) is True
    assert await raw.ok("getMyCommands") == default
    assert await raw.ok("getMyCommands", scope={"type": "chat", "chat_id": 12}) == clerk
    assert await raw.ok("getMyCommands", scope={"type": "chat", "chat_id": 13}) == []
    assert await client.commands(12) == clerk and await client.commands(13) == default
    assert await raw.ok("deleteMyCommands", scope={"type": "chat", "chat_id": 12}) is True
    assert await client.commands(12) == default
    status, _ = await raw.call("setMyCommands", commands=[{"command": "Bad Name", "description": "x"}])
    assert status == 400


async def test_calls_are_recorded_with_decoded_params(server: SandboxServer, raw: RawBot, client: SandboxClient) -> None:
    await raw.ok("setMyCommands", commands=[{"command": "start", "description": "s"}], scope={"type": "chat", "chat_id": 5})
    recorded = server.calls_to("setMyCommands")
    assert recorded[-1]["params"]["scope"] == {"type": "chat", "chat_id": 5}
    assert recorded[-1]["status"] == 200
    over_http = await client.calls("setMyCommands")
    assert over_http[-1]["params"]["commands"][0]["command"] == "start"


async def test_get_updates_returns_empty_after_the_timeout(raw: RawBot) -> None:
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await raw.ok("getUpdates", timeout=0.3) == []
    assert loop.time() - started >= 0.25


async def test_get_updates_wakes_when_a_user_writes(raw: RawBot, client: SandboxClient) -> None:
    poll = asyncio.create_task(raw.ok("getUpdates", timeout=10))
    await client.send_text(20, "在吗", first_name="K")
    updates = await asyncio.wait_for(poll, 5)
    assert [u["message"]["text"] for u in updates] == ["在吗"]


async def test_offset_confirms_earlier_updates_and_limit_caps(raw: RawBot, client: SandboxClient) -> None:
    for text in ("a", "b", "c"):
        await client.send_text(21, text, first_name="L")
    first = await raw.ok("getUpdates", limit=2)
    assert [u["message"]["text"] for u in first] == ["a", "b"]
    # Without an offset nothing is confirmed, so the same updates come again.
    assert [u["update_id"] for u in await raw.ok("getUpdates", limit=2)] == [u["update_id"] for u in first]
    rest = await raw.ok("getUpdates", offset=first[-1]["update_id"] + 1)
    assert [u["message"]["text"] for u in rest] == ["c"]
    assert await raw.ok("getUpdates", offset=rest[-1]["update_id"] + 1, timeout=0) == []


async def test_allowed_updates_filters_new_updates(raw: RawBot, client: SandboxClient) -> None:
    assert await raw.ok("getUpdates", allowed_updates=["callback_query"]) == []
    await client.send_text(22, "ignored", first_name="M")
    assert await raw.ok("getUpdates", timeout=0) == []


async def test_a_newer_get_updates_terminates_the_older_one(server: SandboxServer, raw: RawBot) -> None:
    old = asyncio.create_task(raw.call("getUpdates", timeout=10))
    assert await server.state.wait_until(lambda: len(server.calls_to("getUpdates")) == 1, 5)
    assert await raw.ok("getUpdates", timeout=0) == []
    status, body = await asyncio.wait_for(old, 5)
    assert status == 409 and body["description"].startswith("Conflict: terminated by other getUpdates")


async def test_faults_429_carries_retry_after_then_heals(server: SandboxServer, raw: RawBot, client: SandboxClient) -> None:
    await client.register_user(30, "N")
    server.faults.add(method="sendMessage", status=429, retry_after=7, times=1)
    status, body = await raw.call("sendMessage", chat_id=30, text="x")
    assert status == 429
    assert body == {
        "ok": False,
        "error_code": 429,
        "description": "Too Many Requests: retry after 7",
        "parameters": {"retry_after": 7},
    }
    assert (await raw.ok("sendMessage", chat_id=30, text="x"))["text"] == "x"
    # Other methods were never affected.
    assert server.calls_to("sendMessage")[0]["fault"]["status"] == 429


async def test_faults_over_http_500_and_delay(server: SandboxServer, raw: RawBot, client: SandboxClient) -> None:
    await client.register_user(31, "O")
    await client.add_fault("sendMessage", 500, times=2)
    for _ in range(2):
        status, body = await raw.call("sendMessage", chat_id=31, text="x")
        assert (status, body["error_code"]) == (500, 500)
    assert await raw.ok("sendMessage", chat_id=31, text="x")
    await client.add_fault("getMe", delay=0.3)
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert (await raw.ok("getMe"))["is_bot"]
    assert loop.time() - started >= 0.25
    await client.add_fault("getMe", 502, times=None)
    for _ in range(3):
        assert (await raw.call("getMe"))[0] == 502
    await client.clear_faults()
    assert (await raw.call("getMe"))[0] == 200


async def test_getupdates_conflicts_with_a_webhook(raw: RawBot) -> None:
    assert await raw.ok("setWebhook", url="http://127.0.0.1:9/hook") is True
    status, body = await raw.call("getUpdates")
    assert status == 409 and body["description"].startswith("Conflict: can't use getUpdates method while webhook is active")
    info = await raw.ok("getWebhookInfo")
    assert info["url"] == "http://127.0.0.1:9/hook"
    assert await raw.ok("deleteWebhook") is True
    assert await raw.ok("getUpdates", timeout=0) == []


async def test_webhooks_only_to_loopback(raw: RawBot) -> None:
    status, body = await raw.call("setWebhook", url="https://example.com/hook")
    assert status == 400 and "loopback" in body["description"]
    status, body = await raw.call("setWebhook", url="http://127.0.0.1:9/h", secret_token="bad token!")
    assert status == 400


async def test_close_and_log_out_are_harmless(raw: RawBot) -> None:
    assert await raw.ok("close") is True
    assert await raw.ok("logOut") is True
    assert (await raw.ok("getMe"))["is_bot"] is True


async def test_set_chat_menu_button_refuses_what_telegram_refuses(raw: RawBot, client: SandboxClient) -> None:
    await client.register_user(8, "H")
    assert await raw.ok("getChatMenuButton", chat_id=8) == {"type": "commands"}
    for bad in ({"type": "web_app", "text": "x"}, {"type": "web_app", "web_app": {"url": "https://x"}},
                {"type": "telepathy"}, "not an object"):
        status, _ = await raw.call("setChatMenuButton", chat_id=8, menu_button=bad)
        assert status == 400, bad
    status, _ = await raw.call("setChatMenuButton", chat_id=999, menu_button={"type": "commands"})
    assert status == 400  # a chat the bot never saw
    button = {"type": "web_app", "text": "管理台", "web_app": {"url": "https://x.test/desk"}}
    assert await raw.ok("setChatMenuButton", chat_id=8, menu_button=button) is True
    assert await raw.ok("getChatMenuButton", chat_id=8) == button
