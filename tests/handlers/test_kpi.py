"""R17 KPIs on a constructed history whose rates were computed by hand (SQLite and PostgreSQL).

November 2026, asked on Thursday 3 December. Orders (store, delivery, order date → steps):

* A S1: placed on its order date, picked up and delivered in time → due, completed; steps 3/3
* B S1: placed a day late, picked up late, delivered late → due, completed; steps 0/3
* C S2: placed 07:00 local on the day after its order date (still the order date in UTC!),
  never delivered → due, not completed; place late, delivery past → steps 0/2
* D S2: cancelled before placing → nothing
* E S1: order date 30 Nov, placed in time, delivery in December, received by nobody → steps 1/1

Cases: 1 S1 answered and resolved in time, closed satisfied (5) → steps 2/2;
2 S2 answered late, resolution overdue → steps 0/2; 3 S1 refused → nothing;
4 S2 both in time, customer unsatisfied (2) so re-opened → steps 2/2, not resolved.

Company: completion 2/3, on time 8/15, resolution 1/3, satisfaction 1/2.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.demo import seed_demo_team
from domain.reports import KpiCounts, Period
from handlers.reports.kpi import counts
from storage.models import AfterSalesCase, Order, Store, User
from tests.conftest import local
from tests.handlers.helpers import send

MANAGER, CLERK, SALES1, SM1, SALES2 = 1002, 1003, 2001, 2002, 3001
NOV = Period(date(2026, 11, 1), date(2026, 11, 30))


async def build_history(app) -> dict[str, int]:  # type: ignore[no-untyped-def]
    async with app.sessions() as session, session.begin():
        now = app.clock.now()
        await seed_demo_team(session, now)
        stores = {s.code: s.id for s in (await session.execute(select(Store))).scalars()}
        people = {u.telegram_id: u.id for u in (await session.execute(select(User))).unique().scalars()}
        clerk = people[CLERK]

        def order(n: int, store: str, sales: int, state: str, delivery: date, order_date: date, *,
                  clerk_id: int | None = clerk, **times) -> Order:  # type: ignore[no-untyped-def]
            return Order(number=f"DD202611{n:03d}", state=state, store_id=stores[store], sales_id=people[sales],
                         customer_name=f"客户{n}", customer_phone=f"1380000000{n}", delivery_date=delivery,
                         order_date=order_date, flags="", sent_at=now, created_at=now,
                         submitted_at=local(2026, 11, 1, 17, 10), clerk_id=clerk_id, **times)

        session.add_all([
            order(1, "S1", SALES1, "delivered", date(2026, 11, 10), date(2026, 11, 5),
                  placed_at=local(2026, 11, 5, 10, 0), pickup_deadline=date(2026, 11, 8),
                  picked_up_at=local(2026, 11, 7, 9, 0), delivered_at=local(2026, 11, 10, 15, 0)),
            order(2, "S1", SALES1, "closed", date(2026, 11, 20), date(2026, 11, 10),
                  placed_at=local(2026, 11, 11, 9, 0), pickup_deadline=date(2026, 11, 18),
                  picked_up_at=local(2026, 11, 19, 9, 0), delivered_at=local(2026, 11, 21, 10, 0),
                  closed_at=local(2026, 11, 22, 10, 0)),
            order(3, "S2", SALES2, "placed", date(2026, 11, 25), date(2026, 11, 15),
                  placed_at=local(2026, 11, 16, 7, 0)),
            order(4, "S2", SALES2, "cancelled", date(2026, 11, 28), date(2026, 11, 18),
                  cancelled_at=local(2026, 11, 10, 9, 0)),
            order(5, "S1", SALES1, "placed", date(2026, 12, 20), date(2026, 11, 30), clerk_id=None,
                  placed_at=local(2026, 11, 29, 17, 0)),
        ])

        def case(n: int, store: str, sales: int, state: str, opened, respond_by, resolve_by, *,  # type: ignore[no-untyped-def]
                 satisfaction: int | None = None, **times) -> AfterSalesCase:
            return AfterSalesCase(number=f"SH202611{n:03d}", state=state, store_id=stores[store],
                                  sales_id=people[sales], assignee_id=clerk, category="quality", severity="medium",
                                  description="腿松了", sent_at=opened, created_at=opened, opened_at=opened,
                                  sla_started_at=opened, respond_by=respond_by, resolve_by=resolve_by,
                                  satisfaction=satisfaction, **times)

        session.add_all([
            case(1, "S1", SALES1, "closed", local(2026, 11, 2, 15, 30), local(2026, 11, 2, 17, 30),
                 local(2026, 11, 5, 17, 0), satisfaction=5, accepted_at=local(2026, 11, 2, 16, 0),
                 resolved_at=local(2026, 11, 4, 11, 0), closed_at=local(2026, 11, 4, 12, 0)),
            case(2, "S2", SALES2, "accepted", local(2026, 11, 12, 15, 0), local(2026, 11, 12, 17, 0),
                 local(2026, 11, 16, 17, 0), accepted_at=local(2026, 11, 13, 10, 0)),
            case(3, "S1", SALES1, "rejected", local(2026, 11, 20, 15, 0), local(2026, 11, 20, 17, 0),
                 local(2026, 11, 23, 17, 0), closed_at=local(2026, 11, 20, 16, 0)),
            case(4, "S2", SALES2, "reopened", local(2026, 11, 25, 15, 10), local(2026, 11, 25, 18, 0),
                 local(2026, 11, 28, 17, 0), satisfaction=2, accepted_at=local(2026, 11, 25, 16, 0),
                 resolved_at=local(2026, 11, 27, 10, 0)),
        ])
    return {"S1": stores["S1"], "S2": stores["S2"], "clerk": clerk}


async def test_kpi_counts_match_the_hand_computed_history(app) -> None:  # type: ignore[no-untyped-def]
    ids = await build_history(app)
    now, today = app.clock.now(), date(2026, 12, 3)
    async with app.sessions() as session:
        company = await counts(session, app.config, NOV, now=now, today=today)
        by_store = await counts(session, app.config, NOV, now=now, today=today, group="store")
        by_clerk = await counts(session, app.config, NOV, now=now, today=today, group="clerk")
    assert company == {None: KpiCounts(due=3, completed=2, steps=15, steps_on_time=8, raised=3, resolved=1,
                                       surveyed=2, satisfied=1)}
    assert by_store[ids["S1"]] == KpiCounts(due=2, completed=2, steps=9, steps_on_time=6, raised=1, resolved=1,
                                            surveyed=1, satisfied=1)
    assert by_store[ids["S2"]] == KpiCounts(due=1, completed=0, steps=6, steps_on_time=2, raised=2, resolved=0,
                                            surveyed=1, satisfied=0)
    assert by_clerk[ids["clerk"]].steps == 14 and by_clerk[ids["clerk"]].steps_on_time == 7
    assert by_clerk[None] == KpiCounts(steps=1, steps_on_time=1)  # E: received by nobody
    rates = company[None].rates()
    assert (rates["completion"].value, rates["on_time"].value) == (pytest.approx(2 / 3), pytest.approx(8 / 15))
    assert (rates["resolution"].value, rates["satisfaction"].value) == (pytest.approx(1 / 3), 0.5)


async def test_kpi_command_shows_rates_with_their_numbers(app) -> None:  # type: ignore[no-untyped-def]
    await build_history(app)
    [reply] = (await send(app, MANAGER, "/kpi 2026-11")).replies
    text = reply.text
    assert "📈 考核指标 2026-11-01 至 2026-11-30 · 全部门店" in text
    assert "订单完成率 66.7%（已完成 2 / 应完成 3）" in text
    assert "订单处理及时率 53.3%（按时 8 / 环节 15）" in text
    assert "问题解决率 33.3%（已解决 1 / 出现 3）" in text
    assert "客户满意度 50.0%（满意 1 / 调查 2）" in text
    assert "S1 天河店：100.0%(2/2) · 66.7%(6/9) · 100.0%(1/1) · 100.0%(1/1)" in text
    assert "S2 番禺店：0.0%(0/1) · 33.3%(2/6) · 0.0%(0/2) · 0.0%(0/1)" in text
    assert "李跟单：66.7%(2/3) · 50.0%(7/14)" in text
    # One store, by code; a month with nothing in it says so instead of 0 %.
    [one] = (await send(app, MANAGER, "/kpi 2026-11 S2")).replies
    assert "· 番禺店" in one.text and "订单完成率 0.0%（已完成 0 / 应完成 1）" in one.text
    [empty] = (await send(app, MANAGER, "/kpi 2026-10")).replies
    assert "这段时间没有可考核的数据" in empty.text


async def test_kpi_permissions(app) -> None:  # type: ignore[no-untyped-def]
    await build_history(app)
    # A store manager gets the store's figures, never another store's.
    [mine] = (await send(app, SM1, "/kpi 2026-11")).replies
    assert "· 天河店" in mine.text and "订单完成率 100.0%（已完成 2 / 应完成 2）" in mine.text
    assert "S2" not in mine.text and "按门店" not in mine.text
    [refused] = (await send(app, SM1, "/kpi 2026-11 S2")).replies
    assert refused.text == "只有主管可以查看其他门店或其他人的考核指标。"
    # A clerk gets their own figures; sales have no /kpi.
    [own] = (await send(app, CLERK, "/kpi 2026-11")).replies
    assert "· 李跟单" in own.text and "订单处理及时率 50.0%（按时 7 / 环节 14）" in own.text
    [sales] = (await send(app, SALES1, "/kpi")).replies
    assert "/kpi" in sales.text and "考核指标" not in sales.text
    [bad] = (await send(app, MANAGER, "/kpi 2026-13")).replies
    assert bad.text.startswith("「2026-13」不是有效的日期或月份。可写：本周、上周")
