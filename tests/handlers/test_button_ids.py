"""Numbers in button data and command arguments: only ids the database can hold."""

from __future__ import annotations

import pytest

from handlers.types import TELEGRAM_IDS, UNIX_TIMES, id_from


@pytest.mark.parametrize(("text", "expected"), [
    ("7", 7), ("2147483647", 2**31 - 1), ("2147483648", None), ("1000000000000", None), ("0", None),
    ("-1", None), ("", None), ("²", None), ("١٢", None), ("１２", None), ("7 ", None), ("9" * 400, None),
])
def test_row_ids(text: str, expected: int | None) -> None:
    assert id_from(text) == expected


def test_telegram_ids_and_times_have_their_own_ranges() -> None:
    assert id_from("1000000000000", TELEGRAM_IDS) == 10**12
    assert id_from(str(2**63), TELEGRAM_IDS) is None
    assert id_from("1796290800", UNIX_TIMES) == 1796290800
    assert id_from(str(10**20), UNIX_TIMES) is None
