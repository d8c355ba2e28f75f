"""/calendar through the real transport: a month with its holidays and make-up days in the reader's
language, a company day off added and removed by a manager (audited, effective for the rules at
once), a year the holiday package has not published, and refusals that say what to do."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from storage.models import AuditEntry
from tests.e2e.harness import Harness


async def test_calendar_month_view_and_company_day_off(harness: Harness) -> None:
    h = harness
    [october] = await h.say("sales1", "/calendar 2026-10")
    text = october["text"]
    assert "2026年10月工作日历 · 中国大陆法定节假日" in text
    assert "🎉 10月1日（周四） 至 10月7日（周三） 放假：国庆节" in text
    assert "🔁 10月10日（周六） 调休上班（国庆节）" in text
    assert "每周上班：周一至周六，09:00–18:30" in text
    assert "本月工作日 21 天" in text  # 31 − 7 off (the 4th, a Sunday, among them) − Sundays 11, 18, 25
    assert "/calendar off" not in text  # sales cannot add days off, so they are not told how

    [refused] = await h.say("sales1", "/calendar off 2026-12-16 盘点")
    assert "没有权限" in refused["text"]
    assert h.runtime.app.calendar.is_working_day(date(2026, 12, 16))

    [added] = await h.say("manager", "/calendar off 2026-12-16 盘点")
    assert "已把12月16日（周三）设为公司休息日：盘点" in added["text"]
    assert not h.runtime.app.calendar.is_working_day(date(2026, 12, 16))
    async with h.runtime.app.sessions() as session:
        audit = (await session.execute(select(AuditEntry).where(AuditEntry.entity == "calendar:2026-12-16"))
                 ).scalars().all()
    assert [a.text for a in audit] == ["calendar.day_off_added"] and audit[0].actor_id == h.uid("manager")

    # Every rule sees it at once: the return day (R12) must be a working day.
    [returnday] = await h.say("clerk", "/returnday 2026-12-16")
    assert "已设定" not in returnday["text"] and "工作日" in returnday["text"]
    [set_day] = await h.say("clerk", "/returnday 2026-12-17")
    assert "已设定售后退货日：12月17日" in set_day["text"]

    [december] = await h.say("clerk", "/calendar")
    assert "🏢 12月16日（周三） 公司休息：盘点" in december["text"]
    assert "📦 12月17日（周四） 售后退货日，当天暂停接单（R12）" in december["text"]

    [again] = await h.say("manager", "/calendar off 2026-10-01 国庆")
    assert "已经过去了" in again["text"]
    [sunday] = await h.say("manager", "/calendar off 2026-12-20 休息")
    assert "本来就不上班（休息日）" in sunday["text"]

    [removed] = await h.say("manager", "/calendar on 2026-12-16")
    assert "已取消12月16日（周三）的公司休息日（盘点），当天现在是：工作日" in removed["text"]
    assert h.runtime.app.calendar.is_working_day(date(2026, 12, 16))


async def test_an_unpublished_year_is_said_not_guessed(harness: Harness) -> None:
    h = harness
    [february] = await h.say("manager", "/calendar 2027-02")
    assert "节假日数据还没有2027年的放假安排，2027年暂时只按每周工作日计算" in february["text"]
    assert "本月没有节假日" not in february["text"]  # not known is not the same as none
    [bad] = await h.say("manager", "/calendar 十三月")
    assert "「十三月」不是月份" in bad["text"] and "/calendar 2027-02" in bad["text"]
    [bad_day] = await h.say("manager", "/calendar off 2027-02-30 盘点")
    assert "「2027-02-30」不是有效的日期" in bad_day["text"]


async def test_the_calendar_speaks_the_readers_language(harness: Harness) -> None:
    h = harness
    await h.say("sales2", "/lang en")
    [october] = await h.say("sales2", "/calendar 2026-10")
    assert "🎉 2026-10-01 (Thu) to 2026-10-07 (Wed) off: National Day" in october["text"]
    assert "make-up working day (National Day)" in october["text"]
    await h.say("sales1", "/lang zh-TW")
    [traditional] = await h.say("sales1", "/calendar 2026-10")
    assert "國慶節" in traditional["text"] and "調休" in traditional["text"]
