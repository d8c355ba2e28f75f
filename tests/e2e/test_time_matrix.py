"""The time-of-day matrix through the real transport: the sandbox stamps each message with its clock.

A representative subset of tests/handlers/test_time_matrix.py (which runs every time on every
day in both zones): the first-night 明天 at 02:10 Beijing, the R2 and R11 window edges, /today
and /kpi 本月 on 31 December either side of UTC's midnight, and an order number at 00:30 on
1 January — under Asia/Shanghai on both libraries, and under America/New_York.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from storage.models import AfterSalesCase, Order
from tests.e2e.harness import Harness

SHANGHAI = {"rules": {"timezone": "Asia/Shanghai"}}
NEW_YORK = {"rules": {"timezone": "America/New_York"}}
# Both libraries under the home zone; the daylight-saving zone on one (the zone is not the
# library's business, and the matrix must stay cheap).
ZONED = pytest.mark.parametrize("e2e_overrides,framework", [
    pytest.param(SHANGHAI, "python-telegram-bot", id="shanghai-ptb"),
    pytest.param(SHANGHAI, "aiogram", id="shanghai-aiogram"),
    pytest.param(NEW_YORK, "python-telegram-bot", id="new_york-ptb"),
])


def zone_of(h: Harness) -> ZoneInfo:
    return h.runtime.app.config.tz


async def set_local(h: Harness, day: date, clock: time) -> None:
    await h.client.set_clock(datetime.combine(day, clock, zone_of(h)).astimezone(UTC))


async def order(h: Harness, when: str, phone: str) -> Order:
    [card] = await h.say("sales1", f"张三 {phone} 板木衣柜1个 {when}送 天河区天河路1号 全款")
    assert h.buttons(card) == ["确认", "修改", "取消"], card["text"]
    [done] = await h.press("sales1", card, "确认")  # the clerks hear of it in working hours (R18)
    match = re.search(r"DD\d{9,}", done["text"])
    assert match, done["text"]
    async with h.runtime.app.sessions() as session:
        return (await session.execute(select(Order).where(Order.number == match.group(0)))).scalars().one()


async def test_tomorrow_at_ten_past_two_in_beijing_is_tomorrow_in_beijing(harness: Harness) -> None:
    h = harness
    await set_local(h, date(2026, 12, 3), time(2, 10))  # 2026-12-02 18:10 UTC
    [card] = await h.say("sales1", "张三 13812345678 板木衣柜1个 明天送 天河区天河路1号 全款")
    assert "送货日期：12月4日（周五）" in card["text"]
    assert "下单日：11月29日（周日）" in card["text"]
    assert "插单" in card["text"]


@ZONED
async def test_rush_insertion_at_the_intake_window_edges(harness: Harness) -> None:
    h, day = harness, date(2026, 12, 3)
    for n, (clock, rush) in enumerate(((time(0, 30), True), (time(16, 59), True), (time(17, 0), False),
                                       (time(17, 59), False), (time(18, 0), True))):
        await set_local(h, day, clock)
        placed = await order(h, "明天" if n % 2 else "下周六", f"1381234{n:04d}")
        assert placed.delivery_date == (day + timedelta(days=1) if n % 2 else date(2026, 12, 12)), clock
        assert ("rush_insertion" in placed.flag_set) is rush, clock


@ZONED
async def test_after_sales_hours_at_the_window_edges(harness: Harness) -> None:
    h, day = harness, date(2026, 12, 3)
    await set_local(h, day - timedelta(days=7), time(17, 20))
    number = (await order(h, "下周六", "13812345678")).number
    for clock, opens in ((time(14, 59), False), (time(15, 0), True), (time(16, 59), True), (time(17, 0), False)):
        await set_local(h, day, clock)
        async with h.runtime.app.sessions() as session:
            before = (await session.execute(select(func.count()).select_from(AfterSalesCase))).scalar_one()
        [answer, *_] = await h.say("sales1", f"售后 {number} 衣柜门板开裂，客户要求换货")
        async with h.runtime.app.sessions() as session:
            after = (await session.execute(select(func.count()).select_from(AfterSalesCase))).scalar_one()
        assert (after == before + 1) is opens, (clock, answer["text"])


@ZONED
async def test_the_years_last_day_and_first_order_of_the_new_year(harness: Harness) -> None:
    h = harness
    for clock in (time(0, 30), time(23, 59)):
        await set_local(h, date(2026, 12, 31), clock)
        [today] = await h.say("manager", "/today")
        assert today["text"].startswith("📅 今天 12月31日"), (clock, today["text"])
        [kpi] = await h.say("manager", "/kpi 本月")
        assert "2026-12-01 至 2026-12-31" in kpi["text"], (clock, kpi["text"])
    await set_local(h, date(2027, 1, 1), time(0, 30))
    first = await order(h, "下周六", "13812345678")
    assert first.number == "DD202701001"
    assert first.delivery_date == date(2027, 1, 9)
