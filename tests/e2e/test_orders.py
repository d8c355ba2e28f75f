"""Issue 4 end to end: an order's whole life by chat, flags, refusals, changes, edits, cancellation."""

from __future__ import annotations

import asyncio
import re

from sqlalchemy import select

from storage.models import AuditEntry, Fine, Order, OrderEvent
from tests.conftest import local
from tests.e2e.harness import Harness

ORDER = "张三 13812345678 实木床1.8米1张 12月20日送 天河区天河路1号 全款"


def number_in(text: str) -> str:
    match = re.search(r"DD\d{9,}", text)
    assert match, text
    return match.group(0)


async def submit(h: Harness, text: str = ORDER, who: str = "sales1") -> tuple[str, dict]:
    [card] = await h.say(who, text)
    assert h.buttons(card) == ["确认", "修改", "取消"], card["text"]
    clerk_after = await h.client.last_seq()
    [done] = await h.press(who, card, "确认")
    [clerk_card] = await h.wait_for("clerk", clerk_after)
    return number_in(done["text"]), clerk_card


async def test_a_full_order_life_from_message_to_close(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", ORDER)
    assert "客户：张三" in card["text"] and "电话：13812345678" in card["text"]
    assert "实木床 1.8米 ×1张" in card["text"]
    assert "下单日：12月10日" in card["text"]  # R4: 12-20 minus 10 days for solid wood
    assert "插单" not in card["text"]  # sent 17:20, inside the window

    clerk_after = await h.client.last_seq()
    [done] = await h.press("sales1", card, "确认")
    number = number_in(done["text"])
    assert number == "DD202612001"
    [clerk_card] = await h.wait_for("clerk", clerk_after)
    assert clerk_card["text"].startswith(f"🆕 新订单 {number} · 天河店 · 张导购")
    assert h.buttons(clerk_card) == ["接单"]

    [card] = await h.press("clerk", clerk_card, "接单")
    assert "【已接单】" in card["text"] and h.buttons(card)[0] == "已与客户确认"
    [card] = await h.press("clerk", card, "已与客户确认")
    sales_after = await h.client.last_seq()
    [card] = await h.press("clerk", card, "已下单")
    assert "【已下单】" in card["text"]
    [told] = await h.wait_for("sales1", sales_after)
    assert told["text"] == f"订单 {number} 进度：已下单"

    # Printing before the goods are complete is refused with the reason.
    [refused] = await h.say("clerk", f"/step {number} 打单")
    assert "还没单齐，不能打单" in refused["text"]

    [lines] = await h.press("clerk", card, "到货/欠货登记")
    assert h.buttons(lines) == ["第1项到货", "第1项欠货"]
    [ask] = await h.press("clerk", lines, "第1项欠货")
    assert "请回复预计到货日期" in ask["text"]
    store_after = await h.client.last_seq()
    [recorded] = await h.say("clerk", "12月15日")
    assert "欠货，预计12月15日（周二）到" in recorded["text"]
    [store_news] = await h.wait_for("storemanager1", store_after)
    assert store_news["text"] == f"⏳ 欠货：订单 {number}（张三）实木床 1.8米 ×1张，预计12月15日（周二）到货。"

    store_after = await h.client.last_seq()
    [arrived] = await h.press("clerk", recorded, "第1项到货")
    assert "全部到货" in arrived["text"]
    [store_news] = await h.wait_for("storemanager1", store_after)
    assert "已入库" in store_news["text"]

    sales_after = await h.client.last_seq()
    [card] = await h.press("clerk", arrived, "单齐")
    [card] = await h.press("clerk", card, "已打单")
    assert "【已打单】" in card["text"]
    [card] = await h.press("clerk", card, "已提货")
    [card] = await h.press("clerk", card, "已送达")
    [card] = await h.press("clerk", card, "结单")
    assert "【已结单】" in card["text"] and h.buttons(card) == []
    # The paced progress notices (单齐, 已打单, 已送达) reach the sales person before they ask, not during.
    await h.wait_for("sales1", sales_after, expect=3)

    [history] = await h.say("sales1", f"/order {number}")
    for step in ("收到下单消息", "提交给跟单员", "接单", "已与客户确认", "下单", "欠货登记", "到货登记", "单齐",
                 "打单", "提货", "送达", "结单"):
        assert step in history["text"], step
    assert "依据消息" in history["text"] and "张三 13812345678" in history["text"]

    async with h.runtime.app.sessions() as session:
        order = (await session.execute(select(Order).where(Order.number == number))).scalar_one()
        assert order.state == "closed" and order.printed_at and order.pickup_deadline
        assert order.reached_store_warehouse  # picked up: a change would now cost R8's higher rate
        events = list((await session.execute(select(OrderEvent).where(OrderEvent.order_id == order.id))).scalars())
        changes = list((await session.execute(select(AuditEntry).where(AuditEntry.kind == "state_change",
                                                                       AuditEntry.entity == number))).scalars())
    # Every state change is in the audit log and points at its evidence message.
    transitions = [e for e in events if e.to_state]
    assert [e.to_state for e in transitions] == ["draft", "submitted", "received", "confirmed", "placed",
                                                 "complete", "printed", "picked_up", "delivered", "closed"]
    assert all(e.evidence_id for e in events)
    assert len([c for c in changes if '"to":' in (c.payload or "")]) >= 9


async def test_missing_fields_are_asked_for_by_name_and_filled_by_reply(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", "李四 实木餐桌一张 12月28日送 全款")
    assert "还缺：电话、地址" in card["text"] and "请回复客户电话" in card["text"]
    assert "确认" not in h.buttons(card)
    [card] = await h.say("sales1", "13900001111")
    assert "电话：13900001111" in card["text"] and "请回复送货地址" in card["text"]
    [card] = await h.say("sales1", "海珠区江南大道5号", reply_to=card["message_id"])
    assert "地址：海珠区江南大道5号" in card["text"] and "信息齐全" in card["text"]
    assert h.buttons(card) == ["确认", "修改", "取消"]


async def test_deposit_is_refused_with_the_reason_and_can_be_corrected(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", "王五 13700002222 板式衣柜2门1个 12月30日送 番禺区市桥路9号 交了定金")
    assert "只接受全款或担保订单（R3）" in card["text"] and "确认" not in h.buttons(card)
    [card] = await h.say("sales1", "担保")
    assert "付款：担保" in card["text"] and "确认" in h.buttons(card)


async def test_rush_insertion_and_short_lead_time_are_flagged(harness: Harness) -> None:
    h = harness
    h.sandbox.clock.set(local(2026, 12, 3, 10, 5))
    [card] = await h.say("sales1", "赵六 13600003333 实木书柜1个 12月8日送 越秀区中山五路2号 全款")
    assert "插单" in card["text"] and "提前期不足" in card["text"]
    number, clerk_card = await _confirm(h, card)
    assert "提议插单罚款（R2）" in h.buttons(clerk_card)
    manager_after = await h.client.last_seq()
    await h.press("clerk", clerk_card, "提议插单罚款（R2）")
    [proposal] = await h.wait_for("manager", manager_after)
    assert "拟罚款" in proposal["text"] and "R2" in proposal["text"] and "50 元" in proposal["text"]
    sales_after = await h.client.last_seq()
    [decided] = await h.press("manager", proposal, "确认罚款")
    assert "已确认罚款" in decided["text"]
    [notice] = await h.wait_for("sales1", sales_after)
    assert "罚款通知" in notice["text"] and "依据：R2" in notice["text"] and "赵六" in notice["text"]
    assert "/appeal" in notice["text"]


async def test_complete_pressed_too_early_points_at_the_line_register_not_at_itself(harness: Harness) -> None:
    h = harness
    _number, card = await submit(h)
    for label in ("接单", "已与客户确认", "已下单"):
        [card] = await h.press("clerk", card, label)
    [refused] = await h.press("clerk", card, "单齐")
    assert "还不能单齐：还有 1 项待到货、0 项欠货" in refused["text"]
    assert "请先按「到货/欠货登记」登记每一项" in refused["text"], refused["text"]
    assert "下一步是「单齐」" not in refused["text"]  # the step just refused is no hint


async def _confirm(h: Harness, card: dict) -> tuple[str, dict]:
    clerk_after = await h.client.last_seq()
    [done] = await h.press("sales1", card, "确认")
    [clerk_card] = await h.wait_for("clerk", clerk_after)
    return number_in(done["text"]), clerk_card


async def print_order(h: Harness, card: dict) -> dict:
    """The clerk takes a one-line order from its new-order card to 已打单; the card as it then reads."""
    for label in ("接单", "已与客户确认", "已下单"):
        [card] = await h.press("clerk", card, label)
    [lines] = await h.press("clerk", card, "到货/欠货登记")
    [card] = await h.press("clerk", lines, "第1项到货")
    for label in ("单齐", "已打单"):
        [card] = await h.press("clerk", card, label)
    return card


async def test_a_change_shows_a_diff_and_after_printing_proposes_the_r8_fine(harness: Harness) -> None:
    h = harness
    number, clerk_card = await submit(h)
    card = await print_order(h, clerk_card)
    # The progress notices to the sales person are paced (1 per second per chat); let them land
    # before the sales person types, so the next message they get is the answer.
    await h.outbound_logged(f"订单 {number} 进度：已打单")

    [diff] = await h.say("sales1", f"{number} 送货日期改到12月28日")
    assert "送货日期：12月20日（周日） → 12月28日（周一）" in diff["text"]
    assert "拟罚款 30 元（R8）" in diff["text"]
    clerk_after = await h.client.last_seq()
    manager_after = await h.client.last_seq()
    [applied] = await h.press("sales1", diff, "确认修改")
    assert f"订单 {number} 已改单" in applied["text"] and "已提交罚款" in applied["text"]
    clerk_news = await h.wait_for("clerk", clerk_after)
    assert any("改单" in e["text"] and "12月28日" in e["text"] for e in clerk_news)
    [proposal] = await h.wait_for("manager", manager_after)
    assert "R8" in proposal["text"] and "30 元" in proposal["text"]
    async with h.runtime.app.sessions() as session:
        order = (await session.execute(select(Order).where(Order.number == number))).scalar_one()
        fine = (await session.execute(select(Fine).where(Fine.rule == "R8"))).scalar_one()
    assert str(order.delivery_date) == "2026-12-28" and str(order.order_date) == "2026-12-18"
    assert fine.state == "proposed" and fine.amount_yuan == 30


async def test_an_edited_order_message_becomes_a_new_version_and_a_question(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", ORDER)
    source_id = card["reply_to_message_id"] or card["message_id"] - 1
    number, _ = await _confirm(h, card)
    after = await h.client.last_seq()
    await h.client.edit_text(h.uid("sales1"), source_id, ORDER.replace("13812345678", "13812345679"))
    [question] = await h.wait_for("sales1", after)
    assert f"您编辑了订单 {number} 的原消息" in question["text"]
    assert "电话：13812345678 → 13812345679" in question["text"]
    async with h.runtime.app.sessions() as session:
        versions = list((await session.execute(
            select(AuditEntry.version, AuditEntry.text).where(AuditEntry.message_id == source_id,
                                                               AuditEntry.chat_id == h.uid("sales1"),
                                                               AuditEntry.kind.in_(("inbound", "inbound_edit")))
            .order_by(AuditEntry.version))).all())
        order = (await session.execute(select(Order).where(Order.number == number))).scalar_one()
    assert [v for v, _ in versions] == [1, 2] and "13812345679" in versions[1][1]
    assert order.customer_phone == "13812345678"  # never silently rewritten
    [kept] = await h.press("sales1", question, "不改")
    assert "不变" in kept["text"]


async def test_cancellation_before_and_after_placing(harness: Harness) -> None:
    h = harness
    number, clerk_card = await submit(h)
    [card] = await h.say("sales1", f"{number} 取消，客户不要了")
    assert h.buttons(card) == ["确认销单", "不销单"]  # 销单 cannot be undone: asked first
    clerk_after = await h.client.last_seq()
    [done] = await h.press("sales1", card, "确认销单")
    assert f"订单 {number} 已取消" in done["text"] and "客户不要了" in done["text"]
    [told] = await h.wait_for("clerk", clerk_after)
    assert "已被导购取消" in told["text"]

    number, card = await submit(h, ORDER.replace("张三", "孙七"))
    for label in ("接单", "已与客户确认"):
        [card] = await h.press("clerk", card, label)
    sales_after = await h.client.last_seq()
    await h.press("clerk", card, "已下单")
    [progress] = await h.wait_for("sales1", sales_after)  # the notice, before sales writes again
    assert "已下单" in progress["text"]
    [ask] = await h.say("sales1", f"{number} 取消")
    assert "请回复取消订单" in ask["text"]
    [card] = await h.say("sales1", "客户搬家了")
    assert "要跟单员同意" in card["text"] and h.buttons(card) == ["确认销单", "不销单"]
    clerk_after = await h.client.last_seq()
    [requested] = await h.press("sales1", card, "确认销单")
    assert "需要跟单员确认" in requested["text"]
    [request] = await h.wait_for("clerk", clerk_after)
    assert "销单申请" in request["text"] and "客户搬家了" in request["text"]
    sales_after = await h.client.last_seq()
    await h.press("clerk", request, "同意销单")
    [told] = await h.wait_for("sales1", sales_after)
    assert "已取消" in told["text"]


async def test_two_concurrent_confirms_get_distinct_numbers(harness: Harness) -> None:
    h = harness
    [card1] = await h.say("sales1", ORDER)
    [card2] = await h.say("sales2", ORDER.replace("张三", "周八"))
    after = await h.client.last_seq()
    await asyncio.gather(h.client.press(h.uid("sales1"), card1, "确认"), h.client.press(h.uid("sales2"), card2, "确认"))
    first = await h.wait_for("sales1", after)
    second = await h.wait_for("sales2", after)
    numbers = {number_in(first[0]["text"]), number_in(second[0]["text"])}
    assert numbers == {"DD202612001", "DD202612002"}


async def test_a_sales_person_is_denied_another_stores_order(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h, who="sales2")
    [answer] = await h.say("sales1", f"/order {number}")
    assert answer["text"] == f"没有找到订单 {number}。"
    [answer] = await h.say("sales1", f"{number} 到哪了")
    assert answer["text"] == f"没有找到订单 {number}。"
    [mine] = await h.say("sales2", f"/order {number}")
    assert "客户：张三" in mine["text"]
    [listing] = await h.say("storemanager1", "/orders")
    assert number not in listing["text"]
    [listing] = await h.say("manager", "/orders")
    assert number in listing["text"]


async def test_an_order_sent_on_the_return_day_is_held_and_submitted_the_next_working_day(harness: Harness) -> None:
    from datetime import date

    from handlers.reminders.sweep import sweep
    from storage.orders import set_return_day

    h = harness
    async with h.runtime.app.sessions() as session, session.begin():
        await set_return_day(session, day=date(2026, 12, 17), user_id=3, now=h.sandbox.clock.now())
    h.sandbox.clock.set(local(2026, 12, 17, 17, 20))
    [card] = await h.say("sales1", ORDER.replace("12月20日", "12月31日"))
    [held] = await h.press("sales1", card, "确认")
    assert "今天是本月售后退货日，暂停接单（R12）" in held["text"] and "12月18日" in held["text"]
    async with h.runtime.app.sessions() as session:
        order = (await session.execute(select(Order))).scalar_one()
    assert order.state == "draft" and order.number is None and str(order.held_until) == "2026-12-18"

    h.sandbox.clock.set(local(2026, 12, 17, 20, 0))  # evening: not yet
    assert (await sweep(h.runtime.app, h.sandbox.clock.now())).released == 0
    h.sandbox.clock.set(local(2026, 12, 18, 9, 0))
    clerk_after = await h.client.last_seq()
    sales_after = await h.client.last_seq()
    report = await sweep(h.runtime.app, h.sandbox.clock.now())
    assert report.released == 1
    h.runtime.kick_outbox()
    [clerk_card] = await h.wait_for("clerk", clerk_after)
    assert clerk_card["text"].startswith("🆕 新订单 DD202612001")  # no empty tracking sheet before it
    [told] = await h.wait_for("sales1", sales_after)
    assert "已自动提交" in told["text"] and "DD202612001" in told["text"]
    async with h.runtime.app.sessions() as session:
        order = (await session.execute(select(Order))).scalar_one()
        events = [e.event for e in (await session.execute(select(OrderEvent).where(OrderEvent.order_id == order.id)
                                                            .order_by(OrderEvent.id))).scalars()]
    assert order.state == "submitted" and order.held_until is None
    assert events[-2:] == ["held_for_return_day", "submitted"]


async def test_replying_to_the_eta_question_records_the_backorder(harness: Harness) -> None:
    """The question says 「请回复预计到货日期」: a clerk who replied to it with 12月15日 got a change card
    proposing to move the delivery date to 12月15日 instead, and the backorder was never recorded."""
    h = harness
    number, card = await submit(h)
    for label in ("接单", "已与客户确认", "已下单"):
        [card] = await h.press("clerk", card, label)
    [lines] = await h.press("clerk", card, "到货/欠货登记")
    [ask] = await h.press("clerk", lines, "第1项欠货")
    assert "请回复预计到货日期" in ask["text"]
    [recorded] = await h.say("clerk", "12月15日", reply_to=ask["message_id"])
    assert "欠货，预计12月15日（周二）到" in recorded["text"], recorded["text"]
    [shown] = await h.say("clerk", f"/order {number}")
    assert "送货日期：12月20日（周日）" in shown["text"] and "[欠货，预计12月15日（周二）到]" in shown["text"]
