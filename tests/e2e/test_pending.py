"""/remind lists what the asker's role really has pending, one kind per line group."""

from __future__ import annotations

from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_aftersales import open_case_with_photo
from tests.e2e.test_orders import ORDER, submit
from tests.e2e.test_reminders import _outbox_idle

SECOND = "李四 13912345678 实木衣柜1个 12月20日送 越秀区中山路2号 全款"  # order date 10 Dec too


async def test_a_clerk_is_reminded_of_cases_to_accept_orders_to_receive_and_to_place(harness: Harness) -> None:
    h = harness
    waiting, _ = await submit(h, ORDER)
    taken, card = await submit(h, SECOND)
    await h.press("clerk", card, "接单")
    case, _ = await open_case_with_photo(h, waiting)
    await _outbox_idle(h)  # the desk's notifications are out, so the next message is /remind's answer

    [todo] = await h.say("clerk", "/remind")
    text = todo["text"]
    assert "暂时没有待办" not in text
    assert f"售后 {case}：待受理" in text
    assert f"{waiting}：已交单，还没接单（天河店 · 张导购）" in text
    assert taken not in text  # received, and its order date (10 Dec) is still ahead

    h.sandbox.clock.set(local(2026, 12, 10, 10, 0))
    [todo] = await h.say("clerk", "/remind")
    assert f"{taken}：下单日12月10日（周四）已到，尚未下单" in todo["text"], todo["text"]

    [sales] = await h.say("sales1", "/remind")
    assert f"{taken}：下单日" in sales["text"] and f"{waiting}：下单日" in sales["text"]
    assert "待受理" not in sales["text"]  # accepting cases is the desk's work, not the sales person's
