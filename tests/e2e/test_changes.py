"""改单 and 销单 as a new user tries them: every wording the README and the bot's hints use,
with the order number, as a reply to any of the order's cards, and by editing the message."""

from __future__ import annotations

import re

from sqlalchemy import select

from storage.models import Order
from tests.e2e.harness import Harness
from tests.e2e.test_orders import ORDER, number_in, submit

TWO_LINES = "李四 13900002222 实木衣柜1个 床头柜2个 12月28日送 海珠区江南大道5号 全款"
TWO_BEDS = "王五 13700003333 实木床1.8米1张 板木床1.5米1张 12月28日送 番禺区市桥路9号 全款"
CRASH = "出错了"


async def _order(h: Harness, number: str) -> Order:
    async with h.runtime.app.sessions() as session:
        order = (await session.execute(select(Order).where(Order.number == number))).scalar_one()
        _ = list(order.lines)
        return order


def _lines(order: Order) -> list[tuple[str, int]]:
    return [(line.product, line.quantity) for line in sorted(order.lines, key=lambda line: line.position)]


async def test_the_readme_quantity_example_works_on_a_one_line_order(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h)
    [diff] = await h.say("sales1", f"{number} 数量改成3")
    assert "第1项：实木床 1.8米 ×1张 → 实木床 1.8米 ×3张" in diff["text"], diff["text"]
    assert h.buttons(diff) == ["确认修改", "不改"]
    [applied] = await h.press("sales1", diff, "确认修改")
    assert f"订单 {number} 已改单" in applied["text"]
    assert _lines(await _order(h, number)) == [("床", 3)]


async def test_item_changes_name_the_line_by_product_or_position_and_never_crash(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h, TWO_LINES)
    [diff] = await h.say("sales1", f"{number} 实木衣柜改成2个")
    assert CRASH not in diff["text"]
    assert "第1项：实木衣柜 ×1个 → 实木衣柜 ×2个" in diff["text"] and "第2项" not in diff["text"]
    [applied] = await h.press("sales1", diff, "确认修改")
    # A reply to the card just shown names the order; the product names the line.
    [diff] = await h.say("sales1", "床头柜改成3个", reply_to=applied["message_id"])
    assert "第2项：床头柜 ×2个 → 床头柜 ×3个" in diff["text"], diff["text"]
    await h.press("sales1", diff, "确认修改")
    assert _lines(await _order(h, number)) == [("衣柜", 2), ("床头柜", 3)]

    [diff] = await h.say("sales1", f"{number} 第2项改成1个")
    assert "第2项：床头柜 ×3个 → 床头柜 ×1个" in diff["text"], diff["text"]
    await h.press("sales1", diff, "确认修改")
    [diff] = await h.say("sales1", f"{number} 加一个床头柜")
    assert "第2项：床头柜 ×1个 → 床头柜 ×2个" in diff["text"], diff["text"]
    await h.press("sales1", diff, "确认修改")
    [diff] = await h.say("sales1", f"{number} 加2把实木餐椅")
    assert "新增：实木餐椅 ×2把" in diff["text"], diff["text"]
    await h.press("sales1", diff, "确认修改")
    [diff] = await h.say("sales1", f"{number} 床头柜不要了")
    assert "去掉第2项：床头柜 ×2个" in diff["text"], diff["text"]
    await h.press("sales1", diff, "确认修改")
    assert _lines(await _order(h, number)) == [("衣柜", 2), ("餐椅", 2)]

    [refused] = await h.say("sales1", f"{number} 书柜改成2个")
    assert "没有「书柜」" in refused["text"] and "1. 实木衣柜 ×2个" in refused["text"]
    [refused] = await h.say("sales1", f"{number} 第5项改成2个")
    assert "没有第5项" in refused["text"]


async def test_an_ambiguous_line_is_asked_for_with_a_button_per_line(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h, TWO_BEDS)
    [ask] = await h.say("sales1", f"{number} 床改成2张")
    assert "请选一行" in ask["text"]
    assert h.buttons(ask) == ["第1项 实木床 1.8米 ×1张", "第2项 板木床 1.5米 ×1张", "不改"]
    [diff] = await h.press("sales1", ask, "第2项 板木床 1.5米 ×1张")
    assert "第2项：板木床 1.5米 ×1张 → 板木床 1.5米 ×2张" in diff["text"] and "第1项" not in diff["text"]
    [applied] = await h.press("sales1", diff, "确认修改")
    assert "已改单" in applied["text"]
    assert _lines(await _order(h, number)) == [("床", 1), ("床", 2)]
    # The material narrows it down without asking.
    [diff] = await h.say("sales1", f"{number} 实木床改成3张")
    assert "第1项：实木床 1.8米 ×1张 → 实木床 1.8米 ×3张" in diff["text"], diff["text"]


