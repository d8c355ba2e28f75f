"""Store groups and the clerks' desk group, end to end on both libraries: linking, orders
posted in a store group, buttons only the sender may press, silence for chatter, the desk's
topics, mentions, departures and migration."""

from __future__ import annotations

import re

from sqlalchemy import select

from storage.models import AuditEntry, GroupLink, OrderEvent, User
from tests.conftest import local
from tests.e2e.harness import Harness

ORDER = "张三 13812345678 实木床1.8米1张 12月20日送 天河区天河路1号 全款"
BOT = "@orderbot_sandbox_bot"
STRANGER = 777_001


def number_in(text: str) -> str:
    match = re.search(r"DD\d{9,}", text)
    assert match, text
    return match.group(0)


async def store_group(h: Harness, *, admin_bot: bool = True) -> int:
    group = await h.group("天河店群", ["sales1", "sales2", "storemanager1", STRANGER], bot_admin=admin_bot)
    [linked] = await h.say_in(group, "admin", "/link S1")
    assert "已把本群关联到门店 S1 天河店" in linked["text"] and "隐私模式" in linked["text"]
    return group


async def desk_group(h: Harness) -> int:
    group = await h.group("跟单台", ["clerk", "manager"], forum=True, bot_admin=True)
    [linked] = await h.say_in(group, "admin", "/link desk")
    assert "已把本群设为跟单台" in linked["text"] and "每个门店一个话题" in linked["text"]
    return group


async def _inbound_texts(h: Harness, chat_id: int) -> list[str]:
    async with h.runtime.app.sessions() as session:
        rows = await session.execute(select(AuditEntry.text).where(AuditEntry.chat_id == chat_id,
                                                                   AuditEntry.kind == "inbound"))
        return [text for (text,) in rows if text]


async def test_an_unlinked_group_gets_one_polite_answer_and_then_silence(harness: Harness) -> None:
    h = harness
    after = await h.client.last_seq()
    group = await h.group("新群", ["sales1"], bot_admin=True)
    [hello] = await h.group_messages(group, after)
    assert "这个群还没有关联门店" in hello["text"] and "/link" in hello["text"]
    await h.say_in(group, "sales1", f"{BOT} 在吗", expect=0)
    await h.say_in(group, "sales1", ORDER, expect=0)
    await h.say_in(group, "sales1", "/help", expect=0)
    assert await h.group_messages(group, hello["seq"]) == []
    assert ORDER in await _inbound_texts(h, group)  # kept as evidence all the same


async def test_linking_needs_an_admin_and_a_store_and_says_what_the_bot_can_see(harness: Harness) -> None:
    h = harness
    group = await h.group("天河店群", ["sales1"])
    [refused] = await h.say_in(group, "sales1", "/link S1")
    assert "/link" in refused["text"]  # not for a sales person's role
    [unknown] = await h.say_in(group, "admin", "/link S9")
    assert "S9" in unknown["text"]
    [linked] = await h.say_in(group, "admin", "/link S1")
    assert "只看到命令、回复我的消息和 @orderbot_sandbox_bot 的消息" in linked["text"]
    assert "/setprivacy" in linked["text"]
    [needs_forum] = await h.say_in(group, "admin", "/link desk")
    assert "开启话题的超级群" in needs_forum["text"]
    [private] = await h.say("admin", "/link S1")
    assert "加入门店群" in private["text"]


async def test_the_startgroup_deep_link_links_the_store_at_once(harness: Harness) -> None:
    h = harness
    group = await h.group("番禺店群", ["sales2"], bot_admin=True)
    [usage] = await h.say_in(group, "admin", "/link")
    assert "https://t.me/orderbot_sandbox_bot?startgroup=S1" in usage["text"]
    # What Telegram posts when an admin adds the bot through t.me/<bot>?startgroup=S2:
    [linked] = await h.say_in(group, "admin", "/start@orderbot_sandbox_bot S2")
    assert "已把本群关联到门店 S2 番禺店" in linked["text"]
    await h.say_in(group, "sales2", "/start@orderbot_sandbox_bot S1", expect=0)  # only admins and managers link


