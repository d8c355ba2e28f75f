"""The user side over HTTP: the client helpers and the terminal chat."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest

from bot.sandbox.chat import run_chat
from bot.sandbox.client import SandboxClient, SandboxError
from bot.sandbox.server import SandboxServer

if TYPE_CHECKING:
    from conftest import RawBot

KEYBOARD = {"inline_keyboard": [[{"text": "确认", "callback_data": "yes"}, {"text": "修改", "callback_data": "edit"}, {"text": "取消", "callback_data": "no"}]]}


async def _responder(raw: RawBot) -> None:
    """A minimal bot: answers text with buttons, replies to replies, edits on a press."""
    offset = 0
    while True:
        for update in await raw.ok("getUpdates", offset=offset, timeout=5):
            offset = update["update_id"] + 1
            if edited := update.get("edited_message"):
                await raw.ok("sendMessage", chat_id=edited["chat"]["id"],
                             text=f"改为 #{edited['message_id']}: {edited['text']}")
            elif message := update.get("message"):
                chat = message["chat"]["id"]
                if "reply_to_message" in message:
                    await raw.ok("sendMessage", chat_id=chat, text=f"回复 #{message['reply_to_message']['message_id']}: {message['text']}")
                else:
                    await raw.ok("sendMessage", chat_id=chat, text=f"收到: {message['text']}\n请选择", reply_markup=KEYBOARD)
            elif query := update.get("callback_query"):
                await raw.ok("answerCallbackQuery", callback_query_id=query["id"], text="好")
                await raw.ok(
                    "editMessageText",
                    chat_id=query["message"]["chat"]["id"],
                    message_id=query["message"]["message_id"],
                    text=f"已选 {query['data']}",
                )


@pytest.fixture
async def responder(raw: RawBot) -> AsyncIterator[None]:
    task = asyncio.create_task(_responder(raw))
    yield
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def test_press_by_label_and_transcript(client: SandboxClient, responder: None) -> None:
    sent = await client.send_text(401, "订单 12", first_name="陈")
    [menu] = await client.wait_for_bot(401, 0)
    assert menu["reply_markup"] == KEYBOARD and menu["text"] == "收到: 订单 12\n请选择"
    query = await client.press(401, menu, "取消")
    assert query["data"] == "no" and query["message"]["message_id"] == menu["message_id"]
    events = await client.wait_for_bot(401, menu["seq"], count=2)
    assert [e["kind"] for e in events] == ["callback_answer", "edit"]
    with pytest.raises(SandboxError, match="no button"):
        await client.press(401, menu["message_id"], "取消")  # the edit removed the keyboard
    transcript = await client.transcript(401)
    assert [(t["who"], t["kind"], t.get("text")) for t in transcript] == [
        ("user", "message", "订单 12"),
        ("bot", "send", "收到: 订单 12\n请选择"),
        ("user", "press", "取消"),
        ("bot", "callback_answer", "好"),
        ("bot", "edit", "已选 no"),
    ]
    assert transcript[1]["buttons"] == [["确认", "修改", "取消"]]
    assert sent["message_id"] == 1


async def test_pressing_a_button_that_is_not_there_is_refused(client: SandboxClient, raw: RawBot) -> None:
    await client.register_user(402, "钱")
    msg = await raw.ok("sendMessage", chat_id=402, text="x", reply_markup=KEYBOARD)
    with pytest.raises(SandboxError):
        await client.press_button(402, msg["message_id"], "forged")


async def test_user_edit_becomes_edited_message(client: SandboxClient, raw: RawBot) -> None:
    msg = await client.send_text(403, "数量 3", first_name="孙")
    edited = await client.edit_text(403, msg["message_id"], "数量 4")
    updates = await raw.ok("getUpdates", timeout=1)
    assert [list(u)[1] for u in updates] == ["message", "edited_message"]
    assert updates[1]["edited_message"]["text"] == "数量 4" == edited["text"]
    assert updates[1]["edited_message"]["message_id"] == msg["message_id"]
    assert "edit_date" in updates[1]["edited_message"]


async def test_user_document_downloads_through_get_file(server: SandboxServer, client: SandboxClient, raw: RawBot, http: object) -> None:
    import aiohttp

    sent = await client.send_document(404, b"%PDF-1.4 contract", "合同.pdf", caption="合同")
    assert sent["document"]["mime_type"] == "application/pdf"
    info = await raw.ok("getFile", file_id=sent["document"]["file_id"])
    async with aiohttp.ClientSession() as session:
        async with session.get(f"{server.file_url}{server.token}/{info['file_path']}") as resp:
            assert resp.status == 200 and await resp.read() == b"%PDF-1.4 contract"
        async with session.get(f"{server.file_url}0:wrong/{info['file_path']}") as resp:
            assert resp.status == 401


async def test_wait_for_bot_times_out_with_a_clear_error(client: SandboxClient) -> None:
    await client.register_user(405, "周")
    with pytest.raises(TimeoutError, match="chat 405"):
        await client.wait_for_bot(405, 0, timeout=0.2)


async def test_clock_over_http_moves_message_dates(server: SandboxServer, client: SandboxClient) -> None:
    target = datetime(2031, 6, 1, 9, 0, tzinfo=UTC)
    view = await client.set_clock(target)
    assert abs(datetime.fromisoformat(view["now"]) - target).total_seconds() < 5
    await client.advance_clock(3600)
    assert abs((server.clock.now() - target).total_seconds() - 3600) < 5
    msg = await client.send_text(406, "hi", first_name="吴")
    assert abs(msg["date"] - (target.timestamp() + 3600)) < 5


async def _run(server: SandboxServer, script: str, user_id: int) -> str:
    out = io.StringIO()
    await asyncio.wait_for(
        run_chat(server.root_url, user_id, "郑", stdin=io.StringIO(script), stdout=out, answer_wait=5.0, linger=0.05),
        20,
    )
    return out.getvalue()


async def test_chat_client_sends_presses_and_replies(server: SandboxServer, responder: None) -> None:
    output = await _run(server, "订单 8\n#2\n>1 加急\n/quit\n不会发送\n", 501)
    lines = output.splitlines()
    assert "[you #1] 订单 8" in lines
    assert "[bot #2] 收到: 订单 8" in lines
    assert "    [1] 确认  [2] 修改  [3] 取消" in lines
    assert "[you pressed [2] 修改 on #2]" in lines
    assert "[bot] (answer) 好" in lines
    assert "[bot #2] (edited) 已选 edit" in lines
    assert "[you #3 ↩ 1] 加急" in lines
    assert "[bot #4] 回复 #1: 加急" in lines
    assert "不会发送" not in output  # /quit stopped reading
    assert lines[-1] == "(bye)"


async def test_chat_client_edits_a_sent_message_and_refuses_one_not_its_own(server: SandboxServer,
                                                                              responder: None) -> None:
    output = await _run(server, "订单 8\n~1 订单 9\n~2 改机器人的\n~99 没有这条\n", 503)
    lines = output.splitlines()
    assert "[you #1] (edited) 订单 9" in lines
    assert "[bot #3] 改为 #1: 订单 9" in lines  # the bot got an edited_message of message 1
    refusals = [line for line in lines if line.startswith("(cannot edit")]
    assert [r.split(":")[0] for r in refusals] == ["(cannot edit #2", "(cannot edit #99"], lines
    assert [line for line in lines if "改为" in line] == ["[bot #3] 改为 #1: 订单 9"]  # nothing sent for those


async def test_chat_client_press_on_a_named_message_and_bad_numbers(server: SandboxServer, responder: None) -> None:
    output = await _run(server, "#1\n第一\n\n第二\n#9\n#1@2\n", 502)
    lines = output.splitlines()
    assert "(no message with buttons)" in lines
    assert "(message #4 has buttons 1..3)" in lines
    # #1@2 targets the older message 2, not the latest one (4).
    assert "[you pressed [1] 确认 on #2]" in lines
    assert "[bot #2] (edited) 已选 yes" in lines
    assert "[you #3] 第二" in lines  # the blank line was skipped, not taken as end of input
