"""A scripted business week on a fake clock: every reminder, fine and digest arrives at the
right minute, in working hours only, exactly once — also across a restart (SQLite and PostgreSQL)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select

from bot.demo import seed_demo_team
from domain.policy.settings import PolicySettings
from handlers.app import App, AppConfig
from handlers.reminders.sweep import sweep
from schedules.outbox_sender import OutboxSender, RateLimits
from storage.db import create_engine, session_factory
from storage.migrate import upgrade
from storage.models import Fine, Order, OutboxMessage
from tests.conftest import FakeClock, local, shared_parser
from tests.handlers.helpers import RecordingBotApi, button_data, press, send

SALES, CLERK, MANAGER, STORE_MANAGER = 2001, 1003, 1002, 2002
NAMES = {SALES: "sales1", CLERK: "clerk", MANAGER: "manager", STORE_MANAGER: "storemanager1", 3001: "sales2",
         3002: "storemanager2", 1001: "admin"}


class Office:
    """The bot's database and clock; ``restart`` builds a new App on the same database, as a new process would."""

    def __init__(self, url: str, clock: FakeClock, files_dir: str) -> None:
        self.url, self.clock, self.files_dir = url, clock, files_dir
        self.api = RecordingBotApi(clock)

    async def start(self) -> None:
        self.engine = create_engine(self.url)
        await upgrade(self.engine)
        self.app = App(sessions=session_factory(self.engine), clock=self.clock,
                       config=AppConfig(policy=PolicySettings(), bot_username="t", bot_id=1,
                                        files_dir=self.files_dir), parser=shared_parser())
        self.outbox = OutboxSender(self.app, self.api, transient=(RuntimeError,), blocked=(PermissionError,),
                                   limits=RateLimits(0.0, 1000), sleep=_no_sleep)

    async def restart(self) -> None:
        await self.engine.dispose()
        await self.start()

    async def tick(self, when: datetime) -> None:
        self.clock.set(when)
        await sweep(self.app, when)
        await self.outbox.drain(when)


async def _no_sleep(_seconds: float) -> None:
    return None


async def _order(office: Office, text: str, at: datetime) -> Order:
    office.clock.set(at)
    card = await send(office.app, SALES, text, at=at)
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


CHECKPOINTS = ("03:00", "08:59", "09:00", "09:50", "11:49", "11:50", "12:00", "15:20", "16:59", "17:00", "17:44",
               "17:45", "18:20", "18:29", "18:30", "23:00")


@pytest.fixture
def office_url(db_url: str) -> str:
    return db_url