async def test_under_privacy_mode_an_order_needs_a_mention_as_admin_it_does_not(harness: Harness) -> None:
    h = harness
    group = await store_group(h, admin_bot=False)
    await h.say_in(group, "sales1", ORDER, expect=0)  # the bot never receives it (privacy mode)
    [card] = await h.say_in(group, "sales1", f"{BOT} {ORDER}")
    assert "客户：张三" in card["text"] and h.buttons(card) == ["确认", "修改", "取消"]
    await h.client.promote_bot(group, by=h.uid("admin"))
    [card] = await h.say_in(group, "sales1", ORDER.replace("张三", "李四"))
    assert "客户：李四" in card["text"]


async def test_an_order_in_a_store_group_is_answered_in_the_group_and_only_its_sender_confirms(
        harness: Harness) -> None:
    h = harness
    group = await store_group(h)
    desk_after = await h.client.last_seq()
    [card] = await h.say_in(group, "sales1", ORDER)
    posted = [e for e in await h.client.transcript(group) if e.get("text") == ORDER][-1]
    assert card["reply_to_message_id"] == posted["message_id"]  # an answer to that message, in the group
    assert h.buttons(card) == ["确认", "修改", "取消"]

    after = await h.client.last_seq()
    await h.press_in(group, "sales2", card, "确认", expect=0)
    answer = await h.answers_to_press("sales2", after)
    assert answer["text"] == "只有下单的导购可以确认"
    assert await h.group_messages(group, after) == []

    [done] = await h.press_in(group, "sales1", card, "确认")
    number = number_in(done["text"])
    assert done["kind"] == "edit" and done["message_id"] == card["message_id"]
    assert (await h.client.message(group, done["message_id"]))["reply_to_message_id"] == posted["message_id"]
    [clerk_card] = await h.wait_for("clerk", desk_after)  # no desk group: the clerk's private chat
    assert number in clerk_card["text"]

    # Chatter, an unregistered member, a colleague's talk: kept, not answered.
    await h.say_in(group, "sales1", "今天下午开会吗", expect=0)
    await h.say_in(group, STRANGER, ORDER.replace("张三", "王五"), expect=0)
    await h.say_in(group, "sales2", "好的收到", expect=0)
    [other] = await h.say_in(group, "sales2", f"{BOT} 在吗")  # sales2 is of S2: told once, when addressing it
    assert "不是您所在门店的群" in other["text"]
    assert "今天下午开会吗" in await _inbound_texts(h, group)

    # A change by replying to the card works as in private.
    [change] = await h.say_in(group, "sales1", "送货日期改到12月28日", reply_to=card["message_id"])
    assert "12月28日" in change["text"] and "确认修改" in h.buttons(change)


async def test_the_desk_group_gets_cards_in_store_topics_and_any_clerk_works_them(harness: Harness) -> None:
    h = harness
    desk = await desk_group(h)
    clerk_after = await h.client.last_seq()
    [card] = await h.say("sales1", ORDER)
    await h.press("sales1", card, "确认")
    [desk_card] = await h.wait_for(desk, clerk_after)
    topics = {g["id"]: g["topics"] for g in await h.client.groups()}[desk]
    assert topics == {str(desk_card["message_thread_id"]): "S1 天河店"}
    assert desk_card["text"].startswith("🆕 新订单 DD202612001 · 天河店") and h.buttons(desk_card) == ["接单"]
    assert [e for e in await h.client.bot_events(h.uid("clerk"), clerk_after) if e["kind"] == "send"] == []

    [accepted] = await h.press_in(desk, "clerk", desk_card, "接单")
    assert accepted["message_id"] == desk_card["message_id"] and "【已接单】" in accepted["text"]
    async with h.runtime.app.sessions() as session:
        pressed = (await session.execute(select(User.telegram_id).join(OrderEvent, OrderEvent.actor_id == User.id)
                                         .order_by(OrderEvent.id.desc()).limit(1))).scalar_one()
    assert pressed == h.uid("clerk")  # who pressed is on the record

    # A second store's order opens its own topic.
    [card] = await h.say("sales2", ORDER.replace("张三", "赵六"))
    after = await h.client.last_seq()
    await h.press("sales2", card, "确认")
    [second] = await h.wait_for(desk, after)
    assert second["message_thread_id"] != desk_card["message_thread_id"]
    names = {g["id"]: g["topics"] for g in await h.client.groups()}[desk]
    assert sorted(names.values()) == ["S1 天河店", "S2 番禺店"]


