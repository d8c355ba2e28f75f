"""A company day off added by chat recounts the deadlines already stored: a printed order's
pickup deadline (R10), a running appeal period (R16) and an open case's SLA (R14)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from bot.demo import seed_demo_team
from handlers.app import App
from storage.models import AfterSalesCase, Fine, Order
from tests.conftest import local
from tests.handlers.helpers import button_data, press, send

SALES, CLERK, MANAGER = 2001, 1003, 1002


async def test_a_day_off_by_chat_recounts_stored_deadlines(app: App, clock) -> None:  # type: ignore[no-untyped-def]
    async with app.sessions() as session, session.begin():
        await seed_demo_team(session, clock.now())
    clock.set(local(2026, 12, 7, 17, 10))  # Monday
    card = await send(app, SALES, "黄三 13800000003 板式衣柜1个 12月28日送 天河路3号 全款")
    done = await press(app, SALES, button_data(card, "确认"))
    number = re.search(r"DD\d+", done.replies[0].text).group(0)
    async with app.sessions() as session:
        order = (await session.execute(select(Order).where(Order.number == number))).scalar_one()
    for action in ("receive", "confirm_with_customer", "place"):
        await press(app, CLERK, f"o:{order.id}:{action}")
    for line in order.lines:
        await press(app, CLERK, f"l:{line.id}:in")
    await press(app, CLERK, f"o:{order.id}:mark_complete")
    await press(app, CLERK, f"o:{order.id}:print")
    await send(app, CLERK, f"/fine 2001 30 R8 改单 {number}")
    async with app.sessions() as session:
        fine = (await session.execute(select(Fine))).scalar_one()
    await press(app, MANAGER, f"f:{fine.id}:confirm")
    clock.set(local(2026, 12, 8, 15, 20))  # Tuesday, inside the after-sales window
    await send(app, SALES, f"售后 {number} 柜门开裂，客户要求换货")
    async with app.sessions() as session:
        order = await session.get(Order, order.id)
        fine = await session.get(Fine, fine.id)
        case = (await session.execute(select(AfterSalesCase))).scalar_one()
    assert order.pickup_deadline == date(2026, 12, 10)  # printed Mon 7 + 3 days
    assert fine.appeal_deadline == date(2026, 12, 12)  # Mon 7 + 5 working days (Tue–Sat)
    assert case.respond_by == local(2026, 12, 9, 9, 50)  # Tue 15:20 + 4 working hours

    answer = await send(app, MANAGER, "/calendar off 2026-12-09 盘点")
    assert "已按新日历重算 2 个已定的期限" in answer.replies[0].text
    async with app.sessions() as session:
        order = await session.get(Order, order.id)
        fine = await session.get(Fine, fine.id)
        case = await session.get(AfterSalesCase, case.id)
    assert order.pickup_deadline == date(2026, 12, 10)  # calendar days, and the 10th still works
    assert fine.appeal_deadline == date(2026, 12, 14)  # Wed 9 off: Tue, Thu, Fri, Sat, Mon
    assert case.respond_by == local(2026, 12, 10, 9, 50)  # the clock stops over Wednesday

    await send(app, MANAGER, "/calendar off 2026-12-10 盘点第二天")
    async with app.sessions() as session:
        order = await session.get(Order, order.id)
    assert order.pickup_deadline == date(2026, 12, 11)  # the last day closed: the next working day
