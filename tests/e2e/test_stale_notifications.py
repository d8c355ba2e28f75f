"""Notifications that wait for working hours (R18) go out as things are when they are sent:
a night's orders, a cancellation and a fine decided before 09:00; /fines cards; stale buttons."""

from __future__ import annotations

import re

from sqlalchemy import select

from handlers.reminders.sweep import sweep
from storage.models import OutboxMessage
from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_aftersales import open_case_with_photo
from tests.e2e.test_orders import ORDER, number_in, print_order
from tests.e2e.test_reminders import PANEL_ORDER, _outbox_idle


async def _hand_in(h: Harness, text: str) -> str:
    [card] = await h.say("sales1", text)
    [done] = await h.press("sales1", card, "确认")
    return number_in(done["text"])


async def _with_button(h: Harness, who: str, after: int, label: str) -> dict:
    """The first message to ``who`` after ``after`` that carries the button ``label``."""
    cursor = after
    while True:
        events = await h.client.wait_for_bot(h.uid(who), cursor, timeout=10)
        cursor = events[-1]["seq"]
        for event in events:
            if event["kind"] == "send" and label in h.buttons(event):
                return event


async def _shown(h: Harness, who: str, after: int) -> list[dict]:
    return [e for e in await h.client.bot_events(h.uid(who), after) if e["kind"] in ("send", "edit")]


async def test_a_night_queue_flushed_at_nine_shows_the_current_state(harness: Harness) -> None:
    h = harness
    h.sandbox.clock.set(local(2026, 12, 4, 2, 10))  # Friday 02:10: nothing may reach a phone
    start = await h.client.last_seq()
    kept = await _hand_in(h, ORDER)
    cancelled = await _hand_in(h, PANEL_ORDER)
    [proposed] = await h.say("clerk", "/fine 2001 30 R8 打错单")
    fine = re.search(r"FK\d{9}", proposed["text"]).group(0)

    h.sandbox.clock.set(local(2026, 12, 4, 7, 30))
    [ask] = await h.say("sales1", f"{cancelled} 取消，客户不要了")  # 销单 asks for confirmation first
    [gone] = await h.press("sales1", ask, "确认销单")
    assert "已取消" in gone["text"]
    [diff] = await h.say("sales1", f"{kept} 送货日期改到12月28日")
    [applied] = await h.press("sales1", diff, "确认修改")
    assert "已改单" in applied["text"]

    h.sandbox.clock.set(local(2026, 12, 4, 8, 0))
    ledger, card = await h.say("manager", "/fines", expect=2)
    assert fine in ledger["text"] and fine in card["text"]
    [decided] = await h.press("manager", card, "确认罚款")
    # The written notice waits for 09:00, and the manager is told so instead of "sent".
    assert "12月4日（周五）09:00发给本人" in decided["text"], decided["text"]
    assert "已书面通知本人" not in decided["text"]
    assert await h.runtime.outbox.drain() == 0  # still night: nothing goes out

    h.sandbox.clock.set(local(2026, 12, 4, 9, 0))
    await _outbox_idle(h)
    clerk = await _shown(h, "clerk", start)
    cards = [e for e in clerk if "新订单" in (e["text"] or "")]
    assert [number_in(e["text"]) for e in cards] == [kept]  # no card for the cancelled order
    [card] = cards
    assert "12月28日" in card["text"] and "12月20日" not in card["text"]  # the date as changed at 07:30
    assert "接单" in h.buttons(card)
    for event in clerk:
        if cancelled in (event["text"] or ""):
            assert "接单" not in h.buttons(event), event["text"]
    assert any(cancelled in (e["text"] or "") and "取消" in e["text"] for e in clerk)  # told it was cancelled
    manager = await _shown(h, "manager", start)
    assert not [e for e in manager if "拟罚款" in (e["text"] or "")]  # decided at 08:00: no proposal card
    sales = await _shown(h, "sales1", start)
    assert any(f"罚款通知 {fine}" in (e["text"] or "") for e in sales)
    async with h.runtime.app.sessions() as session:
        rows = {row.key.split(":u")[0]: row for row in (await session.execute(select(OutboxMessage))).scalars()}
    assert rows[f"order:{cancelled}:new"].state == "dropped"
    assert rows[f"fine:{fine}:proposed"].state == "dropped"
    assert "12月28日" in rows[f"order:{kept}:new"].text  # the log keeps what was actually sent


