"""The interface others code against, and the dev corpus bar."""

import dataclasses
import json
import subprocess
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

import domain.parsing as parsing
from domain.parsing import PARSER_VERSION, ParsedItem, ParsedMessage, Parser, parse

AT = datetime(2026, 12, 3, 17, 20, tzinfo=timezone(timedelta(hours=8)))
CORPUS = Path(__file__).resolve().parents[2] / ".." / "shared" / "corpus"
TEXT = "张姐 139 0000 1234 实木餐桌一张+四把椅子 板式衣柜2门×1 下周六送 江宁区天元路88号 全款"


def test_the_issue_example_end_to_end():
    r = parse(TEXT, AT)
    assert (r.kind, r.customer_name, r.customer_phone, r.address, r.delivery_date, r.payment) == (
        "order", "张姐", "13900001234", "江宁区天元路88号", date(2026, 12, 12), "full")
    assert [(i.product, i.material, i.quantity) for i in r.items] == [
        ("餐桌", "solid", 1), ("椅子", None, 4), ("衣柜", "panel", 1)]
    assert r.missing_for_order() == ()
    assert r.parser_version == PARSER_VERSION


def test_traditional_twin_comes_back_simplified():
    r = parse("訂單 客戶王小明 0912-345-678 實木床1.8米一張 12/28交貨 台中市西屯區台灣大道三段99號 已付清", AT)
    assert (r.kind, r.customer_name, r.customer_phone, r.delivery_date, r.payment) == (
        "order", "王小明", "0912345678", date(2026, 12, 28), "full")
    assert r.address == "台中市西屯区台湾大道三段99号"
    assert r.items == (ParsedItem("床", "solid", 1, "张", "1.8米"),)


def test_version_is_a_calendar_version_string():
    parts = PARSER_VERSION.split(".")
    assert len(parts) == 3 and all(p.isdigit() for p in parts)


def test_records_are_frozen_and_contract_has_exactly_the_fields():
    r = parse(TEXT, AT)
    with pytest.raises(dataclasses.FrozenInstanceError):
        r.kind = "cancel"  # type: ignore[misc]
    contract = r.to_contract()
    assert list(contract) == ["kind", "order_ref", "customer_name", "customer_phone", "address",
                              "delivery_date", "payment", "items", "aftersales_category"]
    assert contract["delivery_date"] == "2026-12-12"
    json.dumps(contract, ensure_ascii=False)  # serialisable as is


@pytest.mark.parametrize(
    "text, missing",
    [
        ("张三 13812345678 实木床1张 明天送 全款 天河路1号", ()),
        ("张三 13812345678 实木床1张 明天送 天河路1号", ("payment",)),
        ("13812345678 实木床1张 全款 天河路1号", ("customer_name", "delivery_date")),
    ],
)
def test_missing_for_order(text, missing):
    assert parse(text, AT).missing_for_order() == missing


def test_missing_for_order_on_an_empty_record():
    assert ParsedMessage().missing_for_order() == (
        "customer_name", "customer_phone", "items", "delivery_date", "address", "payment")


def test_module_level_parse_reuses_one_parser():
    parse("好的", AT)
    first = parsing.default_parser()
    parse("好的", AT)
    assert parsing.default_parser() is first


def test_importing_builds_nothing():
    # building the dictionary is the costly step; importing the package must not do it
    code = "import domain.parsing as p, sys; print(p._default is None)"
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).resolve().parents[2],
                         capture_output=True, text=True, check=True).stdout
    assert out.strip() == "True"


@pytest.mark.skipif(not (CORPUS / "dev.jsonl").exists(), reason="shared dev corpus not mounted")
def test_dev_corpus_meets_the_bar(tmp_path):
    parser = Parser()
    pred = tmp_path / "pred.jsonl"
    with pred.open("w", encoding="utf-8") as out:
        for line in (CORPUS / "dev.jsonl").read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rec = parser.parse(row["text"], datetime.fromisoformat(row["sent_at"]))
            out.write(json.dumps({"id": row["id"], **rec.to_contract()}, ensure_ascii=False) + "\n")
    res = subprocess.run([sys.executable, str(CORPUS / "score.py"), str(CORPUS / "dev.jsonl"), str(pred), "--json"],
                         capture_output=True, text=True, check=True)
    score = json.loads(res.stdout)
    assert score["overall"] >= 0.97
    assert min(f["f1"] for f in score["fields"].values()) >= 0.93
    assert score["items"]["f1"] >= 0.93