async def test_a_business_week_of_reminders(office_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    clock = FakeClock(local(2026, 12, 7, 8, 0))
    office = Office(office_url, clock, str(tmp_path / "files"))
    await office.start()
    async with office.app.sessions() as session, session.begin():
        await seed_demo_team(session, clock.now())

    # Monday 7 Dec, in the intake window.
    late = await _order(office, "陈一 13800000001 板式书桌1张 12月14日送 天河路1号 全款", local(2026, 12, 7, 17, 10))
    placed = await _order(office, "林二 13800000002 实木床1张 12月30日送 天河路2号 全款", local(2026, 12, 7, 17, 12))
    printed = await _order(office, "黄三 13800000003 板式衣柜1个 12月28日送 天河路3号 全款", local(2026, 12, 7, 17, 14))
    await _steps(office, placed, "receive", "confirm_with_customer", "place")
    await _steps(office, printed, "receive", "confirm_with_customer", "place", "arrive", "mark_complete", "print")
    set_day = await send(office.app, CLERK, "/returnday 2026-12-17")
    assert "12月17日" in set_day.replies[0].text
    assert late.order_date == date(2026, 12, 9)

    await office.outbox.drain(clock.now())  # the clerks' order cards from intake
    clock.advance(minutes=1)
    start = clock.now()
    office.api.sent.clear()  # the week's rhythm starts now; intake cards are not reminders
    day = date(2026, 12, 7)
    while day <= date(2026, 12, 16):
        for hhmm in CHECKPOINTS:
            hour, minute = map(int, hhmm.split(":"))
            if local(day.year, day.month, day.day, hour, minute) < start:
                continue
            await office.tick(local(day.year, day.month, day.day, hour, minute))
            if (day, hhmm) == (date(2026, 12, 8), "15:20"):  # an after-sales request, inside 15:00–17:00
                opened = await send(office.app, SALES, "售后 DD202612002 床头板开裂，客户要求换货", at=clock.now())
                assert "SH202612001" in opened.replies[0].text
            if (day, hhmm) == (date(2026, 12, 10), "12:00"):
                await office.restart()  # a process restart in the middle of the week
                await office.tick(local(day.year, day.month, day.day, hour, minute))
        day += timedelta(days=1)

    tz = office.app.config.tz
    timeline = [(when.astimezone(tz).strftime("%a %d %H:%M"), NAMES.get(chat, chat), text.split("\n")[0][:24])
                for when, chat, text in office.api.sent]

    # Nothing is delivered outside working time (Mon–Sat 09:00–18:30).
    for when, _chat, _text in office.api.sent:
        local_when = when.astimezone(tz)
        assert local_when.weekday() < 6 and "09:00" <= local_when.strftime("%H:%M") <= "18:30", local_when
    # Exactly once: every queued notification reached the phone once, none twice (restart included).
    async with office.app.sessions() as session:
        rows = list((await session.execute(select(OutboxMessage).where(OutboxMessage.created_at >= start))).scalars())
    assert [(r.key, r.state, r.attempts) for r in rows if not (r.state in ("sent", "skipped") and
                                                              r.attempts == (r.state == "sent"))] == []
    rows = [r for r in rows if r.state == "sent"]
    assert len(office.api.sent) == len(rows)
    assert len({(when.date(), c, t) for when, c, t in office.api.sent}) == len(office.api.sent)

    def at(who: str, starts: str) -> list[str]:
        return [when for when, chat, text in timeline if chat == who and text.startswith(starts)]

    # R6 on Wednesday 9 Dec (the order date of the panel desk): sales 09:00, clerk 17:00, fines at day end.
    assert at("sales1", "⏰ 今天是订单 DD202612001") == ["Wed 09 09:00"]
    assert at("clerk", "⏰ 订单 DD202612001") == ["Wed 09 17:00"]
    assert at("manager", "⚖️ 拟罚款") [:2] == ["Wed 09 18:30", "Wed 09 18:30"]
    # R9 chase list every working morning for the placed bed, to the clerk.
    # (Monday's list is caught up at the first sweep, as after a start-up in the middle of a day.)
    assert at("clerk", "📋 催单清单")[:4] == ["Mon 07 17:44", "Tue 08 09:00", "Wed 09 09:00", "Thu 10 09:00"]
    # R10: the wardrobe printed Monday: deadline Thu 10; reminder Wed 09:00; fines Fri 10 元, Sat 20 元,
    # Sunday's 40 元 waits for Monday morning.
    assert at("clerk", "🚚 订单 DD202612003") == ["Wed 09 09:00"]
    assert at("storemanager1", "🚚 订单 DD202612003") == ["Wed 09 09:00"]
    # R12: return day Thu 17 Dec → notices Mon 14 (3 days) and Wed 16 (1 day) to all sales.
    assert at("sales1", "📦 通知：本月售后退货日") == ["Mon 14 09:00", "Wed 16 09:00"]
    assert at("sales2", "📦 通知：本月售后退货日") == ["Mon 14 09:00", "Wed 16 09:00"]
    # R15: the tracking sheet at 18:30 on working days only; the weekly summary Monday 09:00.
    sheets = at("manager", "📊 订单跟踪表")
    assert sheets[:6] == ["Mon 07 18:30", "Tue 08 18:30", "Wed 09 18:30", "Thu 10 18:30", "Fri 11 18:30",
                          "Sat 12 18:30"]
    assert "Sun 13 18:30" not in sheets
    # The sheet publishes the evidence chain's head hash, anchoring it outside the database.
    sheet_texts = [text for _, chat, text in office.api.sent if text.startswith("📊 订单跟踪表")]
    assert all("🔐 证据链：共" in text for text in sheet_texts)
    assert at("manager", "📅 周订单协调") == ["Mon 07 17:44", "Mon 14 09:00"]

    # R14: medium severity, opened Tue 15:20 → respond by Wed 09:50 (4 working hours); the owner is
    # warned an hour of working time before, at the breach the store manager hears, two working hours
    # later (nobody pressed 已处理) the manager.
    assert at("clerk", "⏳ 售后单 SH202612001") == ["Tue 08 18:20"]
    assert at("clerk", "🚨 售后单 SH202612001") == ["Wed 09 09:50"]
    assert at("storemanager1", "🚨 上报：售后单 SH202612001") == ["Wed 09 09:50"]
    assert at("manager", "🚨 上报：售后单 SH202612001") == ["Wed 09 11:50"]

    async with office.app.sessions() as session:
        fines = list((await session.execute(select(Fine).order_by(Fine.id))).scalars())
    r6 = [(f.rule, f.person.username, f.amount_yuan) for f in fines if f.rule == "R6"]
    assert sorted(r6) == [("R6", "clerk", 50), ("R6", "sales1", 50)]
    r10 = [f.amount_yuan for f in fines if f.rule == "R10"]
    assert r10[:4] == [10, 20, 40, 80]  # doubling per late day until picked up or waived
    await office.engine.dispose()