async def test_each_fine_card_keeps_its_buttons_when_another_is_decided(harness: Harness) -> None:
    h = harness
    manager_after = await h.client.last_seq()
    await h.say("clerk", "/fine 2001 30 R8 打错单")
    await h.say("clerk", "/fine 3001 20 R8 漏写电话")
    await h.wait_for("manager", manager_after, expect=2)  # the two proposal notifications
    ledger, first, second = await h.say("manager", "/fines", expect=3)
    assert "FK202612001" in ledger["text"] and "FK202612002" in ledger["text"]
    [done] = await h.press("manager", first if "FK202612001" in first["text"] else second, "确认罚款")
    assert "已确认罚款 FK202612001" in done["text"]
    other = second if "FK202612002" in second["text"] else first
    current = await h.client.message(h.uid("manager"), other["message_id"])
    assert h.buttons(current) == ["确认罚款", "免除"]
    [waived] = await h.press("manager", current, "免除")
    assert "已免除罚款 FK202612002" in waived["text"]


async def test_a_stale_fine_button_or_second_appeal_says_what_state_it_is_in(harness: Harness) -> None:
    h = harness
    manager_after = await h.client.last_seq()
    await h.say("clerk", "/fine 2001 30 R8 打错单")
    [proposal] = await h.wait_for("manager", manager_after)
    _, card = await h.say("manager", "/fines", expect=2)
    sales_after = await h.client.last_seq()
    await h.press("manager", proposal, "确认罚款")
    await h.wait_for("sales1", sales_after)  # the written notice, before the sales person types
    after = await h.client.last_seq()
    [stale] = await h.press("manager", card, "确认罚款")
    answer = await h.answers_to_press("manager", after)
    assert "FK202612001：已确认（王经理，12月3日（周四）17:20），不能再确认" in answer["text"], answer
    assert "已确认" in stale["text"] and h.buttons(stale) == []

    [lodged] = await h.say("sales1", "/appeal FK202612001 不是我下错的单")
    assert "已提交申诉" in lodged["text"]
    [again] = await h.say("sales1", "/appeal FK202612001 再申诉一次")
    assert "已申诉过一次" in again["text"] and "申诉中" in again["text"], again["text"]


async def test_a_stale_case_button_names_the_state_who_and_when(harness: Harness) -> None:
    h = harness
    order = await _hand_in(h, ORDER)
    number, _ = await open_case_with_photo(h, order)
    [first] = await h.say("clerk", f"/case {number}")
    [second] = await h.say("clerk", f"/case {number}")
    await h.press("clerk", first, "受理")
    after = await h.client.last_seq()
    [redrawn] = await h.press("clerk", second, "受理")
    answer = await h.answers_to_press("clerk", after)
    assert f"售后单 {number} 现在：已受理（李跟单，12月3日（周四）15:20），不能再按「受理」" in answer["text"], answer
    assert "受理" not in h.buttons(redrawn) and "处理完成" in h.buttons(redrawn)


async def test_an_escalation_acknowledged_by_one_tells_the_next_who_did_it(harness: Harness) -> None:
    h = harness
    order = await _hand_in(h, ORDER)
    number, _ = await open_case_with_photo(h, order)  # Thursday 15:20: first response due Friday morning
    h.sandbox.clock.set(local(2026, 12, 4, 10, 0))
    clerk_after = await h.client.last_seq()
    store_after = clerk_after
    await sweep(h.runtime.app, h.sandbox.clock.now())
    h.runtime.kick_outbox()
    breach = await _with_button(h, "clerk", clerk_after, "已处理")
    escalated = await _with_button(h, "storemanager1", store_after, "已处理")
    assert h.buttons(escalated) == ["已处理", "稍后"], escalated["text"]
    await h.press("clerk", breach, "已处理")
    after = await h.client.last_seq()
    [told] = await h.press("storemanager1", escalated, "已处理")
    answer = await h.answers_to_press("storemanager1", after)
    assert f"售后单 {number} 已由李跟单确认处理（12月4日（周五）10:00）" in answer["text"], answer
    assert h.buttons(told) == []


