"""Issue 7 end to end: /status, /kpi, /export and /evidence through the real transport and the sandbox."""

from __future__ import annotations

import asyncio
import re
import io

from openpyxl import load_workbook

from bot.cli import main as cli_main
from tests.conftest import local
from tests.e2e.harness import Harness
from tests.e2e.test_aftersales import open_case_with_photo
from tests.e2e.test_orders import ORDER, number_in, submit


async def _story(h: Harness) -> str:
    """A rush order with an edited message, a change and a confirmed R2 fine, received by the clerk."""
    h.sandbox.clock.set(local(2026, 12, 3, 10, 5))  # outside the 17:00–18:00 window: a rush insertion
    [card] = await h.say("sales1", ORDER)
    source_id = card["reply_to_message_id"] or card["message_id"] - 1
    clerk_after = await h.client.last_seq()
    [done] = await h.press("sales1", card, "确认")
    number = number_in(done["text"])
    [clerk_card] = await h.wait_for("clerk", clerk_after)
    # The sales person edits the original message: a new version, and a question.
    after = await h.client.last_seq()
    await h.client.edit_text(h.uid("sales1"), source_id, ORDER.replace("13812345678", "13812345679"))
    [question] = await h.wait_for("sales1", after)
    await h.press("sales1", question, "不改")
    # The clerk proposes the rush-insertion fine, the manager confirms it.
    manager_after = await h.client.last_seq()
    await h.press("clerk", clerk_card, "提议插单罚款（R2）")
    [proposal] = await h.wait_for("manager", manager_after)
    sales_after = await h.client.last_seq()
    await h.press("manager", proposal, "确认罚款")
    await h.wait_for("sales1", sales_after)
    # A change of the delivery date, confirmed by the sales person.
    [diff] = await h.say("sales1", f"{number} 送货日期改到12月22日")
    assert "12月22日" in diff["text"], diff["text"]
    clerk_after = await h.client.last_seq()
    await h.press("sales1", diff, "确认修改", expect=1)
    # The clerk reads the 改单 notice before asking, so it cannot race the /order answer.
    [notice] = await h.wait_for("clerk", clerk_after)
    assert "改单" in notice["text"]
    [card] = await h.say("clerk", f"/order {number}")
    await h.press("clerk", card, "接单")
    return number


