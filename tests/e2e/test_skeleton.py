"""Issue 2 end to end: strangers, invitations, roles, the audit trail, redelivery, 429s."""

from __future__ import annotations

import re

from sqlalchemy import select, text

from storage.audit import verify_chain
from storage.models import AuditEntry, User
from tests.e2e.harness import Harness


def _code(invite_text: str) -> str:
    match = re.search(r"start=([\w-]+)", invite_text)
    assert match, invite_text
    return match.group(1)


async def test_a_stranger_gets_one_polite_answer_and_nothing_else(harness: Harness) -> None:
    [answer] = await harness.say(777, "/orders", first_name="路人")
    assert "只为本公司登记在册的员工服务" in answer["text"]
    assert not answer.get("reply_markup")
    [answer] = await harness.say(777, "/invite admin", first_name="路人")
    assert "邀请码" in answer["text"] and "已生成" not in answer["text"]


async def test_admin_invites_a_clerk_and_a_sales_person_who_register(harness: Harness) -> None:
    [invite] = await harness.say("admin", "/invite clerk")
    clerk_code = _code(invite["text"])
    [invite] = await harness.say("admin", "/invite 导购 S2")
    sales_code = _code(invite["text"])

    welcome = await harness.say(501, f"/start {clerk_code}", first_name="小林", expect=2)
    assert "登记成功：小林，身份：跟单员" in welcome[0]["text"]
    welcome = await harness.say(502, f"/start {sales_code}", first_name="小周", expect=2)
    assert "身份：导购，门店：番禺店 (S2)" in welcome[0]["text"]

    # A code works once.
    [again] = await harness.say(503, f"/start {sales_code}", first_name="冒名")
    assert "已经用过" in again["text"]

    async with harness.runtime.app.sessions() as session:
        people = {u.telegram_id: (u.role, u.store.code if u.store else None)
                  for u in (await session.execute(select(User))).scalars()}
    assert people[501] == ("clerk", None) and people[502] == ("sales", "S2") and 503 not in people


async def test_help_and_the_command_menu_differ_by_role(harness: Harness) -> None:
    [admin_help] = await harness.say("admin", "/help")
    [sales_help] = await harness.say("sales1", "/help")
    assert "/invite" in admin_help["text"] and "/invite" not in sales_help["text"]
    assert "身份：导购" in sales_help["text"]
    [refused] = await harness.say("sales1", "/invite clerk")
    assert "不是您的身份可以用的命令" in refused["text"]
    admin_menu = {c["command"] for c in await harness.client.commands(harness.uid("admin"))}
    sales_menu = {c["command"] for c in await harness.client.commands(harness.uid("sales1"))}
    assert "invite" in admin_menu and "invite" not in sales_menu and "help" in sales_menu


async def test_language_switch_changes_replies(harness: Harness) -> None:
    [answer] = await harness.say("sales1", "/lang en")
    assert answer["text"].startswith("OK, I will answer you in English")
    [answer] = await harness.say("sales1", "/whoami")
    assert "Role: sales" in answer["text"]
    [answer] = await harness.say("sales1", "/lang zh-TW")
    [answer] = await harness.say("sales1", "/whoami")
    assert "身份：導購" in answer["text"]
    [answer] = await harness.say("sales1", "/lang klingon")
    assert "zh-CN | zh-TW | en" in answer["text"]


async def test_every_message_is_in_a_verifiable_audit_log_and_tampering_is_named(harness: Harness) -> None:
    await harness.say(777, "你好", first_name="路人")
    await harness.say("admin", "/whoami")
    await harness.outbound_logged("身份：管理员")
    sessions = harness.runtime.app.sessions
    async with sessions() as session:
        entries = list((await session.execute(select(AuditEntry).order_by(AuditEntry.seq))).scalars())
        report = await verify_chain(session)
    inbound = [(e.kind, e.text) for e in entries if e.kind == "inbound"]
    outbound = [e.text for e in entries if e.kind == "outbound"]
    assert ("inbound", "你好") in inbound and ("inbound", "/whoami") in inbound
    assert any("只为本公司登记在册的员工服务" in t for t in outbound)
    assert any("身份：管理员" in (t or "") for t in outbound)
    assert all(e.recorded_at.tzinfo is not None for e in entries)
    assert report.ok and report.checked == len(entries)

    target = next(e for e in entries if e.text == "你好")
    async with sessions() as session, session.begin():
        await session.execute(text("UPDATE audit_log SET text = '我没说过' WHERE id = :id"), {"id": target.id})
    async with sessions() as session:
        report = await verify_chain(session)
    assert not report.ok and report.problem.entry_id == target.id and report.problem.what == "changed"