async def _printed(h: Harness) -> str:
    """An order taken through to 已打单 at the clock's time: its pickup deadline (R10) is 3 days on."""
    number = await _hand_in(h, ORDER)
    card = await print_order(h, await _with_button(h, "clerk", 0, "接单"))
    assert "【已打单】" in card["text"]
    return number


async def _pickup_reminders(h: Harness, after: int) -> list[str]:
    await _outbox_idle(h)
    return [e["text"] for e in await _shown(h, "clerk", after) if "请安排出仓" in (e["text"] or "")]


async def test_a_pickup_reminder_missed_on_its_day_is_not_sent_after_the_deadline(harness: Harness) -> None:
    h = harness
    h.sandbox.clock.set(local(2026, 12, 3, 10, 0))  # Thursday: the deadline is Monday 7 December
    number = await _printed(h)
    # The bot was not running from Friday evening to Tuesday: no sweep saw the reminder's day.
    h.sandbox.clock.set(local(2026, 12, 8, 10, 0))
    after = await h.client.last_seq()
    await sweep(h.runtime.app, h.sandbox.clock.now())
    assert await _pickup_reminders(h, after) == []  # "the deadline is tomorrow" would be false now
    fines = [e["text"] for e in await _shown(h, "manager", after) if "拟罚款" in (e["text"] or "")]
    assert fines and all(number in text and "R10" in text for text in fines)  # the late fines take over


async def test_a_pickup_deadline_after_a_day_off_is_reminded_on_the_working_day_before(harness: Harness) -> None:
    h = harness
    h.sandbox.clock.set(local(2026, 12, 4, 10, 0))  # Friday: the deadline is Monday 7 December
    number = await _printed(h)
    after = await h.client.last_seq()
    h.sandbox.clock.set(local(2026, 12, 5, 9, 0))  # Saturday, a working day; Sunday is not
    await sweep(h.runtime.app, h.sandbox.clock.now())
    [reminder] = await _pickup_reminders(h, after)
    assert number in reminder and "12月7日（周一）" in reminder and "明天" not in reminder, reminder
    h.sandbox.clock.set(local(2026, 12, 7, 9, 0))
    await sweep(h.runtime.app, h.sandbox.clock.now())
    assert len(await _pickup_reminders(h, after)) == 1  # not again on the day itself


async def test_later_on_an_escalation_reminds_the_one_who_pressed_it(harness: Harness) -> None:
    # Found trying it: the store manager pressed 稍后 on the escalation ("OK, you will be reminded
    # … later"); two working hours on only the clerk was asked again, the store manager never.
    h = harness
    order = await _hand_in(h, ORDER)
    number, _ = await open_case_with_photo(h, order)  # first response due Friday 09:50
    h.sandbox.clock.set(local(2026, 12, 4, 10, 0))
    store_after = await h.client.last_seq()
    await sweep(h.runtime.app, h.sandbox.clock.now())
    h.runtime.kick_outbox()
    escalated = await _with_button(h, "storemanager1", store_after, "稍后")
    [snoozed] = await h.press("storemanager1", escalated, "稍后")
    assert f"稍后再提醒售后单 {number}" in snoozed["text"]
    h.sandbox.clock.set(local(2026, 12, 4, 12, 1))  # two working hours after the press
    store_after = await h.client.last_seq()
    await sweep(h.runtime.app, h.sandbox.clock.now())
    h.runtime.kick_outbox()
    again = await _with_button(h, "storemanager1", store_after, "已处理")
    assert number in again["text"]
