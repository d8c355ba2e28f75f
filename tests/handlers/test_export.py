"""/export and `orderbot export`: read the workbooks back with openpyxl — headers, date cells, filters, frozen header."""

from __future__ import annotations

import asyncio
import io
from datetime import date, datetime

import pytest
from openpyxl import load_workbook

from bot.cli import main as cli_main
from domain.reports import Period
from handlers.reports.export import build_workbook
from tests.handlers.helpers import send
from tests.handlers.test_kpi import CLERK, MANAGER, NOV, SALES1, SM1, build_history

ORDER_HEADERS = ["订单号", "门店", "导购", "客户", "电话", "地址", "货品", "材质", "送货日期", "下单日", "付款方式", "状态",
                 "标记", "交单时间", "接单时间", "客户确认时间", "下单时间", "单齐时间", "打单时间", "提货期限", "提货时间",
                 "送达时间", "结单时间", "销单时间", "销单原因", "欠货（预计到货）"]


def sheet_of(content: bytes):  # type: ignore[no-untyped-def]
    return load_workbook(io.BytesIO(content)).active


def column(ws, header: str) -> int:  # type: ignore[no-untyped-def]
    return [c.value for c in ws[1]].index(header) + 1


async def test_orders_workbook_has_the_clerks_columns_with_real_dates(app) -> None:  # type: ignore[no-untyped-def]
    await build_history(app)
    async with app.sessions() as session:
        content, rows = await build_workbook(session, "orders", NOV, tz=app.config.tz, contacts=True)
    assert rows == 5
    ws = sheet_of(content)
    assert ws.title == "订单"
    assert [c.value for c in ws[1]] == ORDER_HEADERS
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:Z6"
    first = {header: ws.cell(2, i + 1) for i, header in enumerate(ORDER_HEADERS)}
    assert first["订单号"].value == "DD202611001" and first["门店"].value == "天河店" and first["导购"].value == "张导购"
    assert first["电话"].value == "13800000001" and first["状态"].value == "已送达"
    # Date cells are dates (not text), in the business time zone, with a date format.
    assert first["送货日期"].is_date and first["送货日期"].value == datetime(2026, 11, 10)
    assert first["送货日期"].number_format == "yyyy-mm-dd"
    assert first["下单时间"].is_date and first["下单时间"].value == datetime(2026, 11, 5, 10, 0)
    assert first["下单时间"].number_format == "yyyy-mm-dd hh:mm"
    assert first["接单时间"].value is None  # a step not taken is an empty cell, not a date
    cancelled = ws.cell(5, column(ws, "状态"))
    assert cancelled.value == "已销单" and ws.cell(5, column(ws, "销单时间")).is_date


async def test_contacts_only_for_the_entitled_and_other_kinds(app) -> None:  # type: ignore[no-untyped-def]
    await build_history(app)
    async with app.sessions() as session:
        plain, _ = await build_workbook(session, "orders", NOV, tz=app.config.tz, contacts=False)
        cases, case_rows = await build_workbook(session, "aftersales", NOV, tz=app.config.tz, contacts=True)
        fines, fine_rows = await build_workbook(session, "fines", NOV, tz=app.config.tz)
    headers = [c.value for c in sheet_of(plain)[1]]
    assert "电话" not in headers and "地址" not in headers and "客户" in headers
    ws = sheet_of(cases)
    assert case_rows == 4 and ws.title == "售后" and ws.freeze_panes == "A2" and ws.auto_filter.ref.endswith("5")
    assert ws.cell(2, column(ws, "售后单号")).value == "SH202611001"
    assert ws.cell(2, column(ws, "紧急程度")).value == "中（一般）"
    assert ws.cell(2, column(ws, "登记时间")).value == datetime(2026, 11, 2, 15, 30)
    assert ws.cell(2, column(ws, "满意度评分")).value == 5
    assert fine_rows == 0 and [c.value for c in sheet_of(fines)[1]][:3] == ["罚款单号", "规则", "被罚人"]


async def test_export_by_chat_sends_an_xlsx_document(app) -> None:  # type: ignore[no-untyped-def]
    await build_history(app)
    [reply] = (await send(app, CLERK, "/export orders 2026-11")).replies
    assert reply.document is not None and reply.document.file_name == "orders-2026-11-01_2026-11-30.xlsx"
    assert reply.text == "📎 订单导出：5 行，2026-11-01 至 2026-11-30"
    assert "电话" in [c.value for c in sheet_of(reply.document.content)[1]]  # clerks are entitled
    [cases] = (await send(app, MANAGER, "/export 售后 2026-11-01 2026-11-15")).replies
    assert cases.document.file_name == "aftersales-2026-11-01_2026-11-15.xlsx" and "2 行" in cases.text
    [usage] = (await send(app, MANAGER, "/export bananas")).replies
    assert usage.document is None and usage.text.startswith("用法：/export")
    for outsider in (SALES1, SM1):  # sales and store managers get no spreadsheet of customers
        [refused] = (await send(app, outsider, "/export orders 2026-11")).replies
        assert refused.document is None and "/export" in refused.text


async def test_export_command_line(app, db_url, tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    await build_history(app)
    config = tmp_path / "config.toml"
    config.write_text(f'[database]\nurl = "{db_url}"\n', encoding="utf-8")
    out = tmp_path / "nov.xlsx"
    code = await asyncio.to_thread(cli_main, ["export", "orders", "--from", "2026-11-01", "--to", "2026-11-30",
                                              "--out", str(out), "--config", str(config)])
    assert code == 0
    captured = capsys.readouterr()
    assert "wrote 5 rows" in captured.out and "5/5 100%" in captured.err
    ws = load_workbook(out).active
    assert [c.value for c in ws[1]] == ORDER_HEADERS and ws.max_row == 6


@pytest.mark.parametrize("words, expected", [
    (["2026-11"], Period(date(2026, 11, 1), date(2026, 11, 30))),
    (["本月"], Period(date(2026, 12, 1), date(2026, 12, 3))),
    (["上周"], Period(date(2026, 11, 23), date(2026, 11, 29))),
    (["2026-11-05", "2026-11-09"], Period(date(2026, 11, 5), date(2026, 11, 9))),
    (["2026-11-09", "2026-11-05"], None),
    (["2026-13"], None),
])
def test_period_words(words, expected) -> None:  # type: ignore[no-untyped-def]
    from domain.reports import parse_period

    assert parse_period(words, date(2026, 12, 3))[0] == expected
