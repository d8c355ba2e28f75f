"""The time-of-day matrix on the use-case layer: every date the bot derives is a business-zone date.

Messages arrive as the transport delivers them, stamped in UTC. Between local midnight and
the zone's UTC offset the UTC date is another day than the business's, so each journey runs
at 00:30, 07:59, 09:00, 16:59, 17:00, 17:59, 18:00 and 23:59 local time on a weekday, a
Sunday (2026-11-01 is also New York's switch back from daylight saving), a month's last day
and 31 December, under Asia/Shanghai and America/New_York. The expectations are written
in local dates only, so they cannot share a time-zone mistake with the code. The
transport-level subset is tests/e2e/test_time_matrix.py.
"""

from __future__ import annotations

import itertools
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from bot.demo import seed_demo_team
from domain.policy.calendar import calendar_for
from domain.policy.settings import PolicySettings
from handlers.app import App, AppConfig
from domain.reports import Period
from handlers.reports.kpi import counts
from handlers.reminders.sweep import sweep
from storage.models import AfterSalesCase, Order, OutboxMessage, Store, User
from tests.conftest import FakeClock, shared_parser
from tests.handlers.helpers import button_data, press, send

SALES, MANAGER, CLERK = 2001, 1002, 1003
ZONES = ["Asia/Shanghai", "America/New_York"]
TIMES = [time(0, 30), time(7, 59), time(9, 0), time(16, 59), time(17, 0), time(17, 59), time(18, 0), time(23, 59)]
EDGES_OF_THE_DAY = (time(0, 30), time(7, 59), time(23, 59))
DAYS = {
    "weekday": date(2026, 12, 3),     # Thursday
    "sunday": date(2026, 11, 1),      # Sunday; New York leaves daylight saving at 02:00
    "month_end": date(2026, 6, 30),   # Tuesday, New York on daylight saving time
    "dec31": date(2026, 12, 31),      # Thursday, the year's last day
}
_phones = itertools.count(1000)


def next_week_saturday(day: date) -> date:
    """下周六: Saturday of the week after the sending week (weeks start on Monday)."""
    return day - timedelta(days=day.weekday()) + timedelta(days=7 + 5)


@pytest.fixture(params=["sqlite"])
def db_url(request: pytest.FixtureRequest, tmp_path) -> str:  # type: ignore[no-untyped-def]
    """The matrix runs on SQLite (time zones are Python's business here); the tests whose local
    dates are computed in SQL ask for PostgreSQL too."""
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'test.sqlite3'}"
    return request.getfixturevalue("pg_url")


