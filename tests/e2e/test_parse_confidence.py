"""Asking instead of guessing: an order-number message whose kind is in doubt gets three buttons,
a guessed field is marked "?" on the confirm card, and a correction becomes a labelled corpus line."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from domain.parsing import Parser
from domain.parsing.corrections import labelled_line
from storage.corrections import correction_journeys
from storage.models import Order
from tests.e2e.harness import Harness
from tests.e2e.test_orders import ORDER, submit

ROOT = Path(__file__).resolve().parents[2]
SCORER = ROOT / ".." / "shared" / "corpus" / "score.py"


async def _drafts(h: Harness) -> list[Order]:
    async with h.runtime.app.sessions() as session:
        return list((await session.execute(select(Order).where(Order.state == "draft"))).scalars())


async def test_a_change_that_also_asks_is_asked_about_and_yes_makes_the_change(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h)
    [question] = await h.say("sales1", f"{number} 送货日期改到12月28日 几时能送到？")
    assert question["text"] == f"这是对 {number} 的修改吗？"
    assert h.buttons(question) == ["是，修改", "不，新订单", "只是询问"]
    [chosen, diff] = await h.press("sales1", question, "是，修改", expect=2)
    assert chosen["text"] == f"→ 按修改 {number} 处理" and h.buttons(chosen) == []
    assert "送货日期：12月20日（周日） → 12月28日（周一）" in diff["text"]


async def test_just_asking_shows_the_order_and_changes_nothing(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h)
    [question] = await h.say("sales1", f"{number} 送货日期改到12月28日 几时能送到？")
    [chosen, shown] = await h.press("sales1", question, "只是询问", expect=2)
    assert number in chosen["text"] and number in shown["text"]
    async with h.runtime.app.sessions() as session:
        order = (await session.execute(select(Order).where(Order.number == number))).scalar_one()
    assert order.delivery_date.isoformat() == "2026-12-20"


async def test_a_new_order_quoting_the_same_customers_order_is_asked_about_not_duplicated(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h)
    [question] = await h.say("sales1", f"{number} {ORDER}")
    assert question["text"] == f"{number} 已经是张三的订单。这条是对它的修改吗？"
    assert await _drafts(h) == []  # nothing made before the answer
    [chosen, card] = await h.press("sales1", question, "不，新订单", expect=2)
    assert chosen["text"] == "→ 按新订单处理"
    # Same phone and goods as the order it quoted, but the sender named that order and said
    # "new order": no second duplicate question.
    assert h.buttons(card) == ["确认", "修改", "取消"] and "客户：张三" in card["text"]
    assert "重复下单" not in card["text"]
    [draft] = await _drafts(h)
    assert draft.sent_at is not None and draft.customer_phone == "13812345678"
    # the answer is given once: the question loses its buttons when answered
    assert chosen["message_id"] == question["message_id"] and h.buttons(chosen) == []


async def test_a_guessed_name_is_marked_and_the_correction_is_exported_as_a_labelled_line(
        harness: Harness, e2e_db_url: str, tmp_path: Path) -> None:
    h = harness
    text = "今天下午高洁在我们店定了实木床1张，12月20日送到天河区天河路1号，电话13812345678，全款"
    [card] = await h.say("sales1", text)
    assert "客户：高洁 ?" in card["text"]
    assert "带 ? 的是猜的，请核对：客户" in card["text"]
    [ask] = await h.press("sales1", card, "修改")
    [card] = await h.say("sales1", "客户：高小洁")
    assert "客户：高小洁" in card["text"] and "?" not in card["text"]
    await h.press("sales1", card, "确认")

    async with h.runtime.app.sessions() as session:
        [journey] = await correction_journeys(session)
    line = labelled_line("c1", journey.text, journey.sent_at, journey.parsed, journey.corrections)
    assert line is not None and line["corrected"] == ["customer_name"]
    assert line["expected"]["customer_name"] == "高小洁" and line["expected"]["customer_phone"] == "13812345678"
    assert line["text"] == text

    # the command line gives the same line from the same data, in the corpus format (on a
    # snapshot: the running bot keeps its SQLite file busy)
    snapshot = tmp_path / "snapshot.sqlite3"
    with sqlite3.connect(e2e_db_url.split(":///", 1)[1]) as live, sqlite3.connect(snapshot) as copy:
        live.backup(copy)
    config = tmp_path / "export.toml"
    config.write_text(f'[database]\nurl = "sqlite+aiosqlite:///{snapshot}"\n', encoding="utf-8")
    out = tmp_path / "corrections.jsonl"
    done = subprocess.run([sys.executable, "-m", "bot.cli", "parse", "--corrections", "--config", str(config),
                           "--out", str(out)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [exported] = [json.loads(x) for x in out.read_text(encoding="utf-8").splitlines()]
    assert exported["expected"] == line["expected"] and exported["sent_at"].endswith("+08:00")
    if SCORER.exists():  # the shared scorer takes it as gold; the parser still reads the old name
        pred = tmp_path / "pred.jsonl"
        rec = Parser().parse(text, journey.sent_at)
        pred.write_text(json.dumps({"id": exported["id"], **rec.to_contract()}, ensure_ascii=False) + "\n",
                        encoding="utf-8")
        res = json.loads(subprocess.run([sys.executable, str(SCORER), str(out), str(pred), "--json"],
                                        check=True, capture_output=True, text=True).stdout)
        assert res["fields"]["customer_name"]["correct"] == 0 and res["fields"]["customer_phone"]["correct"] == 1


async def test_an_order_number_message_only_the_model_can_read_is_asked_about(harness: Harness) -> None:
    h = harness
    number, _ = await submit(h)
    [question] = await h.say("sales1", f"{number} 客人想多要两把餐椅")
    assert question["text"] == f"这是对 {number} 的修改吗？"
    assert h.buttons(question) == ["是，修改", "不，新订单", "只是询问"]
