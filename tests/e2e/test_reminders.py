"""Issue 6 through the real transport: reminders delivered once despite 429s and 5xx; buttons,
/remind, /outbox, /fine and /appeal as people use them."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from handlers.reminders.sweep import sweep
from storage.models import OutboxMessage
from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_orders import submit

PANEL_ORDER = "钱九 13811112222 板式书桌1张 12月9日送 白云区机场路8号 全款"  # order date Fri 4 Dec


async def _sent(h: Harness, key_part: str, timeout: float = 15.0) -> OutboxMessage:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with h.runtime.app.sessions() as session:
            row = (await session.execute(select(OutboxMessage).where(OutboxMessage.key.contains(key_part))
                                         .order_by(OutboxMessage.id.desc()).limit(1))).scalar_one_or_none()
        if row is not None and row.state in ("sent", "failed", "unreachable"):
            return row
        assert loop.time() < deadline, f"outbox row {key_part} still {row.state if row else 'missing'}"
        await asyncio.sleep(0.05)


async def _outbox_idle(h: Harness, timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        async with h.runtime.app.sessions() as session:
            busy = (await session.execute(select(OutboxMessage.id).where(
                OutboxMessage.state.in_(("pending", "sending")),
                OutboxMessage.not_before <= h.sandbox.clock.now()).limit(1))).first()
        if busy is None:
            return
        assert loop.time() < deadline, "the outbox never went idle"
        h.runtime.kick_outbox()
        await asyncio.sleep(0.05)


async def test_a_reminder_survives_429_and_5xx_and_arrives_once(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h, PANEL_ORDER)
    h.sandbox.clock.set(local(2026, 12, 4, 9, 0))
    await h.client.add_fault(method="sendMessage", status=429, retry_after=1, times=1)
    await h.client.add_fault(method="sendMessage", status=502, times=2)
    after = await h.client.last_seq()
    report = await sweep(h.runtime.app, h.sandbox.clock.now())
    assert report.queued >= 1
    await sweep(h.runtime.app, h.sandbox.clock.now())  # a second sweep queues nothing new
    h.runtime.kick_outbox()
    row = await _sent(h, f"R6:remind_sales:2026-12-04:{number}")
    assert row.state == "sent" and row.attempts >= 2  # refused at least once (429 or 502), then delivered
    events = await h.client.bot_events(h.uid("sales1"), after)
    reminders = [e for e in events if e["kind"] == "send" and "下单日（R6）" in (e["text"] or "")]
    assert len(reminders) == 1
    assert Harness.buttons(reminders[0]) == ["已通知跟单员下单"]

    clerk_after = await h.client.last_seq()
    [ok] = await h.press("sales1", reminders[0], "已通知跟单员下单")
    assert "已记录" in ok["text"]
    [told] = await h.wait_for("clerk", clerk_after)
    assert "请今天下单" in told["text"] and number in told["text"]


async def test_nothing_is_sent_outside_working_hours(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h, PANEL_ORDER)
    h.sandbox.clock.set(local(2026, 12, 4, 9, 0))
    await sweep(h.runtime.app, h.sandbox.clock.now())
    await _sent(h, f"R6:remind_sales:2026-12-04:{number}")
    await _outbox_idle(h)  # everything due in the morning is out before the clock moves on
    h.sandbox.clock.set(local(2026, 12, 4, 21, 0))  # the order is still not placed at 21:00 …
    await sweep(h.runtime.app, h.sandbox.clock.now())
    h.runtime.kick_outbox()
    await h.runtime.outbox.drain()
    async with h.runtime.app.sessions() as session:
        rows = list((await session.execute(select(OutboxMessage))).scalars())
    waiting = {row.key.split(":u")[0] for row in rows if row.state == "pending"}
    assert {f"R6:remind_clerk:2026-12-04:{number}", "R15:daily:2026-12-04"} <= waiting  # they wait for morning
    assert any(key.startswith("fine:FK") for key in waiting)  # R6 fines proposed, the managers told at 09:00
    assert not [row for row in rows if row.sent_at and row.sent_at >= local(2026, 12, 4, 18, 31)]
    [remind] = await h.say("manager", "/remind")
    assert "罚款" in remind["text"] or "排队" in remind["text"]


async def test_outbox_state_for_admins_and_manual_fine_with_appeal(harness: Harness) -> None:
    h = harness
    [state] = await h.say("admin", "/outbox")
    assert state["text"].startswith("发送队列：")
    manager_after = await h.client.last_seq()
    [ok] = await h.say("clerk", "/fine 2001 30 R8 打错单")
    assert "已提交罚款 FK202612001" in ok["text"]
    [proposal] = await h.wait_for("manager", manager_after)
    sales_after = await h.client.last_seq()
    await h.press("manager", proposal, "确认罚款")
    [notice] = await h.wait_for("sales1", sales_after)
    assert "罚款通知 FK202612001" in notice["text"] and "打错单" in notice["text"]
    manager_after = await h.client.last_seq()
    [lodged] = await h.say("sales1", "/appeal FK202612001 不是我下错的单")
    assert "已提交申诉" in lodged["text"]
    [appeal] = await h.wait_for("manager", manager_after)
    assert "不是我下错的单" in appeal["text"]
    sales_after = await h.client.last_seq()
    await h.press("manager", appeal, "撤销罚款")
    [decided] = await h.wait_for("sales1", sales_after)
    assert "申诉成立" in decided["text"]
    [listing] = await h.say("manager", "/fines")
    assert "已撤销" in listing["text"]


async def test_an_order_handed_in_after_its_order_date_is_reminded_as_late(harness: Harness) -> None:
    # Found trying it: handed in at 02:10 for 明天, a 板木 order's order date (29 Nov) had passed,
    # and at 09:00 the sales person was told "今天是订单…的下单日".
    h = harness
    h.sandbox.clock.set(local(2026, 12, 3, 2, 10))
    [card] = await h.say("sales1", "张三 13812345678 板木衣柜1个 明天送 天河区天河路1号 全款")
    [done] = await h.press("sales1", card, "确认")  # the clerks hear of it at 09:00 (R18)
    number = done["text"].split("订单号：")[1].split()[0]
    h.sandbox.clock.set(local(2026, 12, 3, 9, 0))
    sales_after = await h.client.last_seq()
    await sweep(h.runtime.app, h.sandbox.clock.now())
    h.runtime.kick_outbox()
    [reminder] = [e for e in await h.wait_for("sales1", sales_after) if "下单日" in e["text"]]
    assert f"订单 {number}（张三）的下单日11月29日（周日）已经过了" in reminder["text"]
    assert "今天是" not in reminder["text"] and h.buttons(reminder) == ["已通知跟单员下单"]


async def test_the_1830_tracking_sheet_goes_out_within_its_minute(harness: Harness) -> None:
    # Found trying it: the sweep queued the sheet at 18:30:01 and it waited in the outbox until
    # 09:00 the next morning — "the closing minute included" admitted only 18:30:00.000 itself.
    h = harness
    await submit(h, PANEL_ORDER)
    await _outbox_idle(h)
    h.sandbox.clock.set(local(2026, 12, 4, 18, 30, 1))
    clerk_after = await h.client.last_seq()
    await sweep(h.runtime.app, h.sandbox.clock.now())
    h.runtime.kick_outbox()
    row = await _sent(h, "R15:daily:2026-12-04")
    assert row.state == "sent"
    [sheet] = [e for e in await h.wait_for("clerk", clerk_after) if "跟踪" in (e["text"] or "")]
    assert "2026-12-04" in sheet["text"] or "12月4日" in sheet["text"]


async def test_the_appeal_deadline_is_told_as_a_day_that_counts_and_in_the_readers_dates(harness: Harness) -> None:
    # Found trying it: the notice said "To appeal, before 2026-12-09 (Wed)" although an appeal on
    # the 9th is taken; and a late appeal answered 「已过申诉期限（2026-12-09）」, a bare ISO date.
    h = harness
    h.sandbox.clock.set(local(2026, 12, 3, 10, 0))
    await h.say("sales1", "/lang en")
    manager_after = await h.client.last_seq()
    await h.say("clerk", "/fine 2001 30 R8 打错单")
    [proposal] = await h.wait_for("manager", manager_after)
    sales_after = await h.client.last_seq()
    await h.press("manager", proposal, "确认罚款")
    [notice] = await h.wait_for("sales1", sales_after)
    assert "To appeal, by 2026-12-09 (Wed), that day included: /appeal FK202612001 REASON" in notice["text"]
    await h.say("sales1", "/lang zh-CN")
    h.sandbox.clock.set(local(2026, 12, 10, 10, 0))
    [late] = await h.say("sales1", "/appeal FK202612001 不是我下错的单")
    assert late["text"] == "已过申诉期限（12月9日（周三）），不能再申诉。"