async def test_a_redelivered_update_is_not_applied_twice(harness: Harness) -> None:
    [invite] = await harness.say("admin", "/invite manager")
    async with harness.runtime.app.sessions() as session:
        update_id = (await session.execute(
            select(AuditEntry.update_id).where(AuditEntry.text == "/invite manager"))).scalar_one()
    after = await harness.client.last_seq()
    await harness.client.redeliver(update_id)
    # Prove the redelivered update was consumed: a later message is answered, the redelivery was not.
    [later] = await harness.say("admin", "/whoami")
    events = await harness.client.bot_events(harness.uid("admin"), after)
    assert [e["text"] for e in events if e["kind"] == "send"] == [later["text"]]
    async with harness.runtime.app.sessions() as session:
        count = (await session.execute(
            text("SELECT COUNT(*) FROM invites WHERE role = 'manager'"))).scalar_one()
    assert count == 1


async def test_a_429_is_waited_out_and_the_reply_still_arrives(harness: Harness) -> None:
    await harness.client.add_fault(method="sendMessage", status=429, retry_after=1, times=1)
    [answer] = await harness.say("admin", "/whoami", timeout=15)
    assert "身份：管理员" in answer["text"]
    attempts = [c for c in await harness.client.calls("sendMessage")]
    assert len(attempts) >= 2  # the refused attempt and the retry


async def test_a_5xx_is_retried(harness: Harness) -> None:
    await harness.client.add_fault(method="sendMessage", status=502, times=2)
    [answer] = await harness.say("admin", "/whoami", timeout=15)
    assert "身份：管理员" in answer["text"]


async def test_hostile_input_gets_an_answer_and_stays_in_the_audit_log(harness: Harness) -> None:
    hostile = ["", "😀" * 50, "'; DROP TABLE orders; --", "<script>alert(1)</script>", "床" * 10_000,
               "\x00\x01\ufffd垃圾", "DD99999999999 取消", "/order DD202613999", "/step", "/lang"]
    for message in hostile:
        if not message:
            continue
        answers = await harness.say("sales1", message)
        assert answers and answers[0]["text"]
        assert "出错" not in answers[0]["text"]  # handled, not an internal error
    async with harness.runtime.app.sessions() as session:
        kept = set((await session.execute(select(AuditEntry.text).where(AuditEntry.kind == "inbound"))).scalars())
    assert "'; DROP TABLE orders; --" in kept and "床" * 10_000 in kept


async def test_the_kpi_hint_offers_a_store_manager_and_a_clerk_only_what_they_may_ask(harness: Harness) -> None:
    """陈店长's /help said `/kpi [本周|本月|2026-12|起 止] [门店|跟单员]`; following it with a clerk or
    another store answered 「只有主管可以查看其他门店或其他人的考核指标」. A store manager counts their
    store, a clerk themselves: their hint names the period only."""
    h = harness
    [manager_help] = await h.say("manager", "/help")
    assert "/kpi — 考核指标：/kpi [本周|本月|2026-12|起 止] [门店|跟单员]" in manager_help["text"]
    for who, line in (("storemanager1", "/kpi — 本店的考核指标：/kpi [本周|本月|2026-12|起 止]"),
                      ("clerk", "/kpi — 我的考核指标：/kpi [本周|本月|2026-12|起 止]")):
        [shown] = await h.say(who, "/help")
        assert line in shown["text"].splitlines(), shown["text"]
        menu = {c["command"]: c["description"] for c in await h.client.commands(h.uid(who))}
        assert menu["kpi"] == line.split(" — ", 1)[1]
        [kpi] = await h.say(who, "/kpi 本月")
        assert kpi["text"].startswith("📈 考核指标 2026-12-01 至"), kpi["text"]
    await h.say("storemanager1", "/lang en")
    [english] = await h.say("storemanager1", "/help")
    assert "/kpi — your store's KPIs: /kpi [week|month|2026-12|from to]" in english["text"].splitlines()
