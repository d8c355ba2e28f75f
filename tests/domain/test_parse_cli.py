"""``orderbot parse``: one message, or a JSONL batch that never stops on a bad line."""

import io
import json

import pytest

from bot.cli import main

LINE = {"id": "m1", "sent_at": "2026-12-03T17:20:00+08:00", "text": "张三 13812345678 实木床1张 明天送 全款 天河路1号"}


def test_single_message_prints_one_contract_record(capsys):
    assert main(["parse", LINE["text"], "--at", LINE["sent_at"]]) == 0
    out = capsys.readouterr().out
    record = json.loads(out)
    assert record["kind"] == "order" and record["delivery_date"] == "2026-12-04"
    assert "张三" in out  # ensure_ascii=False: Chinese stays readable


def test_at_defaults_to_now_and_still_parses(capsys):
    assert main(["parse", "张三 13812345678 实木床1张 12月20日送 全款 天河路1号"]) == 0
    assert json.loads(capsys.readouterr().out)["delivery_date"].endswith("-12-20")


def test_bad_at_is_a_usage_error(capsys):
    assert main(["parse", "hi", "--at", "yesterday"]) == 2
    assert "--at" in capsys.readouterr().err


def test_no_text_no_file_is_a_usage_error(capsys):
    assert main(["parse"]) == 2


def test_jsonl_file_one_line_per_message_in_order(tmp_path, capsys):
    src = tmp_path / "in.jsonl"
    rows = [LINE, {"id": "m2", "sent_at": "2026-12-03T17:20:00+08:00", "text": "DD202611003 到了没?"},
            {"id": "m3", "sent_at": "2026-12-03T17:20:00+08:00", "text": "好的"}]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    assert main(["parse", "--jsonl", str(src)]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert [(o["id"], o["kind"]) for o in out] == [("m1", "order"), ("m2", "query"), ("m3", "unknown")]
    assert set(out[0]) == {"id", "kind", "order_ref", "customer_name", "customer_phone", "address",
                           "delivery_date", "payment", "items", "aftersales_category"}


@pytest.mark.parametrize(
    "line, expected_id",
    [
        ("not json at all", None),
        ('{"id": "x1", "text": "张三 13812345678 床一张"}', "x1"),                 # no sent_at
        ('{"id": "x2", "sent_at": "last tuesday", "text": "床一张"}', "x2"),       # bad sent_at
        ('{"id": "x3", "sent_at": "2026-12-03T17:20:00+08:00"}', "x3"),           # no text
        ('{"id": "x4", "sent_at": "2026-12-03T17:20:00+08:00", "text": 42}', "x4"),
        ("[1, 2, 3]", None),
    ],
)
def test_malformed_line_still_yields_an_unknown_line(monkeypatch, capsys, line, expected_id):
    good = json.dumps(LINE, ensure_ascii=False)
    monkeypatch.setattr("sys.stdin", io.StringIO(f"{good}\n{line}\n{good}\n"))
    assert main(["parse", "--jsonl", "-"]) == 0
    out = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert len(out) == 3  # the batch did not stop
    assert (out[1]["id"], out[1]["kind"]) == (expected_id, "unknown")
    assert out[0]["kind"] == out[2]["kind"] == "order"


def test_sent_at_without_offset_is_local_time(monkeypatch, capsys):
    row = dict(LINE, sent_at="2026-12-31T23:30:00")
    monkeypatch.setattr("sys.stdin", io.StringIO(json.dumps(row, ensure_ascii=False) + "\n"))
    assert main(["parse", "--jsonl", "-"]) == 0
    assert json.loads(capsys.readouterr().out)["delivery_date"] == "2027-01-01"
