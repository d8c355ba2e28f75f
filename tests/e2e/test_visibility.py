"""One visibility rule (domain.visibility) in every command that shows an order or a case:
sales see what they handed in, store managers their store, clerks and managers everything."""

from __future__ import annotations

import pytest

from storage import users as user_store
from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_aftersales import open_case_with_photo
from tests.e2e.test_orders import ORDER, submit
from tests.e2e.test_reminders import _outbox_idle

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
