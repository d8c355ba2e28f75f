"""/kpi as a manager types it: ranges as asked, every period word, clear answers, the satisfaction rule."""

from __future__ import annotations

import pytest

from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_aftersales import case_number_in, message_with
from tests.e2e.test_orders import submit

ACCEPTED = "本周、上周、本月、上月、今年、去年、2026-12、2026-12-01 2026-12-31"


async def test_a_date_range_is_reported_as_typed_including_its_last_day(harness: Harness) -> None:
    h = harness
    await h.client.set_clock(local(2026, 12, 2, 2, 10))
    [kpi] = await h.say("manager", "/kpi 2026-12-01 2026-12-31")
    assert kpi["text"].startswith("📈 考核指标 2026-12-01 至 2026-12-31 · 全部门店"), kpi["text"]
    [month] = await h.say("manager", "/kpi 2026-12")
    assert month["text"].startswith("📈 考核指标 2026-12-01 至 2026-12-31"), month["text"]


@pytest.mark.parametrize("framework", ["python-telegram-bot"])  # the period is the use case's business
@pytest.mark.parametrize("words, label", [
    ("本周", "2026-11-30 至 2026-12-02"),
    ("上周", "2026-11-23 至 2026-11-29"),
    ("本月", "2026-12-01 至 2026-12-02"),
    ("上月", "2026-11-01 至 2026-11-30"),
    ("今年", "2026-01-01 至 2026-12-02"),
    ("去年", "2025-01-01 至 2025-12-31"),
    ("2026-11", "2026-11-01 至 2026-11-30"),
    ("2026-11-05 2026-11-09", "2026-11-05 至 2026-11-09"),
])
async def test_every_period_word_names_local_dates(harness: Harness, words: str, label: str) -> None:
    h = harness
    await h.client.set_clock(local(2026, 12, 2, 2, 10))  # Wednesday, 18:10 UTC the day before
    answers = await h.say("manager", f"/kpi {words}", expect=2 if words in ("今年", "去年") else 1, timeout=60)
    if len(answers) == 2:  # longer than a month: counted by the worker, a "⏳" answer first
        assert answers[0]["text"].startswith(f"⏳ 正在统计全部门店的考核指标（{label}）"), answers[0]["text"]
    assert answers[-1]["text"].startswith(f"📈 考核指标 {label}"), answers[-1]["text"]


async def test_a_future_or_unknown_period_gets_a_clear_answer(harness: Harness) -> None:
    h = harness
    await h.client.set_clock(local(2026, 12, 2, 10, 0))
    [future] = await h.say("manager", "/kpi 明年")
    assert future["text"] == f"「明年」（2027-01-01 至 2027-12-31）还没开始，没有可考核的数据。可查：{ACCEPTED}。"
    [later] = await h.say("manager", "/kpi 2027-03")
    assert later["text"].startswith("「2027-03」（2027-03-01 至 2027-03-31）还没开始")
    [unknown] = await h.say("manager", "/kpi 上季度")
    assert unknown["text"] == f"看不懂时间段「上季度」。可写：{ACCEPTED}。"
    [backwards] = await h.say("manager", "/kpi 2026-12-09 2026-12-01")
    assert backwards["text"] == "结束日期 2026-12-01 早于开始日期 2026-12-09，请把早的日期写在前面。"
    [nobody] = await h.say("manager", "/kpi 本月 赵六")
    assert nobody["text"] == f"找不到门店或跟单员「赵六」。门店写代码（S1）或店名，跟单员写姓名；时间段可写：{ACCEPTED}。"


