"""原样: where a value the parser read in simplified characters stands in the message as typed."""

from __future__ import annotations

from domain.parsing.normalize import as_typed, plain_text
from tests.conftest import shared_parser


def _typed(text: str, value: str) -> str | None:
    plain = plain_text(text)
    return as_typed(plain, shared_parser().simplify(plain), value)


def test_a_traditional_name_and_address_come_back_as_typed() -> None:
    text = "陳生 98765432 板木衣櫃2個 聽日送 旺角彌敦道1號 全數俾咗"
    assert _typed(text, "陈生") == "陳生"
    assert _typed(text, "旺角弥敦道1号") == "旺角彌敦道1號"


def test_full_width_digits_are_read_as_the_value_has_them() -> None:
    assert _typed("地址：旺角彌敦道２號", "旺角弥敦道2号") == "旺角彌敦道2號"


def test_nothing_when_typed_so_already_or_not_in_the_text() -> None:
    assert _typed("张三 13812345678 天河路1号", "张三") is None
    assert _typed("陳生 98765432", "李太") is None
    assert _typed("", "陈生") is None
