"""Scripted fortnights over National Day 2026 and Spring Festival 2027 with their make-up working
days (调休): order dates, pickup fines, SLA due times, R18 deliveries and an appeal deadline are
each counted across the break (SQLite and PostgreSQL).

National Day 2026 comes from chinese-calendar as published (1–7 Oct off, Sun 20 Sep and Sat 10 Oct
worked). chinese-calendar does not know 2027 yet, so Spring Festival 2027 is given the way a company
would before the package catches up: config ``holidays`` / ``extra_working_days``, here 5–13 Feb off
and Sun 31 Jan / Sat 20 Feb worked — an arrangement in the shape of the 2026 notice, to be replaced by
the published one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.demo import seed_demo_team
from bot.public_holidays import public_holidays
from domain.policy.calendar import NO_PUBLIC_HOLIDAYS, PublicHolidays
from domain.policy.settings import PolicySettings, WorkingTime
from handlers.app import App, AppConfig, LiveCalendar
from handlers.reminders.sweep import sweep
from schedules.outbox_sender import OutboxSender, RateLimits
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import AfterSalesCase, Fine, Order
from tests.conftest import FakeClock, local, shared_parser
from tests.handlers.helpers import RecordingBotApi, button_data, press, send

SALES, CLERK, MANAGER, STORE_MANAGER, ADMIN = 2001, 1003, 1002, 2002, 1001
NAMES = {SALES: "sales1", CLERK: "clerk", MANAGER: "manager", STORE_MANAGER: "storemanager1", 3001: "sales2",
         3002: "storemanager2", ADMIN: "admin"}
CHECKPOINTS = ("08:59", "09:00", "09:50", "10:00", "15:20", "17:00", "17:10", "18:30", "18:31", "23:00")


@dataclass(frozen=True)
class Break:
    name: str
    policy: PolicySettings
    public: PublicHolidays
    first: date  # the Saturday the script starts
    make_up_sunday: date
    intake_monday: date
    last_day: date  # the last working day before the break
    days_off: tuple[date, ...]
    back: date  # the first working day after it
    end: date
    pickup_fines: tuple[tuple[str, int], ...]  # (local day, amount) of the first late days
    appeal_by: date


def _days(first: date, last: date) -> tuple[date, ...]:
    return tuple(first + timedelta(days=n) for n in range((last - first).days + 1))


NATIONAL_DAY = Break(
    name="national-day-2026", policy=PolicySettings(), public=public_holidays("CN", 2026),
    first=date(2026, 9, 19), make_up_sunday=date(2026, 9, 20), intake_monday=date(2026, 9, 28),
    last_day=date(2026, 9, 30), days_off=_days(date(2026, 10, 1), date(2026, 10, 7)), back=date(2026, 10, 8),
    end=date(2026, 10, 13), pickup_fines=(("Fri 09", 10), ("Sat 10", 20)), appeal_by=date(2026, 10, 13),
)
SPRING_FESTIVAL = Break(
    name="spring-festival-2027",
    policy=replace(PolicySettings(), working=WorkingTime(
        holidays=_days(date(2027, 2, 5), date(2027, 2, 13)),
        extra_working_days=(date(2027, 1, 31), date(2027, 2, 20)))),
    public=public_holidays("CN", 2027),
    first=date(2027, 1, 30), make_up_sunday=date(2027, 1, 31), intake_monday=date(2027, 2, 1),
    last_day=date(2027, 2, 4), days_off=_days(date(2027, 2, 5), date(2027, 2, 13)), back=date(2027, 2, 15),
    end=date(2027, 2, 19), pickup_fines=(("Tue 16", 10), ("Wed 17", 20)), appeal_by=date(2027, 2, 19),
)


class Office:
    def __init__(self, url: str, clock: FakeClock, files_dir: str, scenario: Break) -> None:
        self.url, self.clock, self.files_dir, self.scenario = url, clock, files_dir, scenario
        self.api = RecordingBotApi(clock)

    async def start(self) -> None:
        self.engine = create_engine(self.url)
        await upgrade(self.engine)
        policy = self.scenario.policy
        self.app = App(sessions=session_factory(self.engine), clock=self.clock,
                       config=AppConfig(policy=policy, bot_username="t", bot_id=1, files_dir=self.files_dir),
                       parser=shared_parser(), calendars=LiveCalendar(policy, self.scenario.public))
        self.outbox = OutboxSender(self.app, self.api, transient=(RuntimeError,), blocked=(PermissionError,),
                                   limits=RateLimits(0.0, 1000), sleep=_no_sleep)

    async def tick(self, when: datetime) -> None:
        self.clock.set(when)
        await sweep(self.app, when)
        await self.outbox.drain(when)


async def _no_sleep(_seconds: float) -> None:
    return None


def _at(day: date, hhmm: str) -> datetime:
    hour, minute = map(int, hhmm.split(":"))
    return local(day.year, day.month, day.day, hour, minute)


async def _order(office: Office, text: str) -> Order:
    card = await send(office.app, SALES, text, at=office.clock.now())
    done = await press(office.app, SALES, button_data(card, "确认"))
    number = re.search(r"DD\d+", done.replies[0].text).group(0)
    async with office.app.sessions() as session:
        return (await session.execute(select(Order).where(Order.number == number))).scalar_one()


async def _steps(office: Office, order: Order, *actions: str) -> None:
    for action in actions:
        if action == "arrive":
            for line in order.lines:
                await press(office.app, CLERK, f"l:{line.id}:in")
        else:
            await press(office.app, CLERK, f"o:{order.id}:{action}")


@pytest.fixture
def office_url(db_url: str) -> str:
    return db_url


@pytest.mark.parametrize("scenario", [NATIONAL_DAY, SPRING_FESTIVAL], ids=lambda s: s.name)
async def test_a_fortnight_across_a_public_holiday(office_url: str, tmp_path, scenario: Break) -> None:  # type: ignore[no-untyped-def]
    s = scenario
    clock = FakeClock(_at(s.first, "08:00"))
    office = Office(office_url, clock, str(tmp_path / "files"), s)
    await office.start()
    async with office.app.sessions() as session, session.begin():
        await seed_demo_team(session, clock.now())
    delivery = f"{s.back.month}月{s.back.day}日"
    orders: dict[str, Order] = {}

    later = s.back + timedelta(days=30)

    async def script(day: date, hhmm: str) -> None:
        if (day, hhmm) == (s.first, "17:10"):  # an open order from the start, so every tracking sheet has a line
            orders["bed"] = await _order(office, f"林二 13800000002 实木床1张 {later.month}月{later.day}日送 天河路2号 全款")
        if (day, hhmm) == (s.intake_monday, "17:10"):
            orders["desk"] = await _order(office, f"陈一 13800000001 板式书桌1张 {delivery}送 天河路1号 全款")
            orders["wardrobe"] = await _order(office, f"黄三 13800000003 板式衣柜1个 {delivery}送 天河路3号 全款")
            await _steps(office, orders["wardrobe"], "receive", "confirm_with_customer", "place", "arrive",
                         "mark_complete")
        if (day, hhmm) == (s.last_day, "10:00"):
            await _steps(office, orders["wardrobe"], "print")
        if (day, hhmm) == (s.last_day, "15:20"):
            opened = await send(office.app, SALES, "售后 " + orders["wardrobe"].number + " 柜门开裂，客户要求换货",
                                at=clock.now())
            assert "SH" in opened.replies[0].text
        if (day, hhmm) == (s.last_day, "18:31"):  # the manager confirms the desk's R6 fine for the sales person
            async with office.app.sessions() as session:
                fine = (await session.execute(select(Fine).where(Fine.rule == "R6").order_by(Fine.id))).scalars().first()
            assert fine is not None
            await press(office.app, MANAGER, f"f:{fine.id}:confirm")

    day = s.first
    while day <= s.end:
        for hhmm in CHECKPOINTS:
            await office.tick(_at(day, hhmm))
            await script(day, hhmm)
        day += timedelta(days=1)

    tz = office.app.config.tz
    timeline = [(when.astimezone(tz), NAMES.get(chat, chat), text.split("\n")[0][:30])
                for when, chat, text in office.api.sent]

    def at(who: str, starts: str) -> list[str]:
        return [when.strftime("%a %d %H:%M") for when, chat, text in timeline if chat == who and text.startswith(starts)]

    # R18: nothing reaches a phone during the break or outside working hours; the make-up Sunday works.
    for when, _chat, text in timeline:
        assert when.date() not in s.days_off, (when, text)
        assert "09:00" <= when.strftime("%H:%M") <= "18:30", (when, text)
        assert when.weekday() < 6 or when.date() == s.make_up_sunday, (when, text)
    sheets = at("manager", "📊 订单跟踪表")
    assert s.make_up_sunday.strftime("%a %d 18:30") in sheets  # the tracking sheet goes out on the 调休 Sunday
    assert not [d for d in s.days_off if d.strftime("%a %d 18:30") in sheets]

    # R4 order date: delivery on the first day back minus 5 days falls in the break, so the order is
    # placed on the last working day before it: sales reminded 09:00, the clerk 17:00, fines at 18:30.
    desk = orders["desk"]
    assert desk.order_date == s.back - timedelta(days=5)
    last = s.last_day.strftime("%a %d")
    assert at("sales1", f"⏰ 今天是订单 {desk.number}") == [f"{last} 09:00"]
    assert at("clerk", f"⏰ 订单 {desk.number}") == [f"{last} 17:00"]

    # R10: printed on the last day, "within 3 days" ends inside the break, so the deadline is the
    # first day back; its eve's reminder (a holiday) waits for that morning; late days double.
    async with office.app.sessions() as session:
        wardrobe = await session.get(Order, orders["wardrobe"].id)
        fines = list((await session.execute(select(Fine).order_by(Fine.id))).scalars())
        case = (await session.execute(select(AfterSalesCase))).scalar_one()
    assert wardrobe is not None and wardrobe.pickup_deadline == s.back
    back = s.back.strftime("%a %d")
    assert at("clerk", f"🚚 订单 {wardrobe.number}") == [f"{back} 09:00"]
    r10 = [(f.proposed_at.astimezone(tz).strftime("%a %d"), f.amount_yuan) for f in fines if f.rule == "R10"]
    assert tuple(r10[:2]) == s.pickup_fines

    # R14: medium severity opened 15:20 on the last day: 3 h 10 min that day, 50 min after the break.
    assert case.respond_by.astimezone(tz) == _at(s.back, "09:50")
    assert at("clerk", f"🚨 售后单 {case.number}") == [f"{back} 09:50"]

    # R16: confirmed on the last day before the break, the appeal runs five working days after it.
    confirmed = [f for f in fines if f.state == "confirmed"]
    assert [f.appeal_deadline for f in confirmed] == [s.appeal_by]
    await office.engine.dispose()
