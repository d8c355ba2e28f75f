"""Groups, supergroups with forum topics, privacy mode, joins, leaves and migration in the
sandbox — parsed by python-telegram-bot and aiogram, unchanged."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiogram import Bot as AioBot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramMigrateToChat
from telegram import Bot as PtbBot
from telegram.error import ChatMigrated, Forbidden

from bot.sandbox.client import SandboxClient, SandboxError
from bot.sandbox.server import SandboxServer

pytestmark = pytest.mark.e2e

ADMIN, SALES, OTHER = 301, 302, 303


@pytest.fixture
async def ptb(server: SandboxServer) -> AsyncIterator[PtbBot]:
    async with PtbBot(server.token, base_url=server.api_url, base_file_url=server.file_url) as bot:
        yield bot


@pytest.fixture
async def aio(server: SandboxServer) -> AsyncIterator[AioBot]:
    bot = AioBot(server.token, session=AiohttpSession(api=TelegramAPIServer.from_base(server.root_url)))
    try:
        yield bot
    finally:
        await bot.session.close()


async def _group(client: SandboxClient, **kwargs: object) -> int:
    for uid, name in ((ADMIN, "管理员"), (SALES, "张导购"), (OTHER, "路人")):
        await client.register_user(uid, name, username=f"user{uid}")
    group = await client.create_group(ADMIN, "天河店群", members=[SALES, OTHER], **kwargs)  # type: ignore[arg-type]
    await client.add_member(group["id"], by=ADMIN)  # the admin adds the bot
    return int(group["id"])


async def test_ptb_reads_group_messages_under_privacy_mode(ptb: PtbBot, client: SandboxClient) -> None:
    chat_id = await _group(client)
    await client.send_text(SALES, "今天天气不错", chat_id=chat_id)  # chatter: privacy mode hides it
    await client.send_text(ADMIN, "/link S1", chat_id=chat_id)
    await client.send_text(SALES, "@orderbot_sandbox_bot DD202612005 到哪了", chat_id=chat_id)
    updates = [u for u in await ptb.get_updates(timeout=2) if u.message]
    joined, command, mention = updates  # the chatter never reached the bot
    assert [u.id for u in joined.message.new_chat_members] == [100000]
    assert command.message.text == "/link S1" and command.message.chat.type == "group"
    assert command.message.chat.id == chat_id and command.message.from_user.id == ADMIN
    assert mention.message.parse_entities(["mention"]) and \
        list(mention.message.parse_entities(["mention"]).values()) == ["@orderbot_sandbox_bot"]

    sent = await ptb.send_message(chat_id, "已关联", reply_to_message_id=command.message.message_id)
    await client.send_text(OTHER, "好的", chat_id=chat_id, reply_to_message_id=sent.message_id)  # a reply to the bot
    [reply] = await ptb.get_updates(offset=mention.update_id + 1, timeout=2)
    assert reply.message.reply_to_message.message_id == sent.message_id


async def test_aiogram_reads_all_messages_when_the_bot_is_admin(aio: AioBot, client: SandboxClient) -> None:
    chat_id = await _group(client)
    await client.promote_bot(chat_id, by=ADMIN)
    await client.send_text(SALES, "今天天气不错", chat_id=chat_id)
    updates = await aio.get_updates(timeout=2)
    kinds = [("my_chat_member" if u.my_chat_member else "message") for u in updates]
    assert kinds == ["my_chat_member", "message", "my_chat_member", "message"]
    assert updates[2].my_chat_member.new_chat_member.status == "administrator"
    assert updates[3].message.text == "今天天气不错"


async def test_privacy_off_delivers_chatter_and_member_events(ptb: PtbBot, client: SandboxClient) -> None:
    await client.set_privacy(False)
    chat_id = await _group(client)
    await client.send_text(SALES, "随便聊聊", chat_id=chat_id)
    await client.remove_member(chat_id, OTHER, by=ADMIN)
    await client.add_member(chat_id, 304, by=ADMIN)
    updates = [u for u in await ptb.get_updates(timeout=2) if u.message]
    assert updates[1].message.text == "随便聊聊"
    assert updates[2].message.left_chat_member.id == OTHER
    assert updates[3].message.new_chat_members[0].id == 304
    member = await ptb.get_chat_member(chat_id, OTHER)
    assert member.status == "kicked"
    with pytest.raises(SandboxError, match="not a member"):
        await client.send_text(OTHER, "我还在吗", chat_id=chat_id)


async def test_forum_topics_with_both_libraries(ptb: PtbBot, aio: AioBot, client: SandboxClient) -> None:
    chat_id = await _group(client, forum=True)
    await client.promote_bot(chat_id, by=ADMIN)
    topic = await ptb.create_forum_topic(chat_id, "S1 天河店")
    sent = await aio.send_message(chat_id, "新订单 DD202612005", message_thread_id=topic.message_thread_id)
    assert sent.message_thread_id == topic.message_thread_id and sent.is_topic_message
    await client.send_text(SALES, "收到", chat_id=chat_id, thread_id=topic.message_thread_id)
    updates = await aio.get_updates(timeout=2)
    message = updates[-1].message
    assert message.chat.is_forum and message.message_thread_id == topic.message_thread_id
    # In a forum a message in a topic replies to the topic's opening service message.
    assert message.reply_to_message.forum_topic_created.name == "S1 天河店"
    with pytest.raises(Exception, match="thread not found"):
        await ptb.send_message(chat_id, "x", message_thread_id=999)


async def test_migration_to_a_supergroup(ptb: PtbBot, aio: AioBot, client: SandboxClient) -> None:
    chat_id = await _group(client)
    new = await client.migrate_group(chat_id, by=ADMIN)
    assert new["type"] == "supergroup" and new["id"] != chat_id
    updates = [u for u in await ptb.get_updates(timeout=2) if u.message]
    assert updates[-2].message.migrate_to_chat_id == new["id"]
    assert updates[-1].message.migrate_from_chat_id == chat_id and updates[-1].message.chat.id == new["id"]
    with pytest.raises(ChatMigrated) as migrated:
        await ptb.send_message(chat_id, "还在吗")
    assert migrated.value.new_chat_id == new["id"]
    with pytest.raises(TelegramMigrateToChat) as moved:
        await aio.send_message(chat_id, "还在吗")
    assert moved.value.migrate_to_chat_id == new["id"]
    assert (await aio.send_message(new["id"], "在")).chat.type == "supergroup"


async def test_the_bot_removed_from_a_group_cannot_post(ptb: PtbBot, client: SandboxClient) -> None:
    chat_id = await _group(client)
    await client.remove_member(chat_id, None, by=ADMIN)
    with pytest.raises(Forbidden, match="kicked"):
        await ptb.send_message(chat_id, "再见")


async def test_group_buttons_are_pressed_by_members(ptb: PtbBot, client: SandboxClient) -> None:
    chat_id = await _group(client)
    from telegram import InlineKeyboardButton, InlineKeyboardMarkup

    sent = await ptb.send_message(chat_id, "请确认", reply_markup=InlineKeyboardMarkup(
        [[InlineKeyboardButton("确认", callback_data="d:1:ok")]]))
    await client.press(OTHER, sent.message_id, "确认", chat_id=chat_id)
    updates = [u for u in await ptb.get_updates(timeout=2) if u.callback_query]
    query = updates[-1].callback_query
    assert query.from_user.id == OTHER and query.message.chat.id == chat_id
    await ptb.answer_callback_query(query.id, "只有下单的导购可以确认")
    [answer] = [e for e in await client.bot_events(OTHER) if e["kind"] == "callback_answer"]
    assert answer["text"] == "只有下单的导购可以确认"
    with pytest.raises(SandboxError, match="not a member"):
        await client.press(999, sent.message_id, "确认", chat_id=chat_id)