BOTH_DATABASES = pytest.mark.parametrize(
    "db_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)


@pytest.fixture(params=ZONES)
def zone(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def zoned_app(sessions, zone: str) -> App:  # type: ignore[no-untyped-def]
    return App(sessions=sessions, clock=FakeClock(datetime(2026, 12, 3, 9, 20, tzinfo=UTC)),
               config=AppConfig(policy=PolicySettings(timezone=zone), admins=(1001,),
                                bot_username="orderbot_test_bot", bot_id=1),
               parser=shared_parser())


async def at_local(app: App, day: date, clock: time) -> datetime:
    """Move the clock to ``clock`` on ``day`` in the business zone; the instant is returned in UTC,
    as Telegram stamps messages."""
    moment = datetime.combine(day, clock, ZoneInfo(app.config.policy.timezone)).astimezone(UTC)
    app.clock.set(moment)  # type: ignore[attr-defined]
    return moment


async def team(app: App) -> None:
    async with app.sessions() as session, session.begin():
        await seed_demo_team(session, app.clock.now())


async def order_via_chat(app: App, when: str) -> Order:
    phone = f"1381234{next(_phones):04d}"
    card = await send(app, SALES, f"张三 {phone} 板木衣柜1个 {when}送 天河区天河路1号 全款")
    done = await press(app, SALES, button_data(card, "确认"))
    match = re.search(r"DD\d{9,}", done.replies[0].text)
    assert match, done.replies[0].text
    async with app.sessions() as session:
        return (await session.execute(select(Order).where(Order.number == match.group(0)))).scalars().one()


@pytest.mark.parametrize("day_name", list(DAYS))
async def test_orders_count_relative_dates_order_date_rush_and_month_in_the_business_zone(
        zoned_app: App, day_name: str) -> None:
    app, day = zoned_app, DAYS[day_name]
    await team(app)
    phrases = (("明天", day + timedelta(days=1)), ("后天", day + timedelta(days=2)),
               ("下周六", next_week_saturday(day)))
    for n, clock in enumerate(TIMES):
        # Every phrase where a UTC date differs from the local one (Shanghai's small hours,
        # New York's evening); one phrase in turn at the others, to keep the matrix cheap.
        for phrase, delivery in phrases if clock in EDGES_OF_THE_DAY else phrases[n % 3:n % 3 + 1]:
            await at_local(app, day, clock)
            order = await order_via_chat(app, phrase)
            where = f"{phrase} sent {day} {clock} {app.config.policy.timezone}"
            assert order.delivery_date == delivery, where
            assert order.order_date == delivery - timedelta(days=5), where  # R4: panel furniture
            assert ("rush_insertion" in order.flag_set) is not (time(17) <= clock < time(18)), where  # R2
            assert order.number.startswith(f"DD{day.year:04d}{day.month:02d}"), where


@pytest.mark.parametrize("first_of_month", [date(2026, 7, 1), date(2026, 12, 1), date(2027, 1, 1)])
async def test_an_order_number_carries_the_local_month_on_either_side_of_midnight(
        zoned_app: App, first_of_month: date) -> None:
    app = zoned_app
    await team(app)
    eve = first_of_month - timedelta(days=1)
    await at_local(app, eve, time(23, 59))
    late = await order_via_chat(app, "下周六")
    await at_local(app, first_of_month, time(0, 30))
    early = await order_via_chat(app, "下周六")
    assert late.number == f"DD{eve.year:04d}{eve.month:02d}001"
    assert early.number == f"DD{first_of_month.year:04d}{first_of_month.month:02d}001"


@pytest.mark.parametrize("day_name", ["weekday", "sunday", "dec31"])
async def test_after_sales_hours_are_local_hours(zoned_app: App, day_name: str) -> None:
    app, day = zoned_app, DAYS[day_name]
    await team(app)
    await at_local(app, day - timedelta(days=7), time(17, 20))
    number = (await order_via_chat(app, "下周六")).number
    working = calendar_for(app.config.policy).is_working_day(day)
    for clock in (time(0, 30), time(14, 59), time(15, 0), time(16, 59), time(17, 0), time(23, 59)):
        await at_local(app, day, clock)
        async with app.sessions() as session:
            before = (await session.execute(select(func.count()).select_from(AfterSalesCase))).scalar_one()
        outcome = await send(app, SALES, f"售后 {number} 衣柜门板开裂，客户要求换货")
        async with app.sessions() as session:
            after = (await session.execute(select(func.count()).select_from(AfterSalesCase))).scalar_one()
        opened = working and time(15) <= clock < time(17)  # R11
        assert (after == before + 1) is opened, (day, clock, [r.text for r in outcome.replies])


@BOTH_DATABASES
@pytest.mark.parametrize("day_name", ["month_end", "dec31"])
async def test_today_and_this_month_are_the_local_day_and_month(zoned_app: App, day_name: str) -> None:
    app, day = zoned_app, DAYS[day_name]
    await team(app)
    for clock in (time(0, 30), time(7, 59), time(23, 59)):
        await at_local(app, day, clock)
        [today] = (await send(app, MANAGER, "/today")).replies
        assert today.text.startswith(f"📅 今天 {day.month}月{day.day}日"), (clock, today.text)
        [kpi] = (await send(app, MANAGER, "/kpi 本月")).replies
        assert f"{day.replace(day=1).isoformat()} 至 {day.isoformat()}" in kpi.text, (clock, kpi.text)
        [year] = (await send(app, MANAGER, "/kpi 今年")).replies
        assert f"{day.year}-01-01 至 {day.isoformat()}" in year.text, (clock, year.text)



@BOTH_DATABASES
async def test_a_step_done_late_in_the_evening_counts_on_its_local_day_across_a_dst_change(
        sessions) -> None:  # type: ignore[no-untyped-def]
    """Placed at 23:30 New York on the order date itself (the UTC date is already the next day):
    on time, before and after the switch back from daylight saving inside the period."""
    app = App(sessions=sessions, clock=FakeClock(datetime(2026, 12, 3, 15, 0, tzinfo=UTC)),
              config=AppConfig(policy=PolicySettings(timezone="America/New_York")), parser=shared_parser())
    await team(app)
    tz = ZoneInfo("America/New_York")
    async with app.sessions() as session, session.begin():
        store = (await session.execute(select(Store.id).limit(1))).scalar_one()
        sales = (await session.execute(select(User.id).where(User.telegram_id == SALES))).scalar_one()
        for n, order_day in enumerate((date(2026, 10, 20), date(2026, 11, 20)), start=1):
            session.add(Order(number=f"DD2026{order_day.month:02d}{n:03d}", state="placed", store_id=store,
                              sales_id=sales, sent_at=datetime(2026, 10, 1, tzinfo=UTC),
                              created_at=datetime(2026, 10, 1, tzinfo=UTC),
                              order_date=order_day, delivery_date=order_day + timedelta(days=60),
                              placed_at=datetime.combine(order_day, time(23, 30), tz)))
    async with app.sessions() as session:
        found = await counts(session, app.config, Period(date(2026, 10, 1), date(2026, 11, 30)),
                             now=app.clock.now(), today=date(2026, 12, 3))
    assert (found[None].steps, found[None].steps_on_time) == (2, 2)


@BOTH_DATABASES
@pytest.mark.parametrize("day_name", ["month_end", "dec31"])
async def test_the_daily_sheet_is_keyed_and_due_by_the_local_day(zoned_app: App, day_name: str) -> None:
    """R15 at 18:30 local: not a minute before, and under the local date — in New York the UTC date
    is already the next day, in Shanghai it is the same day but 10:30 UTC."""
    app, day = zoned_app, DAYS[day_name]
    await team(app)
    await at_local(app, day - timedelta(days=1), time(17, 20))
    await order_via_chat(app, "下周六")
    await sweep(app, await at_local(app, day, time(18, 29)))
    async with app.sessions() as session:
        early = (await session.execute(select(OutboxMessage.key).where(OutboxMessage.key.like("R15:daily:%"))))
        assert early.scalars().all() == []
    await sweep(app, await at_local(app, day, time(18, 30)))
    async with app.sessions() as session:
        keys = (await session.execute(select(OutboxMessage.key).where(OutboxMessage.key.like("R15:daily:%"))))
        keys = keys.scalars().all()
    assert keys and all(key.startswith(f"R15:daily:{day.isoformat()}") for key in keys), keys


async def test_the_return_day_pause_starts_at_local_midnight(zoned_app: App) -> None:
    """R12: on the return day an order is held; 23:59 the evening before it is not."""
    app = zoned_app
    await team(app)
    await at_local(app, date(2026, 12, 1), time(10, 0))
    [set_reply] = (await send(app, CLERK, "/returnday 2026-12-17")).replies
    assert "12月17日" in set_reply.text, set_reply.text
    for clock, day, held in ((time(23, 59), date(2026, 12, 16), False), (time(0, 30), date(2026, 12, 17), True)):
        await at_local(app, day, clock)
        card = await send(app, SALES, f"张三 1381234{next(_phones):04d} 板木衣柜1个 下周六送 天河区天河路1号 全款")
        answer = (await press(app, SALES, button_data(card, "确认"))).replies[0].text
        assert ("今天是本月售后退货日" in answer) is held, (day, clock, answer)