async def test_status_kpi_export_and_evidence(harness: Harness, e2e_db_url: str, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    h = harness
    number = await _story(h)

    [status] = await h.say("manager", "/status")
    text = status["text"]
    print("\n--- /status (manager) ---\n" + text)
    assert text.startswith("📊 状态总览 · 全部门店 · 12月3日（周四）")
    assert "进行中订单 1：已接单 1" in text
    assert "今天：应下单 0 · 送货 0 · 交单 1（插单 1）" in text
    assert "待确认罚款：0 笔，共 0 元" in text  # the fine was confirmed
    [other_store] = await h.say("storemanager2", "/status")
    assert "番禺店" in other_store["text"] and "进行中订单 0" in other_store["text"]

    [kpi] = await h.say("manager", "/kpi 本月")
    assert kpi["text"].startswith("📈 考核指标 2026-12-01 至 2026-12-03 · 全部门店")

    # The workbook is built in a worker process: an answer at once, the document when ready.
    [preparing, export] = await h.say("clerk", "/export orders 本月", expect=2, timeout=60)
    assert preparing["text"].startswith("⏳ 正在生成订单导出（2026-12-01 至 2026-12-03）")
    assert export["document"]["file_name"] == "orders-2026-12-01_2026-12-03.xlsx"
    ws = load_workbook(io.BytesIO(await h.client.download(export["document"]["url"]))).active
    assert ws.cell(1, 1).value == "订单号" and ws.cell(2, 1).value == number
    assert ws.cell(2, [c.value for c in ws[1]].index("送货日期") + 1).is_date

    # The document (the whole tree and its proofs) is built by the worker too.
    [preparing, evidence] = await h.say("manager", f"/evidence {number}", expect=2, timeout=60)
    assert preparing["text"].startswith(f"⏳ 正在生成 {number} 的证据文件")
    assert evidence["document"]["file_name"] == f"evidence-{number}.html"
    assert "哈希链校验通过" in evidence["text"]
    html = (await h.client.download(evidence["document"]["url"])).decode("utf-8")
    assert "13812345678" in html and "13812345679" in html  # the original and its edit
    assert "修改 v2" in html
    assert "改单" in html and "2026-12-22" in html  # the change, with its diff
    assert "FK202612001" in html and "R2" in html and "已确认" in html  # the fine
    assert "<td>✘" not in html and "校验通过" in html
    assert html.count('data-field="hash"') > 10 and "prev_hash" in html

    # The same entries verify against the whole chain from the command line.
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{e2e_db_url}"\n', encoding="utf-8")
    capsys.readouterr()
    code = await asyncio.to_thread(cli_main, ["audit", "verify", "--entity", number, "--config", str(config)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "audit chain OK" in out and f"{number}: every entry is in the chain, unaltered" in out
    assert "BAD" not in out and "13812345679" in out


async def test_report_permissions(harness: Harness) -> None:
    h = harness
    number = await _story(h)
    # Sales may have the evidence of their own order; another store's sales may not even see it exists.
    [_preparing, own] = await h.say("sales1", f"/evidence {number}", expect=2, timeout=60)
    assert own["document"]["file_name"] == f"evidence-{number}.html"
    [other] = await h.say("sales2", f"/evidence {number}")
    assert "document" not in other or other.get("document") is None
    assert f"找不到 {number}" in other["text"]
    [refused] = await h.say("storemanager1", f"/evidence {number}")
    assert "/evidence" in refused["text"] and refused.get("document") is None
    for who in ("sales1", "storemanager1"):
        [no_export] = await h.say(who, "/export orders")
        assert no_export.get("document") is None
    [no_kpi] = await h.say("storemanager1", "/kpi 本月 S2")
    assert no_kpi["text"] == "只有主管可以查看其他门店或其他人的考核指标。"
    [no_status] = await h.say("sales1", "/status")
    assert "/status" in no_status["text"] and "状态总览" not in no_status["text"]


async def test_the_evidence_document_names_products_and_steps_in_the_readers_language(harness: Harness) -> None:
    """A manager reading in English got the record's items as '床 1.8米 ×1张' (material dropped, the
    stored Chinese words), the state changes' details as 'action：receive' and 'Product：床' — beside
    the export's 'solid wood bed 1.8m ×1'."""
    h = harness
    h.sandbox.clock.set(local(2026, 12, 3, 17, 20))
    [card] = await h.say("sales1", ORDER)
    [done] = await h.press("sales1", card, "确认")
    number = number_in(done["text"])
    for step in ("接单", "确认", "下单"):
        await h.say("clerk", f"/step {number} {step}")
    [view] = await h.say("clerk", f"/order {number}")
    [lines] = await h.press("clerk", view, "到货/欠货登记")
    [ask] = await h.press("clerk", lines, "第1项欠货")
    [recorded] = await h.say("clerk", "12月16日")
    assert "12月16日" in recorded["text"], recorded["text"]
    await h.say("manager", "/lang en")
    [_preparing, evidence] = await h.say("manager", f"/evidence {number}", expect=2, timeout=60)
    html = (await h.client.download(evidence["document"]["url"])).decode("utf-8")
    assert "<tr><th>Items</th><td>solid wood bed 1.8m ×1</td></tr>" in html
    assert "<div>Items: solid wood bed 1.8m ×1</div>" in html  # the draft's reading
    assert "<div>Product: bed</div>" in html  # the backorder
    assert "action" not in html.split("<h2>", 3)[3].split("</table>", 1)[0]  # the state changes
    assert "：" not in "".join(re.findall(r"<div>([^<]*)</div>", html))


async def test_a_cases_evidence_shows_local_times_and_labelled_values(harness: Harness) -> None:
    """An after-sales case's document (read in English) said 'Opened: 2026-12-03T07:20:00+00:00' and
    'Overdue since: 2026-12-04T02:00:00+00:00' — UTC, where every other time is Beijing's — and
    'order state: submitted aftersales category: quality whole order: no', unlabelled and raw."""
    h = harness
    number, _ = await submit(h, ORDER)
    case, _ = await open_case_with_photo(h, number)  # Thursday 15:20 Beijing time
    await h.say("manager", "/lang en")
    [_preparing, evidence] = await h.say("manager", f"/evidence {case}", expect=2, timeout=60)
    html = (await h.client.download(evidence["document"]["url"])).decode("utf-8")
    details = re.findall(r"<div>([^<]*)</div>", html)
    assert "Opened: 2026-12-03 15:20:00" in details, details
    assert not [d for d in details if "+00:00" in d or "T07:" in d], details
    assert "Order state: submitted" in details and "Whole order: no" in details, details
    assert "Category: quality problem (return/exchange)" in details, details
    assert not [d for d in details if d.startswith(("order state", "aftersales category", "whole order"))], details
