"""Document numbers (文档编号): kind prefix + YYYYMM + a per-month sequence.

``DD`` 订单 orders, ``SH`` 售后 after-sales cases, ``FK`` 罚款 fines, e.g.
``DD202612005``. The sequence is zero-padded to three digits; the thousandth
document of a month gets four (``DD2026121000``) instead of failing, because a
busy month must not stop intake. Such numbers no longer sort as strings, so
order by ``DocumentNumber`` (or ``sort_key``), never by the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from domain.errors import DomainError


class DocumentKind(StrEnum):
    order = "DD"  # 订单
    after_sales = "SH"  # 售后
    fine = "FK"  # 罚款


_PATTERN = re.compile(r"(?P<prefix>[A-Z]{2})(?P<year>\d{4})(?P<month>\d{2})(?P<seq>\d{3,})")


@dataclass(frozen=True, slots=True, order=True)
class DocumentNumber:
    """A parsed number; compares in (kind, year, month, seq) order."""

    kind: DocumentKind
    year: int
    month: int
    seq: int

    def __str__(self) -> str:
        return format_number(self.kind, self.year, self.month, self.seq)


def format_number(kind: DocumentKind, year: int, month: int, seq: int) -> str:
    if not 1000 <= year <= 9999 or not 1 <= month <= 12 or seq < 1:
        raise DomainError("number.out_of_range", kind=kind.value, year=year, month=month, seq=seq)
    return f"{kind.value}{year:04d}{month:02d}{seq:03d}"


def parse_number(text: str, kind: DocumentKind | None = None) -> DocumentNumber:
    """Parse a number typed in chat (spaces and lower case tolerated).

    Raises ``number.invalid`` for text that is not a number at all and
    ``number.wrong_kind`` when, say, a case number is given where an order
    number was expected.
    """
    cleaned = text.strip().upper()
    match = _PATTERN.fullmatch(cleaned)
    if match is None:
        raise DomainError("number.invalid", text=text)
    try:
        found = DocumentKind(match["prefix"])
    except ValueError:
        raise DomainError("number.invalid", text=text) from None
    if kind is not None and found is not kind:
        raise DomainError("number.wrong_kind", text=text, expected=kind.value, found=found.value)
    seq = match["seq"]
    # "DD2026120005" would be a second spelling of DD202612005; one document, one number.
    if len(seq) > 3 and seq.startswith("0"):
        raise DomainError("number.invalid", text=text)
    year, month = int(match["year"]), int(match["month"])
    if not 1 <= month <= 12 or int(seq) < 1:
        raise DomainError("number.invalid", text=text)
    return DocumentNumber(found, year, month, int(seq))


def bare_number(text: str) -> DocumentNumber | None:
    """The number a message consisting of nothing but a document number names (``DD202612005``)."""
    try:
        return parse_number(text)
    except DomainError:
        return None


def sort_key(text: str) -> DocumentNumber:
    return parse_number(text)


def format_order_number(year: int, month: int, seq: int) -> str:
    return format_number(DocumentKind.order, year, month, seq)


def parse_order_number(text: str) -> DocumentNumber:
    return parse_number(text, DocumentKind.order)


def format_case_number(year: int, month: int, seq: int) -> str:
    return format_number(DocumentKind.after_sales, year, month, seq)


def parse_case_number(text: str) -> DocumentNumber:
    return parse_number(text, DocumentKind.after_sales)


def format_fine_number(year: int, month: int, seq: int) -> str:
    return format_number(DocumentKind.fine, year, month, seq)

