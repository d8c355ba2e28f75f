"""After-sales use cases on SQLite and PostgreSQL: pick-list, failed downloads, the R7 link, who sees what."""

from __future__ import annotations

import dataclasses
import itertools
import json
import re

from sqlalchemy import select

from bot.demo import seed_demo_team
from handlers.app import App
from handlers.dispatch import dispatch
from handlers.types import Incoming, IncomingFile
from storage.models import AfterSalesCase, AuditEntry, CasePhoto, Fine, OutboxMessage
from tests.conftest import local
from tests.handlers.helpers import button_data, press, send

SALES, CLERK, SALES2, STORE_MANAGER2 = 2001, 1003, 3001, 3002
_ids = itertools.count(50_000)


async def _team(app: App) -> None:
    async with app.sessions() as session, session.begin():
        await seed_demo_team(session, app.clock.now())


async def _order(app: App, text: str) -> str:
    app.clock.set(local(2026, 12, 3, 17, 20))  # type: ignore[attr-defined]
    card = await send(app, SALES, text)
    done = await press(app, SALES, button_data(card, "确认"))
    match = re.search(r"DD\d{9,}", done.replies[0].text)
    assert match, done.replies[0].text
    return match.group(0)


def _at_window(app: App) -> None:
    app.clock.set(local(2026, 12, 3, 15, 20))  # type: ignore[attr-defined]


async def _cases(app: App) -> list[AfterSalesCase]:
    async with app.sessions() as session:
        return list((await session.execute(select(AfterSalesCase).order_by(AfterSalesCase.id))).scalars().unique())


async def test_several_orders_of_the_customer_give_a_pick_list(app: App) -> None:
    await _team(app)
    first = await _order(app, "张三 13812345678 实木床1.8米1张 12月20日送 天河区天河路1号 全款")
    second = await _order(app, "张三 13812345678 板木衣柜1个 12月22日送 天河区天河路1号 全款")
    _at_window(app)
    outcome = await send(app, SALES, "售后 张三 13812345678 衣柜尺寸不合适")
    texts = [r.text for r in outcome.replies]
    assert "订单：未关联（客户：13812345678）" in texts[0] and "类别：尺寸不合适" in texts[0]
    assert texts[1] == "找到 2 张可能的订单，请选择这次售后属于哪一张："
    [case] = await _cases(app)
    async with app.sessions() as session:
        told = (await session.execute(select(OutboxMessage).where(OutboxMessage.key.like("case:%")))).first()
    assert told is None  # the desk hears of it once it belongs to an order
    linked = await press(app, SALES, button_data(outcome, f"{second} · 张三"))
    assert f"订单：{second}（张三）" in linked.replies[0].text
    [case] = await _cases(app)
    assert case.order.number == second and case.customer_hint is None
    async with app.sessions() as session:
        told = (await session.execute(select(OutboxMessage).where(OutboxMessage.key.like("case:%")))).scalars().all()
    assert len(told) == 1 and told[0].text.startswith(f"🆕 新售后单 {case.number}")
    assert first != second


async def test_a_failed_download_keeps_the_file_id_with_the_error(app: App) -> None:
    class Broken:
        async def download(self, file_id: str) -> bytes:
            raise ConnectionError("file server gone")

    await _team(app)
    order = await _order(app, "张三 13812345678 实木床1.8米1张 12月20日送 天河区天河路1号 全款")
    _at_window(app)
    broken = dataclasses.replace(app, files=Broken())
    incoming = Incoming(kind="message", update_id=next(_ids), user_id=SALES, chat_id=SALES,
                        sent_at=app.clock.now(), text=f"售后 {order} 床板开裂", message_id=next(_ids),
                        files=(IncomingFile("photo", "FILE-ID-1", "UNIQ-1", size=1234),))
    outcome = await dispatch(broken, incoming)
    assert "照片：1 张" in outcome.replies[0].text
    async with app.sessions() as session:
        [photo] = (await session.execute(select(CasePhoto))).scalars().all()
        [entry] = (await session.execute(select(AuditEntry).where(AuditEntry.kind == "file"))).scalars().all()
    assert photo.file_id == "FILE-ID-1" and photo.sha256 is None and "file server gone" in photo.error
    payload = json.loads(entry.payload)
    assert payload["file_id"] == "FILE-ID-1" and payload["sha256"] is None and "ConnectionError" in payload["error"]


async def test_a_registration_error_links_to_the_r7_fine_of_the_clerk(app: App) -> None:
    await _team(app)
    order = await _order(app, "张三 13812345678 实木床1.8米1张 12月20日送 天河区天河路1号 全款")
    shown = await send(app, CLERK, f"/order {order}")
    await press(app, CLERK, button_data(shown, "接单"))
    _at_window(app)
    opened = await send(app, SALES, f"售后 {order} 送错货了，客户订的是1.5米床")
    assert "类别：登记错误" in opened.replies[0].text
    [case] = await _cases(app)
    card = await send(app, CLERK, f"/case {case.number}")
    outcome = await press(app, CLERK, button_data(card, "罚款 R7（跟单员下错单）"))
    assert outcome.callback_answer.startswith("已提出罚款") or "FK" in (outcome.callback_answer or "")
    async with app.sessions() as session:
        [fine] = (await session.execute(select(Fine))).scalars().all()
        case = (await session.execute(select(AfterSalesCase))).scalar_one()
    assert fine.rule == "R7" and fine.person.telegram_id == CLERK and fine.amount_yuan == 50
    assert case.fine_id == fine.id and fine.rule_key == f"R7:{case.number}"
    again = await send(app, CLERK, f"/case {case.number}")
    assert "罚款 R7（跟单员下错单）" not in [b.text for r in again.replies for row in r.buttons for b in row]


async def test_cases_are_shown_only_to_those_entitled(app: App) -> None:
    await _team(app)
    order = await _order(app, "张三 13812345678 实木床1.8米1张 12月20日送 天河区天河路1号 全款")
    _at_window(app)
    await send(app, SALES, f"售后 {order} 床板开裂")
    [case] = await _cases(app)
    other = await send(app, SALES2, f"/case {case.number}")
    assert other.replies[0].text == f"找不到售后单 {case.number}（或您无权查看）。"
    assert (await send(app, STORE_MANAGER2, "/cases")).replies[0].text == "没有未结的售后单。"
    mine = await send(app, SALES, "/cases")
    assert case.number in mine.replies[0].text and order in mine.replies[0].text
    # Another store's sales person cannot open a case on this order either.
    refused = await send(app, SALES2, f"售后 {order} 床板开裂")
    assert refused.replies[0].text.startswith(f"找不到订单 {order}")
    assert len(await _cases(app)) == 1
