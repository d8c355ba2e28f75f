"""When the holiday package has not published a year, the admins are told — once a year, from
December for the coming year — and the rules count that year by the weekly pattern."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from bot.demo import seed_demo_team
from bot.public_holidays import public_holidays
from domain.policy.calendar import PublicHolidays
from domain.policy.settings import PolicySettings
from handlers.app import App, AppConfig, LiveCalendar
from handlers.reminders.sweep import sweep
from storage.models import OutboxMessage
from tests.conftest import local, shared_parser

PUBLISHED_2026 = PublicHolidays(region="CN", source="chinese-calendar test", known_years=frozenset({2026}),
                                days_off={date(2026, 10, 1): {"zh-CN": "国庆节"}})


async def _notices(app: App) -> list[OutboxMessage]:
    async with app.sessions() as session:
        return list((await session.execute(select(OutboxMessage).where(
            OutboxMessage.key.startswith("calendar:unknown")))).scalars())


async def test_admins_hear_in_december_once_about_the_unpublished_year(sessions, clock) -> None:  # type: ignore[no-untyped-def]
    policy = PolicySettings()
    app = App(sessions=sessions, clock=clock, config=AppConfig(policy=policy), parser=shared_parser(),
              calendars=LiveCalendar(policy, PUBLISHED_2026))
    async with sessions() as session, session.begin():
        await seed_demo_team(session, clock.now())
    await sweep(app, local(2026, 11, 30, 10, 0))
    assert await _notices(app) == []  # November: the coming year may still be published
    await sweep(app, local(2026, 12, 1, 10, 0))
    await sweep(app, local(2026, 12, 2, 10, 0))
    [notice] = await _notices(app)  # one, for the admin, not one per sweep
    assert notice.key == "calendar:unknown:CN:2027:u1" and notice.chat_id == 1001
    assert "还没有2027年的放假安排" in notice.text and "chinese-calendar test" in notice.text
    assert app.calendar.is_working_day(date(2027, 10, 1))  # unknown: a Friday counts by the weekly pattern


async def test_the_installed_package_publishes_through_2026() -> None:
    mainland = public_holidays("CN", 2026)
    assert mainland.knows(2026) and not mainland.knows(2099)
    assert mainland.days_off[date(2026, 10, 1)]["zh-CN"] == "国庆节"
    assert mainland.days_off[date(2026, 2, 21)]["en"] == "Spring Festival"  # a Saturday inside the break
    assert date(2026, 9, 20) in mainland.make_up_days and date(2026, 10, 10) in mainland.make_up_days
    hong_kong = public_holidays("HK", 2026)
    assert hong_kong.days_off[date(2026, 7, 1)]["zh-TW"].startswith("香港")
    assert public_holidays("none", 2026).region == ""
