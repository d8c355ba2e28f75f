"""One visibility rule (domain.visibility) in every command that shows an order or a case:
sales see what they handed in, store managers their store, clerks and managers everything."""

from __future__ import annotations

import pytest

from handlers.desk.actions import act
from handlers.reminders.sweep import sweep
from storage import users as user_store
from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_aftersales import open_case_with_photo
from tests.e2e.test_orders import ORDER, submit
from tests.e2e.test_reminders import _outbox_idle
from tests.e2e.test_stale_notifications import _with_button

NEW_SALES = 2003  # a second sales person of store S1, registered after the order was handed in

# who → may they see sales1's order and case?
SEES = {
    "sales1": True,  # handed it in
    NEW_SALES: False,  # same store, not theirs: a colleague's customer stays private
    "sales2": False,  # another store
    "storemanager1": True,  # their store
    "storemanager2": False,
    "clerk": True,
    "manager": True,
}


@pytest.fixture
async def world(harness: Harness) -> tuple[Harness, str, str]:
    h = harness
    number, _ = await submit(h, ORDER)
    case, _ = await open_case_with_photo(h, number)
    async with h.runtime.app.sessions() as session, session.begin():
        s1 = await user_store.store_by_code(session, "S1")
        await user_store.add_user(session, telegram_id=NEW_SALES, name="新导购", role="sales", now=local(2026, 12, 3),
                                  store_id=s1.id)
    await _outbox_idle(h)  # notifications are out: each command's next message is its answer
    return h, number, case


@pytest.mark.parametrize("who", list(SEES), ids=[str(w) for w in SEES])
async def test_every_command_applies_the_same_rule(world: tuple[Harness, str, str], who: str | int) -> None:
    h, number, case = world
    sees = SEES[who]
    [listing] = await h.say(who, "/orders")
    assert (number in listing["text"]) is sees, ("/orders", listing["text"])
    [shown] = await h.say(who, f"/order {number}")
    assert (("张三" in shown["text"]) and "没有找到" not in shown["text"]) is sees, ("/order", shown["text"])
    [asked] = await h.say(who, f"{number} 到哪了")
    assert ("张三" in asked["text"]) is sees, ("到哪了", asked["text"])
    [cases] = await h.say(who, "/cases")
    assert (case in cases["text"]) is sees, ("/cases", cases["text"])
    [card] = await h.say(who, f"/case {case}")
    assert ("找不到" not in card["text"] and case in card["text"]) is sees, ("/case", card["text"])


async def test_another_stores_manager_cannot_acknowledge_an_escalation(harness: Harness) -> None:
    """黄店长 (S2) pressed 已处理 for 天河店's overdue case (the desk's action, or the button's data
    from a modified client): it was acknowledged in his name and the climb to the managers stopped;
    a second try answered with the case number and who had handled it. A case he may not see
    answers as one that does not exist."""
    h = harness
    order, _ = await submit(h, ORDER)
    number, _ = await open_case_with_photo(h, order)  # Thursday 15:20: first response due Friday morning
    h.sandbox.clock.set(local(2026, 12, 4, 10, 0))
    after = await h.client.last_seq()
    await sweep(h.runtime.app, h.sandbox.clock.now())
    h.runtime.kick_outbox()
    escalated = await _with_button(h, "storemanager1", after, "已处理")
    data = next(b["callback_data"] for row in escalated["reply_markup"]["inline_keyboard"] for b in row
                if b["text"] == "已处理")
    _prefix, case_id, breach, _what = data.split(":")

    async def press_as_storemanager2(callback_data: str) -> str:
        [mine] = await h.say("storemanager2", "/whoami")
        before = await h.client.last_seq()
        await h.client.press_button(h.uid("storemanager2"), mine["message_id"], callback_data, forged=True)
        return str((await h.answers_to_press("storemanager2", before))["text"])

    missing = await press_as_storemanager2(data.replace(f":{case_id}:", ":999:"))
    assert await press_as_storemanager2(data) == missing
    by_desk = await act(h.runtime.app, telegram_id=h.uid("storemanager2"), action="escalation_ack", target=case_id,
                        breach=breach, now=h.sandbox.clock.now())
    assert by_desk is not None and by_desk.text == missing and number not in by_desk.text
    # Nobody entitled has answered it: 陈店长's button still acknowledges it.
    before = await h.client.last_seq()
    await h.press("storemanager1", escalated, "已处理")
    answer = await h.answers_to_press("storemanager1", before)
    assert answer["text"] == f"已确认处理售后单 {number}，不再上报。", answer
