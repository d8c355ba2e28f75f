"""Document numbers DD/SH/FK + YYYYMM + sequence (seed 001 文档编号)."""

import pytest
from hypothesis import given, strategies as st

from domain.errors import DomainError
from domain.numbering import (
    DocumentKind, DocumentNumber, format_case_number, format_fine_number, format_order_number,
    parse_case_number, parse_number, parse_order_number, sort_key,
)


@pytest.mark.parametrize(
    "fmt, args, expected",
    [
        (format_order_number, (2026, 12, 5), "DD202612005"),
        (format_order_number, (2026, 1, 999), "DD202601999"),
        (format_order_number, (2026, 12, 1000), "DD2026121000"),  # grows, does not fail
        (format_case_number, (2026, 12, 17), "SH202612017"),
        (format_fine_number, (2027, 3, 1), "FK202703001"),
    ],
)
def test_format(fmt, args, expected):
    assert fmt(*args) == expected


@pytest.mark.parametrize("args", [(2026, 13, 1), (2026, 0, 1), (2026, 12, 0), (99, 12, 1)])
def test_format_refuses_impossible_parts(args):
    with pytest.raises(DomainError) as err:
        format_order_number(*args)
    assert err.value.code == "number.out_of_range"


@pytest.mark.parametrize(
    "parse, text, expected",
    [
        (parse_order_number, "DD202612005", DocumentNumber(DocumentKind.order, 2026, 12, 5)),
        (parse_order_number, " dd202612005 ", DocumentNumber(DocumentKind.order, 2026, 12, 5)),
        (parse_order_number, "DD2026121000", DocumentNumber(DocumentKind.order, 2026, 12, 1000)),
        (parse_case_number, "SH202612017", DocumentNumber(DocumentKind.after_sales, 2026, 12, 17)),
    ],
)
def test_parse(parse, text, expected):
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text, code",
    [
        ("DD20261200", "number.invalid"),  # two-digit sequence
        ("DD202613001", "number.invalid"),  # month 13
        ("DD202612000", "number.invalid"),  # sequence 0
        ("DD2026120005", "number.invalid"),  # padded beyond three digits: a second spelling
        ("XX202612005", "number.invalid"),
        ("DD 202612005", "number.invalid"),
        ("SH202612005", "number.wrong_kind"),
        ("", "number.invalid"),
    ],
)
def test_parse_order_number_refusals(text, code):
    with pytest.raises(DomainError) as err:
        parse_order_number(text)
    assert err.value.code == code


def test_numbers_past_999_sort_by_value_not_text():
    texts = ["DD2026121000", "DD202612999", "DD202612002"]
    assert sorted(texts) != ["DD202612002", "DD202612999", "DD2026121000"]  # why sort_key exists
    assert sorted(texts, key=sort_key) == ["DD202612002", "DD202612999", "DD2026121000"]


@given(
    st.sampled_from(list(DocumentKind)),
    st.integers(1000, 9999),
    st.integers(1, 12),
    st.integers(1, 10**6),
)
def test_format_parse_round_trip(kind, year, month, seq):
    number = DocumentNumber(kind, year, month, seq)
    assert parse_number(str(number)) == number