async def test_each_satisfaction_answer_counts_also_the_one_that_reopened_the_case(harness: Harness) -> None:
    h = harness
    order, _ = await submit(h)
    h.sandbox.clock.set(local(2026, 12, 3, 15, 20))
    clerk_after = await h.client.last_seq()
    [card] = await h.say("sales1", f"售后 {order} 衣柜门板开裂，客户要求换货")
    number = case_number_in(card["text"])
    await message_with(h, "clerk", clerk_after, number)  # the desk's notice first, then the clerk looks
    [shown] = await h.say("clerk", f"/case {number}")
    [accepted] = await h.press("clerk", shown, "受理")
    [choice] = await h.press("clerk", accepted, "处理完成")
    sales_after = await h.client.last_seq()
    await h.press("clerk", choice, "换货")
    survey = await message_with(h, "sales1", sales_after, "打分")
    clerk_after = await h.client.last_seq()
    await h.press("sales1", survey, "2分")
    reopened = await message_with(h, "clerk", clerk_after, "🔁")
    [choice] = await h.press("clerk", reopened, "处理完成")
    sales_after = await h.client.last_seq()
    await h.press("clerk", choice, "退款")
    survey = await message_with(h, "sales1", sales_after, "已处理：退款")
    await h.press("sales1", survey, "5分")

    [kpi] = await h.say("manager", "/kpi 本月")
    assert "客户满意度 50.0%（满意 1 / 调查 2）" in kpi["text"], kpi["text"]
    assert "问题解决率 100.0%（已解决 1 / 出现 1）" in kpi["text"]


async def test_export_answers_a_period_it_cannot_use_the_same_way(harness: Harness) -> None:
    h = harness
    await h.client.set_clock(local(2026, 12, 2, 10, 0))
    [unknown] = await h.say("clerk", "/export orders 上季度")
    assert unknown["text"] == f"看不懂时间段「上季度」。可写：{ACCEPTED}。"
    [future] = await h.say("clerk", "/export orders 明年")
    assert future["text"].startswith("「明年」（2027-01-01 至 2027-12-31）还没开始")
    # A period it can use: the workbook is built in a worker process and follows the answer.
    [preparing, december] = await h.say("clerk", "/export orders 2026-12-01 2026-12-31", expect=2, timeout=60)
    assert preparing["text"].startswith("⏳ 正在生成订单导出（2026-12-01 至 2026-12-31）")
    assert december["document"]["file_name"] == "orders-2026-12-01_2026-12-31.xlsx"


async def test_export_of_a_period_not_begun_says_there_is_nothing_to_export(harness: Harness) -> None:
    """/export orders 明年 answered 「…还没开始，没有可考核的数据」: the KPI's words, for a workbook."""
    h = harness
    await h.client.set_clock(local(2026, 12, 2, 10, 0))
    [future] = await h.say("clerk", "/export orders 明年")
    assert future["text"] == f"「明年」（2027-01-01 至 2027-12-31）还没开始，没有可导出的内容。可查：{ACCEPTED}。"
    await h.say("clerk", "/lang en")
    [english] = await h.say("clerk", "/export fines 2027-03")
    assert english["text"].startswith("“2027-03” (2027-03-01 to 2027-03-31) has not begun yet: nothing to export."), \
        english["text"]


async def test_english_periods_may_be_written_as_two_words(harness: Harness) -> None:
    """A manager reading in English typed '/kpi last month' and got the usage line, which offers
    'lastmonth'; the same for '/kpi this week S1' and '/export orders last month'."""
    h = harness
    await h.client.set_clock(local(2026, 12, 2, 10, 0))
    await h.say("manager", "/lang en")
    [kpi] = await h.say("manager", "/kpi last month")
    assert kpi["text"].startswith("📈 KPIs 2026-11-01 to 2026-11-30 · all stores"), kpi["text"]
    [scoped] = await h.say("manager", "/kpi This Week S1")
    assert scoped["text"].startswith("📈 KPIs 2026-11-30 to 2026-12-02 · 天河店"), scoped["text"]
    [preparing, _workbook] = await h.say("manager", "/export orders last month", expect=2, timeout=60)
    assert preparing["text"].startswith("⏳ Preparing the Orders export (2026-11-01 to 2026-11-30)"), preparing["text"]
    [future] = await h.say("manager", "/kpi next month")
    assert future["text"].startswith("“next month” (2027-01-01 to 2027-01-31) has not begun yet"), future["text"]