async def test_a_reply_to_any_of_the_orders_cards_is_read_as_a_change(harness: Harness) -> None:
    h = harness
    [card] = await h.say("sales1", ORDER)
    clerk_after = await h.client.last_seq()
    [submitted] = await h.press("sales1", card, "确认")
    await h.wait_for("clerk", clerk_after)
    number = number_in(submitted["text"])

    [diff] = await h.say("sales1", "送货日期改到12月22日", reply_to=submitted["message_id"])
    assert "送货日期：12月20日（周日） → 12月22日（周二）" in diff["text"], diff["text"]
    [applied] = await h.press("sales1", diff, "确认修改")
    [view] = await h.say("sales1", f"/order {number}")
    [diff] = await h.say("sales1", "电话改成13900001111", reply_to=view["message_id"])
    assert "电话：13812345678 → 13900001111" in diff["text"], diff["text"]
    [diff] = await h.say("sales1", "地址 海珠区江南大道5号", reply_to=diff["message_id"])
    assert "地址：天河区天河路1号 → 海珠区江南大道5号" in diff["text"], diff["text"]
    await h.press("sales1", diff, "确认修改")
    [diff] = await h.say("sales1", "改成担保", reply_to=applied["message_id"])
    assert "付款：全款 → 担保" in diff["text"], diff["text"]
    [diff] = await h.say("sales1", "推迟3天", reply_to=applied["message_id"])
    assert "12月22日（周二） → 12月25日（周五）" in diff["text"], diff["text"]
    order = await _order(h, number)
    assert order.address == "海珠区江南大道5号" and str(order.delivery_date) == "2026-12-22"


async def test_an_edit_changes_only_what_differs_from_the_previous_version(harness: Harness) -> None:
    h = harness
    text = "赵六 13600004444 板木床1张 床头柜2个 12月28日送 越秀区中山五路2号 全款"
    [card] = await h.say("sales1", text)
    source_id = card["reply_to_message_id"] or card["message_id"] - 1
    clerk_after = await h.client.last_seq()
    [submitted] = await h.press("sales1", card, "确认")
    await h.wait_for("clerk", clerk_after)
    number = number_in(submitted["text"])
    [diff] = await h.say("sales1", f"{number} 地址改为荔湾区龙津路8号")
    await h.press("sales1", diff, "确认修改")

    after = await h.client.last_seq()
    await h.client.edit_text(h.uid("sales1"), source_id, text.replace("床头柜2个", "床头柜3个"))
    [question] = await h.wait_for("sales1", after)
    assert "第2项：床头柜 ×2个 → 床头柜 ×3个" in question["text"], question["text"]
    assert "板木床" not in question["text"] and "地址" not in question["text"]
    await h.press("sales1", question, "确认修改")
    order = await _order(h, number)
    assert _lines(order) == [("床", 1), ("床头柜", 3)] and order.address == "荔湾区龙津路8号"

    after = await h.client.last_seq()
    await h.client.edit_text(h.uid("sales1"), source_id, text.replace("床头柜2个", "床头柜3个") + " ")
    [nothing] = await h.wait_for("sales1", after)
    assert "没看出改了什么" in nothing["text"] and h.buttons(nothing) == []


async def test_every_example_the_change_hints_give_is_accepted(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h)
    [hint] = await h.say("sales1", f"{number} 改单")
    [submitted] = await h.say("sales1", f"/order {number}")
    [reply_hint] = await h.say("sales1", "嗯", reply_to=submitted["message_id"])
    examples = []
    for text in (hint["text"], reply_hint["text"]):
        assert "例如：" in text, text
        examples += re.split(r"、", text.split("例如：", 1)[1].rstrip("。"))
    assert len(examples) >= 8
    for example in examples:
        if example.startswith(number):
            [answer] = await h.say("sales1", example)
        else:
            [answer] = await h.say("sales1", example, reply_to=submitted["message_id"])
        assert h.buttons(answer) == ["确认修改", "不改"], (example, answer["text"])


async def test_cancelling_asks_for_confirmation_and_a_stale_press_says_where_the_order_stands(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h)
    [card] = await h.say("sales1", f"{number} 取消，客户不要了")
    assert h.buttons(card) == ["确认销单", "不销单"] and "不能恢复" in card["text"] and "客户不要了" in card["text"]
    [kept] = await h.press("sales1", card, "不销单")
    assert "不销单" in kept["text"]
    assert (await _order(h, number)).state == "submitted"

    [first] = await h.say("sales1", f"{number} 取消，客户不要了")
    [card] = await h.say("sales1", f"{number} 取消，客户不要了")
    clerk_after = await h.client.last_seq()
    [done] = await h.press("sales1", card, "确认销单")
    assert f"订单 {number} 已取消" in done["text"]
    [told] = await h.wait_for("clerk", clerk_after)
    assert "已被导购取消" in told["text"]
    [answer] = await h.press("sales1", first, "确认销单")  # the older card, still showing its buttons
    assert "已销单" in answer["text"] and "放弃" in answer["text"], answer["text"]
    assert (await _order(h, number)).state == "cancelled"


