"""改单 read from text (line edits, renames, shifts), laid over an order's lines, and diffed between edits."""

from datetime import datetime, timedelta, timezone

import pytest

from domain.parsing import LineEdit, ParsedItem, Parser
from domain.policy.changes import apply_line_edits, edits_between

AT = datetime(2026, 12, 3, 17, 20, tzinfo=timezone(timedelta(hours=8)))
REF = "DD202612001 "


@pytest.fixture(scope="module")
def parser():
    return Parser()


@pytest.mark.parametrize("text, op, product, position, quantity", [
    ("数量改成3", "set", None, None, 3),
    ("数量改为3张", "set", None, None, 3),
    ("改成3张", "set", None, None, 3),
    ("实木衣柜改成2个", "set", "衣柜", None, 2),
    ("床头柜换成3个", "set", "床头柜", None, 3),
    ("床头柜数量改成3", "set", "床头柜", None, 3),
    ("换成两个床头柜", "set", "床头柜", None, 2),
    ("第2项改成3张", "set", None, 2, 3),
    ("第二项改成3个", "set", None, 2, 3),
    ("第1项数量改为2", "set", None, 1, 2),
    ("加一个床头柜", "add", "床头柜", None, 1),
    ("加2把实木餐椅", "add", "餐椅", None, 2),
    ("床头柜多加一个", "add", "床头柜", None, 1),
    ("减一个床头柜", "reduce", "床头柜", None, 1),
    ("床头柜减少一个", "reduce", "床头柜", None, 1),
    ("床头柜不要了", "remove", "床头柜", None, None),
    ("去掉床头柜", "remove", "床头柜", None, None),
    ("取消床头柜", "remove", "床头柜", None, None),
    ("第2项不要了", "remove", None, 2, None),
    ("去掉第2项", "remove", None, 2, None),
])
def test_a_line_edit_is_read_from_the_wording(parser, text, op, product, position, quantity):
    parsed = parser.parse(REF + text, AT)
    assert parsed.kind == "change", text
    [edit] = parsed.change_fields["lines"]
    assert (edit.op, edit.product, edit.position, edit.quantity) == (op, product, position, quantity)


def test_two_line_edits_in_one_message(parser):
    edits = parser.parse(REF + "实木床改成2张，床头柜不要了", AT).change_fields["lines"]
    assert [(e.op, e.product, e.material, e.quantity) for e in edits] == [("set", "床", "solid", 2),
                                                                          ("remove", "床头柜", None, None)]


@pytest.mark.parametrize("text, field, value", [
    ("客户改成李四", "customer_name", "李四"),
    ("客户姓名改为李四", "customer_name", "李四"),
    ("推迟3天", "delivery_shift_days", 3),
    ("延期一周", "delivery_shift_days", 7),
    ("提前两天送", "delivery_shift_days", -2),
    ("改担保", "payment", "guaranteed"),
    ("付款改为全款", "payment", "full"),
])
def test_field_hints(parser, text, field, value):
    fields = parser.parse(REF + text, AT).change_fields
    assert fields[field] == value


def test_a_label_word_is_not_taken_for_the_new_customer_name(parser):
    assert "customer_name" not in parser.parse(REF + "付款改为全款", AT).change_fields


def test_a_reply_without_change_words_is_read_when_the_bot_expects_a_change(parser):
    fields = parser.parse("地址 海珠区江南大道5号", AT, expect="change").change_fields
    assert fields == {"address": "海珠区江南大道5号"}


ITEMS = ({"id": 1, "product": "床", "material": "solid", "quantity": 1, "unit": "张", "spec": "1.8米"},
         {"id": 2, "product": "床", "material": "panel", "quantity": 1, "unit": "张", "spec": "1.5米"},
         {"id": 3, "product": "床头柜", "material": None, "quantity": 2, "unit": "个", "spec": None})


def _qty(outcome):
    return [(i.get("id"), i["product"], i["quantity"]) for i in outcome.items]


def test_two_lines_with_the_product_word_ask_which():
    outcome = apply_line_edits(ITEMS, [LineEdit("set", product="床", quantity=2)])
    assert outcome.question is not None and outcome.question.positions == (1, 2)
    chosen = apply_line_edits(ITEMS, [LineEdit("set", product="床", quantity=2)], {0: 2})
    assert _qty(chosen) == [(1, "床", 1), (2, "床", 2), (3, "床头柜", 2)]


def test_material_narrows_the_line_and_床_does_not_mean_床头柜():
    outcome = apply_line_edits(ITEMS, [LineEdit("set", product="床", material="panel", quantity=4)])
    assert _qty(outcome) == [(1, "床", 1), (2, "床", 4), (3, "床头柜", 2)]


def test_no_product_on_a_one_line_order_is_that_line_and_on_more_lines_a_question():
    assert _qty(apply_line_edits(ITEMS[:1], [LineEdit("set", quantity=3)])) == [(1, "床", 3)]
    assert apply_line_edits(ITEMS, [LineEdit("set", quantity=3)]).question.positions == (1, 2, 3)


def test_add_reduce_remove_and_refusals():
    assert _qty(apply_line_edits(ITEMS, [LineEdit("add", product="床头柜", quantity=1)]))[-1] == (3, "床头柜", 3)
    assert _qty(apply_line_edits(ITEMS, [LineEdit("add", product="衣柜", quantity=1)]))[-1] == (None, "衣柜", 1)
    assert _qty(apply_line_edits(ITEMS, [LineEdit("reduce", product="床头柜", quantity=2)])) == [(1, "床", 1),
                                                                                                (2, "床", 1)]
    assert _qty(apply_line_edits(ITEMS, [LineEdit("remove", position=1)]))[0] == (2, "床", 1)
    assert apply_line_edits(ITEMS, [LineEdit("set", product="衣柜", quantity=2)]).unknown_product == "衣柜"
    assert apply_line_edits(ITEMS, [LineEdit("set", position=5, quantity=2)]).bad_position == 5
    assert apply_line_edits(ITEMS[:1], [LineEdit("remove", product="床")]).empties_order


def test_an_edit_touches_only_the_lines_that_differ_between_versions():
    before = (ParsedItem("床", "panel", 1, "张"), ParsedItem("床头柜", None, 2, "个"))
    after = (ParsedItem("床", "panel", 1, "张"), ParsedItem("床头柜", None, 3, "个"))
    assert edits_between(before, after) == (LineEdit("set", product="床头柜", quantity=3, unit="个"),)
    grown = before + (ParsedItem("衣柜", "solid", 1, "个"),)
    assert edits_between(before, grown) == (LineEdit("add", product="衣柜", material="solid", quantity=1, unit="个"),)
    assert edits_between(grown, before) == (LineEdit("remove", product="衣柜", material="solid"),)
    assert edits_between(before, before) == ()
