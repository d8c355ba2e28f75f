"""接单核对 as pure rules: answers as their field, plausibility, duplicates, materials, dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from domain.aftersales import Category, category_named
from domain.numbering import bare_number
from domain.policy.calendar import calendar_for
from domain.policy.intake import Material
from domain.policy.intake_checks import (
    MaterialAnswer, address_problem, assumed_material, date_findings, delivery_date_problem, name_problem,
    phone_problem, plausibility, read_material_answer, same_items, unknown_material_lines, visible,
)
from domain.policy.settings import IntakeChecks, LeadTimeRules, PolicySettings, WorkingTime


@dataclass
class Line:
    product: str
    material: str | None = "solid"
    quantity: int = 1
    spec: str | None = None


@pytest.mark.parametrize(("text", "problem"), [
    ("061068232259", "no_letters"),
    ("\u200b\u200c\x01\x02 \u2060\ufeff", "invisible"),
    ("   ", "invisible"),
    ("???", "no_letters"),
    ("张三13812345678", "has_number"),
    ("张" * 31, "too_long"),
    ("李四", None),
    ("Mr Wong", None),
    ("陳大文", None),
])
def test_a_name_answer(text: str, problem: str | None) -> None:
    assert name_problem(text) == problem


def test_an_address_and_a_phone_answer() -> None:
    assert address_problem("12345") == "no_letters"
    assert address_problem("天河区天河路1号") is None
    assert address_problem("\u200b") == "invisible"
    assert phone_problem("王先生") == "no_digits"
    assert phone_problem("1390000111") == "wrong_length"
    assert visible("李\u200b四\x07") == "李四"


def test_a_delivery_date_in_the_past_or_far_ahead() -> None:
    today = date(2026, 12, 3)
    checks = IntakeChecks()
    assert delivery_date_problem(date(2026, 12, 1), today, checks) == "in_past"
    assert delivery_date_problem(date(2026, 12, 3), today, checks) is None
    assert delivery_date_problem(date(2027, 12, 1), today, checks) == "too_far"


def test_plausibility_names_too_many_lines_large_quantities_and_repeats() -> None:
    checks = IntakeChecks(max_lines=20, max_quantity_per_line=50, max_identical_lines=1)
    pasted = [Line("餐桌")] * 181
    codes = [(f.code, f.line, f.count) for f in plausibility(pasted, checks)]
    assert codes == [("too_many_lines", None, 181), ("repeated_line", 1, 181)]
    assert [f.code for f in plausibility([Line("餐椅", quantity=500)], checks)] == ["quantity_too_large"]
    # The same product with another material or quantity is a different line.
    assert plausibility([Line("餐椅", quantity=4), Line("餐椅", quantity=2), Line("餐椅", "panel", 4)], checks) == ()
    assert plausibility([Line("餐桌"), Line("餐桌")], IntakeChecks(max_identical_lines=2)) == ()


def test_same_items_ignores_line_order_and_material_spelling() -> None:
    assert same_items([Line("床"), Line("餐桌", "panel")], [Line("餐桌", "板木"), Line("床", "实木")])
    assert not same_items([Line("床")], [Line("床", quantity=2)])
    assert not same_items([Line("床")], [Line("床"), Line("床")])


def test_material_answers_and_the_assumed_material() -> None:
    assert read_material_answer("板木") == MaterialAnswer(Material.panel, None)
    assert read_material_answer("2 板木") == MaterialAnswer(Material.panel, (2,))
    assert read_material_answer("第1、3项 实木") == MaterialAnswer(Material.solid, (1, 3))
    assert read_material_answer("都是板式") == MaterialAnswer(Material.panel, None)
    assert read_material_answer("实木床") is None and read_material_answer("061068232259") is None
    assert unknown_material_lines([Line("餐桌", None), Line("床"), Line("椅", "其他")]) == (1, 3)
    assert assumed_material(LeadTimeRules()) is Material.solid
    assert assumed_material(LeadTimeRules(unknown_material_days=5)) is Material.panel
    assert assumed_material(LeadTimeRules(unknown_material_days=7)) is None


def test_dates_on_days_nobody_works() -> None:
    calendar = calendar_for(PolicySettings(working=WorkingTime(holidays=(date(2027, 1, 1),))))
    found = date_findings(delivery_date=date(2026, 12, 20), order_date=date(2026, 12, 13), calendar=calendar)
    assert [(f.code, f.day, f.other_day) for f in found] == [
        ("delivery_not_working_day", date(2026, 12, 20), None),
        ("order_date_not_working_day", date(2026, 12, 13), date(2026, 12, 12)),  # Sunday → Saturday
    ]
    holiday = date_findings(delivery_date=date(2027, 1, 1), order_date=date(2026, 12, 22), calendar=calendar)
    assert [f.code for f in holiday] == ["delivery_not_working_day"]
    assert date_findings(delivery_date=date(2026, 12, 28), order_date=date(2026, 12, 18), calendar=calendar) == ()
    # An order date already past: no advice to place it on the working day before.
    assert date_findings(delivery_date=date(2026, 12, 4), order_date=date(2026, 11, 29), calendar=calendar,
                         today=date(2026, 12, 3)) == ()


def test_category_words_and_bare_numbers() -> None:
    assert category_named("尺寸") is Category.size
    assert category_named("登记错误") is Category.wrong_order and category_named("下错单") is Category.wrong_order
    assert category_named("质量") is Category.quality and category_named("其他") is Category.other
    assert category_named("颜色") is None
    assert str(bare_number(" dd202612001 ")) == "DD202612001"
    assert bare_number("DD202612001 到哪了") is None