async def test_a_stale_life_cycle_button_says_the_state_and_why(harness: Harness) -> None:
    h = harness
    number, first_card = await submit(h)
    [card] = await h.say("clerk", f"/step {number} 接单")  # a second card; the first still shows 接单
    [answer] = await h.press("clerk", first_card, "接单")
    assert "已接单" in answer["text"] and "已经" in answer["text"], answer["text"]
    assert answer["text"] != "现在不能做这一步。"
    await h.press("clerk", card, "已与客户确认")
    [answer] = await h.say("clerk", f"/step {number} 打单")
    assert "已与客户确认" in answer["text"] and "已下单" in answer["text"], answer["text"]
    [answer] = await h.say("clerk", f"/step {number} 结单")
    assert "已与客户确认" in answer["text"] and "已下单" in answer["text"], answer["text"]


async def test_fine_takes_a_name_or_an_order_number_and_says_when_it_is_ambiguous(harness: Harness) -> None:
    h = harness
    number, clerk_card = await submit(h)
    manager_after = await h.client.last_seq()
    [ok] = await h.say("clerk", "/fine 张导购 30 R8 打错单")
    assert "已提交罚款 FK202612001" in ok["text"] and "张导购" in ok["text"]
    [proposal] = await h.wait_for("manager", manager_after)
    assert "张导购" in proposal["text"]
    [ok] = await h.say("clerk", f"/fine {number} 30 R8 打错单")  # R8: the order's sales person
    assert "FK202612002" in ok["text"] and "张导购" in ok["text"], ok["text"]
    [ok] = await h.say("clerk", "/fine @sales1 30 R8 打错单")
    assert "FK202612003" in ok["text"] and "张导购" in ok["text"], ok["text"]
    [ambiguous] = await h.say("clerk", "/fine 导购 30 R8 打错单")
    assert "不止一个人" in ambiguous["text"] and "张导购" in ambiguous["text"] and "刘导购" in ambiguous["text"]
    [unknown] = await h.say("clerk", "/fine 赵某 30 R8 打错单")
    assert "没有找到「赵某」" in unknown["text"]
    [nobody] = await h.say("clerk", f"/fine {number} 50 R7 漏下单")  # nobody has taken the order yet
    assert "还没有 R7 的责任人" in nobody["text"], nobody["text"]
    await h.press("clerk", clerk_card, "接单")
    [ok] = await h.say("clerk", f"/fine {number} 50 R7 漏下单")
    assert "李跟单" in ok["text"], ok["text"]
    [usage] = await h.say("clerk", "/fine 张导购")
    assert "姓名" in usage["text"] and "订单号" in usage["text"]


async def test_a_draft_takes_the_same_line_changes_as_a_submitted_order(harness: Harness) -> None:
    """「数量改成2」 on the draft card (replying, or after 修改) changes the draft's line, as it
    would a submitted order's — not 「没看出要改什么」."""
    h = harness
    [card] = await h.say("sales1", ORDER)
    [updated] = await h.say("sales1", "数量改成2", reply_to=card["message_id"])
    assert "没看出" not in updated["text"], updated["text"]
    assert "×2张" in updated["text"], updated["text"]
    [asked] = await h.press("sales1", updated, "修改")
    [updated] = await h.say("sales1", "加一个床头柜")
    assert "床头柜" in updated["text"] and "×2张" in updated["text"], updated["text"]
    [done] = await h.press("sales1", updated, "确认")
    assert _lines(await _order(h, number_in(done["text"]))) == [("床", 2), ("床头柜", 1)]


async def test_change_words_right_after_a_draft_change_that_draft(harness: Harness) -> None:
    """「数量改成2」 sent (not as a reply) just after the draft card means that draft: it was
    answered with the general 下单 hint, which told the sales person nothing."""
    h = harness
    [card] = await h.say("sales1", ORDER)
    [updated] = await h.say("sales1", "数量改成2")
    assert "×2张" in updated["text"] and "已更新" in updated["text"], updated["text"]
    assert h.buttons(updated) == ["确认", "修改", "取消"]
    [done] = await h.press("sales1", updated, "确认")
    assert _lines(await _order(h, number_in(done["text"]))) == [("床", 2)]