async def test_a_mention_asks_about_an_order_and_a_store_group_never_shows_another_store(harness: Harness) -> None:
    h = harness
    group = await store_group(h)
    [card] = await h.say("sales2", ORDER.replace("张三", "赵六"))  # an S2 order
    [s2_done] = await h.press("sales2", card, "确认")
    s2_number = number_in(s2_done["text"])
    [card] = await h.say_in(group, "sales1", ORDER)
    [done] = await h.press_in(group, "sales1", card, "确认")
    number = number_in(done["text"])

    [answer] = await h.say_in(group, "sales1", f"{BOT} {number} 到哪了")
    assert number in answer["text"] and "张三" in answer["text"]
    # The manager may see every order — but not another store's customer in this store's group.
    [hidden] = await h.say_in(group, "storemanager1", f"{BOT} {s2_number} 到哪了")
    assert "赵六" not in hidden["text"] and s2_number in hidden["text"]
    [private] = await h.say_in(group, "sales1", "/orders")
    assert "私聊" in private["text"]


async def test_a_member_who_left_keeps_the_log_but_can_no_longer_act(harness: Harness) -> None:
    h = harness
    group = await store_group(h)
    [card] = await h.say_in(group, "sales1", ORDER)
    await h.client.remove_member(group, h.uid("sales1"), by=h.uid("admin"))
    await h.settle()
    # A press that was on its way when they were removed (the sandbox no longer lets them press).
    after = await h.client.last_seq()
    h.sandbox.state.callbacks["late-1"] = {"user_id": h.uid("sales1"), "message_id": card["message_id"],
                                           "answered": False}
    await h.client.send_raw_update({"callback_query": {
        "id": "late-1", "from": {"id": h.uid("sales1"), "is_bot": False, "first_name": "张导购"},
        "message": {"message_id": card["message_id"], "date": 0, "chat": {"id": group, "type": "supergroup"
                    if group < -999_999_999_999 else "group", "title": "天河店群"}},
        "chat_instance": "1", "data": card["message"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"]}})
    answer = await h.answers_to_press("sales1", after)
    assert answer["text"] == "您已不在这个群里，不能在这里操作。"
    assert await h.group_messages(group, after) == []
    assert ORDER in await _inbound_texts(h, group)


async def test_links_follow_a_group_upgraded_to_a_supergroup(harness: Harness) -> None:
    h = harness
    group = await store_group(h)
    new = await h.client.migrate_group(group, by=h.uid("admin"))
    await h.settle()
    async with h.runtime.app.sessions() as session:
        link = await session.get(GroupLink, new["id"])
        assert link is not None and link.role == "store" and link.migrated_from == group
        assert await session.get(GroupLink, group) is None
    [card] = await h.say_in(new["id"], "sales1", ORDER)
    assert "客户：张三" in card["text"]


async def test_a_clerk_in_the_store_group_may_press_the_senders_card_and_is_on_the_record(harness: Harness) -> None:
    h = harness
    group = await h.group("天河店群", ["sales1", "clerk"], bot_admin=True)
    await h.say_in(group, "admin", "/link S1")
    [card] = await h.say_in(group, "sales1", ORDER)
    [done] = await h.press_in(group, "clerk", card, "确认")
    assert "已提交给跟单员" in done["text"]
    async with h.runtime.app.sessions() as session:
        [(actor, payload)] = (await session.execute(select(AuditEntry.actor_id, AuditEntry.payload).where(
            AuditEntry.kind == "state_change", AuditEntry.payload.contains("group.pressed_for_sender")))).all()
    assert actor == h.uid("clerk")


async def test_the_bots_own_status_changes_are_recorded_and_not_answered(harness: Harness) -> None:
    """my_chat_member arrives until the bot's first getUpdates narrows the kinds (a fresh bot
    added to groups while it was down, a user blocking it): kept, no answer, not 'unreadable'."""
    h = harness
    group = await h.group("天河店群", ["sales1"], bot_admin=True)
    after = await h.client.last_seq()
    bot = {"id": 100000, "is_bot": True, "first_name": "bot", "username": "orderbot_sandbox_bot"}
    for chat, status in (({"id": group, "type": "group", "title": "天河店群"}, "administrator"),
                         ({"id": h.uid("sales1"), "type": "private", "first_name": "张导购"}, "kicked")):
        await h.client.send_raw_update({"my_chat_member": {
            "chat": chat, "from": {"id": h.uid("sales1"), "is_bot": False, "first_name": "张导购"}, "date": 1,
            "old_chat_member": {"status": "member", "user": bot},
            "new_chat_member": {"status": status, "user": bot, "until_date": 0}}})
    await h.quiet()
    assert await h.group_messages(group, after) == []
    assert [e for e in await h.client.bot_events(h.uid("sales1"), after) if e["kind"] == "send"] == []
    async with h.runtime.app.sessions() as session:
        kinds = (await session.execute(select(AuditEntry.kind).where(AuditEntry.seq > 0))).scalars().all()
    assert "unreadable_update" not in kinds and kinds.count("inbound") >= 2


async def test_a_photo_with_an_order_caption_in_the_store_group_gets_the_card(harness: Harness) -> None:
    h = harness
    group = await store_group(h)
    after = await h.client.last_seq()
    photo = await h.client.send_photo(h.uid("sales1"), b"\xff\xd8\xff\xe0" + b"order slip" * 40, caption=ORDER,
                                      chat_id=group)
    [card] = await h.wait_for(group, after)
    assert card["reply_to_message_id"] == photo["message_id"] and "客户：张三" in card["text"]
    await h.client.send_photo(h.uid("sales1"), b"\xff\xd8\xff\xe0" + b"a nice sofa" * 40, caption="看这个沙发",
                              chat_id=group)
    assert await h.group_messages(group, card["seq"]) == []  # a photo of chatter: kept, not answered


async def test_a_case_from_a_store_group_reaches_the_desk_topic(harness: Harness) -> None:
    h = harness
    desk = await desk_group(h)
    group = await store_group(h)
    [card] = await h.say_in(group, "sales1", ORDER)
    [done] = await h.press_in(group, "sales1", card, "确认")
    number = number_in(done["text"])
    h.sandbox.clock.set(local(2026, 12, 4, 15, 30))  # after-sales hours (R11)
    after = await h.client.last_seq()
    [case] = await h.say_in(group, "sales1", f"{number} 售后：衣柜门板有划痕，客户要求换门板")
    assert "SH" in case["text"]
    desk_cards = [e for e in await h.group_messages(desk, after) if "SH" in (e.get("text") or "")]
    assert desk_cards and desk_cards[0]["message_thread_id"] is not None
    topics = {g["id"]: g["topics"] for g in await h.client.groups()}[desk]
    assert topics[str(desk_cards[0]["message_thread_id"])] == "S1 天河店"


async def test_a_command_the_role_may_not_use_is_not_sent_to_the_private_chat(harness: Harness) -> None:
    """张导购 typed /status in the store group and was told 「/status 会显示客户信息，请私聊我使用」;
    in the private chat the same command answered that it is not for a sales person. A command one
    may not use answers so wherever it is typed; one that lists customers still goes private."""
    h = harness
    group = await store_group(h)
    for command in ("/status", "/kpi", "/export orders"):
        [answer] = await h.say_in(group, "sales1", command)
        assert "不是您的身份可以用的命令" in answer["text"] and "私聊" not in answer["text"], answer["text"]
    [private] = await h.say_in(group, "storemanager1", "/status")
    assert private["text"] == "/status 会显示客户信息，请私聊我使用。"
    [unknown] = await h.say_in(group, "sales1", "/statu")
    assert "私聊" not in unknown["text"], unknown["text"]
