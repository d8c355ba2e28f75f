"""Real-use intake: answers are checked as the field they answer, drafts are checked for what a
person would notice (pasted twice, unknown material, a Sunday, the same order again), and
after-sales on an undelivered order is pointed out. Each journey is what a new user tried."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from storage.models import AfterSalesCase, AuditEntry, CaseEvent, Order
from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_aftersales import case_number_in, case_row
from tests.e2e.test_orders import number_in, submit

# Thursday 2026-12-03 is "today"; 2026-12-28 is a Monday, 2026-12-20 a Sunday, 2027-01-01 a holiday here.
WEEKDAY_ORDER = "张三 13812345678 实木床1.8米1张 12月28日送 天河区天河路1号 全款"


@pytest.fixture
def e2e_overrides() -> dict:
    return {"rules": {"working": {"holidays": ["2027-01-01"]}}}


async def draft(h: Harness, who: str = "sales1") -> Order:
    async with h.runtime.app.sessions() as session:
        return (await session.execute(select(Order).where(Order.state == "draft").order_by(Order.id.desc())
                                      .limit(1))).unique().scalar_one()


# -- awaited answers ----------------------------------------------------------------------------

async def test_a_number_or_invisible_text_is_not_taken_as_the_customer_name(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", "实木餐桌一张 12月28日送 天河区天河路1号 全款 13900001111")
    assert "请回复客户姓名" in card["text"]
    [answer] = await h.say("sales1", "061068232259")
    assert "「061068232259」不像客户姓名" in answer["text"] and "请回复客户姓名" in answer["text"]
    [answer] = await h.say("sales1", "\u200b\u200c\x01\x02 \u2060\ufeff")
    assert "看不到文字" in answer["text"] and "请回复客户姓名" in answer["text"]
    assert (await draft(h)).customer_name is None
    [card] = await h.say("sales1", "李四")
    assert "客户：李四" in card["text"] and "信息齐全" in card["text"]


async def test_an_address_too_long_to_be_one_is_not_put_on_the_draft_but_asked_for(harness: Harness) -> None:
    # A paste that ran two messages into one (or a phone that split a long one) put a 4 000-character
    # "address" on the card, which then no longer fitted one message.
    h = harness
    sent = "黄太 13700001234 实木餐桌1张 12月28日送 " + "番禺区市桥街" * 40 + " 全款"
    [card] = await h.say("sales1", sent)
    assert "这条太长了，不像送货地址（最多120个字）" in card["text"], card["text"]
    assert "还缺：地址" in card["text"] and "请回复送货地址" in card["text"] and "番禺区市桥街番禺" not in card["text"]
    assert (await draft(h)).address is None
    async with h.runtime.app.sessions() as session:  # the message itself is kept whole
        assert (await session.execute(select(AuditEntry.id).where(AuditEntry.text == sent))).scalar_one()
    [card] = await h.say("sales1", "番禺区市桥街1号")
    assert "地址：番禺区市桥街1号" in card["text"] and "信息齐全" in card["text"], card["text"]


async def test_a_phone_answer_must_be_a_phone_and_a_date_answer_not_past(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", "李四 实木餐桌一张 天河区天河路1号 全款")
    assert "请回复客户电话" in card["text"]
    [answer] = await h.say("sales1", "1390000111")
    assert "有10位数字，不像电话号码" in answer["text"] and "请回复客户电话" in answer["text"]
    [answer] = await h.say("sales1", "王先生")
    assert "里没有电话号码" in answer["text"]
    [card] = await h.say("sales1", "13900001111")
    assert "电话：13900001111" in card["text"] and "请回复送货日期" in card["text"]
    [answer] = await h.say("sales1", "随便")
    assert "没看出「随便」是哪天" in answer["text"] and "请回复送货日期" in answer["text"]
    [answer] = await h.say("sales1", "2026年12月1日")
    assert "12月1日（周二）已经过去了" in answer["text"] and "请回复送货日期" in answer["text"]
    assert (await draft(h)).delivery_date is None
    [card] = await h.say("sales1", "12月28日")
    assert "送货日期：12月28日（周一）" in card["text"] and "信息齐全" in card["text"]


async def test_an_order_number_or_a_command_while_waiting_is_answered_not_stored(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h, WEEKDAY_ORDER)
    [card] = await h.say("sales1", "实木餐桌一张 12月28日送 天河区天河路1号 全款 13900001111")
    assert "请回复客户姓名" in card["text"]
    [shown] = await h.say("sales1", number)
    assert number in shown["text"] and "张三" in shown["text"] and "不像客户姓名" not in shown["text"]
    [listing] = await h.say("sales1", "/orders")
    assert number in listing["text"]
    assert (await draft(h)).customer_name is None
    # The question still stands: the next plain answer fills it.
    [card] = await h.say("sales1", "李四")
    assert "客户：李四" in card["text"]


async def test_an_after_sales_request_while_waiting_opens_a_case(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h, WEEKDAY_ORDER)
    h.sandbox.clock.set(local(2026, 12, 3, 15, 20))
    [card] = await h.say("sales1", "实木餐桌一张 12月28日送 天河区天河路1号 全款 13900001111")
    assert "请回复客户姓名" in card["text"]
    [case_card] = await h.say("sales1", "售后 张三 衣柜门板开裂，客户要求换货")
    assert case_number_in(case_card["text"]) == "SH202612001" and f"订单：{number}（张三）" in case_card["text"]
    assert (await draft(h)).customer_name is None
    [card] = await h.say("sales1", "李四")
    assert "客户：李四" in card["text"]


async def test_a_new_full_order_while_waiting_is_a_new_draft(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", "实木餐桌一张 12月28日送 天河区天河路1号 全款 13900001111")
    assert "请回复客户姓名" in card["text"]
    [card] = await h.say("sales1", "王五 13700002222 实木书柜1个 12月28日送 越秀区中山五路2号 全款")
    assert "客户：王五" in card["text"] and "信息齐全" in card["text"]
    async with h.runtime.app.sessions() as session:
        names = [o.customer_name for o in (await session.execute(select(Order).order_by(Order.id))).unique().scalars()]
    assert names == [None, "王五"]


# -- plausibility and duplicates ---------------------------------------------------------------

async def test_a_pasted_order_with_181_identical_lines_asks_the_sender_to_check(harness: Harness) -> None:
    h = harness
    text = "张三 13812345678 12月28日送 天河区天河路1号 全款 " + "实木餐桌1张 " * 181
    [card] = await h.say("sales1", text)
    assert len(card["text"]) < 4096
    assert "有 181 行产品（超过 20 行）" in card["text"]
    assert "第1项「实木餐桌 ×1张」重复了 181 次" in card["text"]
    assert "另有 161 行" in card["text"]
    assert h.buttons(card) == ["仍然提交", "修改", "取消"]
    [card] = await h.say("sales1", "产品：实木餐桌1张", reply_to=card["message_id"])
    assert "重复了" not in card["text"] and h.buttons(card) == ["确认", "修改", "取消"]


async def test_an_implausible_quantity_is_questioned_and_can_still_be_submitted(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", "张三 13812345678 实木餐椅500把 12月28日送 天河区天河路1号 全款")
    assert "第1项数量 500（超过 50）" in card["text"]
    clerk_after = await h.client.last_seq()
    [done] = await h.press("sales1", card, "仍然提交")
    assert number_in(done["text"]) == "DD202612001"
    await h.wait_for("clerk", clerk_after)


async def test_the_same_order_again_names_the_earlier_one_and_can_still_be_sent(harness: Harness) -> None:
    h = harness
    first, _ = await submit(h, WEEKDAY_ORDER)
    h.sandbox.clock.set(local(2026, 12, 3, 17, 35))
    [card] = await h.say("sales1", WEEKDAY_ORDER)
    assert f"与 {first}（12月3日（周四）17:20提交）的客户电话和产品相同" in card["text"]
    assert h.buttons(card) == ["仍然提交", "修改", "取消"]
    # Another store's sales with the same customer is not a duplicate of this store's order.
    [other] = await h.say("sales2", WEEKDAY_ORDER)
    assert "是不是重复下单" not in other["text"] and h.buttons(other)[0] == "确认"
    clerk_after = await h.client.last_seq()
    [done] = await h.press("sales1", card, "仍然提交")
    assert number_in(done["text"]) == "DD202612002"
    [clerk_card] = await h.wait_for("clerk", clerk_after)
    assert "导购已看过以下提示，仍然提交" in clerk_card["text"] and f"与 {first}" in clerk_card["text"]


# -- unknown material ----------------------------------------------------------------------------

async def test_an_unknown_material_is_named_and_corrected_per_line(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", "王五 13700002222 餐桌1张 餐椅4把 12月28日送 天河区天河路1号 全款")
    assert "第1、2项材质未写明，按实木10天计算下单日" in card["text"]
    assert "如是板木请回复「板木」" in card["text"] and "2 板木" in card["text"]
    assert "下单日：12月18日" in card["text"]
    [card] = await h.say("sales1", "2 板木")
    assert "板木餐椅 ×4把" in card["text"] and "第1项材质未写明" in card["text"]
    assert "下单日：12月18日" in card["text"]  # line 1 still counts as solid
    [card] = await h.say("sales1", "板木", reply_to=card["message_id"])
    assert "材质未写明" not in card["text"] and "下单日：12月23日" in card["text"]


async def test_the_export_says_unknown_material_instead_of_a_guess(harness: Harness) -> None:
    h = harness
    number, clerk_card = await submit(h, "王五 13700002222 餐桌1张 板式衣柜1个 12月28日送 天河区天河路1号 全款")
    assert "第1项材质未写明" in clerk_card["text"]
    [_preparing, export] = await h.say("clerk", "/export orders 本月", expect=2, timeout=60)
    ws = load_workbook(io.BytesIO(await h.client.download(export["document"]["url"]))).active
    header = [c.value for c in ws[1]]
    material = ws.cell(2, header.index("材质") + 1).value
    assert material == "板木/未写明（按实木计）"


# -- dates on a day nobody works ---------------------------------------------------------------

async def test_a_sunday_or_holiday_delivery_and_order_date_are_warned(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", "张三 13812345678 实木床1张 12月20日送 天河区天河路1号 全款")
    assert "送货日期12月20日（周日）不是工作日" in card["text"]
    # 12-23 minus 10 days is Sunday 12-13: placement moves to Saturday 12-12.
    [card] = await h.say("sales1", "李四 13900001111 实木床1张 12月23日送 天河区天河路1号 全款")
    assert "下单日12月13日（周日）不是工作日" in card["text"] and "12月12日（周六）" in card["text"]
    assert "送货日期12月23日" not in card["text"]
    [card] = await h.say("sales1", "王五 13700002222 实木床1张 2027年1月1日送 天河区天河路1号 全款")
    assert "送货日期1月1日（周五）不是工作日" in card["text"]


async def test_an_order_date_already_past_gets_no_advice_to_place_it_earlier(harness: Harness) -> None:
    # Found trying it at 02:10 Beijing: 明天 delivery of 板木 gives an order date (Sunday 11-29)
    # days in the past; "place it on Saturday 11-28" was no advice — the short lead time says it.
    h = harness
    await h.client.set_clock(local(2026, 12, 3, 2, 10))
    [card] = await h.say("sales1", "张三 13812345678 板木衣柜1个 明天送 天河区天河路1号 全款")
    assert "送货日期：12月4日（周五）" in card["text"] and "下单日：11月29日（周日）" in card["text"]
    assert "提前期不足" in card["text"]
    assert "不是工作日" not in card["text"] and "前一个工作日" not in card["text"]


async def test_a_backorder_eta_on_a_sunday_is_warned(harness: Harness) -> None:
    h = harness
    number, card = await submit(h, WEEKDAY_ORDER)
    for label in ("接单", "已与客户确认", "已下单"):
        [card] = await h.press("clerk", card, label)
    [lines] = await h.press("clerk", card, "到货/欠货登记")
    await h.press("clerk", lines, "第1项欠货")
    [recorded] = await h.say("clerk", "12月20日")
    assert "预计到货日12月20日（周日）不是工作日" in recorded["text"]


# -- after-sales --------------------------------------------------------------------------------

async def test_after_sales_on_an_undelivered_order_warns_and_a_category_word_changes_it(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h, WEEKDAY_ORDER)
    h.sandbox.clock.set(local(2026, 12, 3, 15, 20))
    clerk_after = await h.client.last_seq()
    [card] = await h.say("sales1", f"售后 {number} 衣柜门板开裂，客户要求换货")
    case = case_number_in(card["text"])
    assert f"订单 {number} 还没有送达（现在：已交单）" in card["text"]
    [desk] = await h.wait_for("clerk", clerk_after)
    assert "还没有送达" in desk["text"]

    [changed] = await h.say("sales1", "改类别 尺寸", reply_to=card["message_id"])
    assert "类别已改为：尺寸不合适" in changed["text"]
    assert (await case_row(h, case)).category == "size"
    [changed] = await h.say("sales1", f"改类别 {case} 登记错误")
    assert "类别已改为：登记错误" in changed["text"]
    [changed] = await h.say("sales1", "改类别 质量")
    assert "类别已改为：质量问题退换货" in changed["text"]
    async with h.runtime.app.sessions() as session:
        row = await session.get(AfterSalesCase, (await case_row(h, case)).id)
        events = [e.event for e in (await session.execute(select(CaseEvent).where(CaseEvent.case_id == row.id)))
                  .scalars()]
    assert "note" not in events and events.count("category_set") == 3
    [usage] = await h.say("sales1", "改类别 颜色")
    assert "类别可选" in usage["text"]


class TestOnPostgreSQL:
    """The journeys whose SQL differs most (the duplicate window, awaited answers) on PostgreSQL too."""

    @pytest.fixture
    def e2e_db_url(self, pg_url: str) -> str:
        return pg_url

    async def test_duplicate(self, harness: Harness) -> None:
        await test_the_same_order_again_names_the_earlier_one_and_can_still_be_sent(harness)

    async def test_name_answer(self, harness: Harness) -> None:
        await test_a_number_or_invisible_text_is_not_taken_as_the_customer_name(harness)

    async def test_category_words(self, harness: Harness) -> None:
        await test_after_sales_on_an_undelivered_order_warns_and_a_category_word_changes_it(harness)
