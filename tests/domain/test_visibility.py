"""The visibility rule as a table: role × (own record, same store, other store)."""

from __future__ import annotations

import pytest

from domain.visibility import may_see

VIEWER, COLLEAGUE, STORE, OTHER_STORE = 1, 2, 10, 20

CASES = [
    # role, handed in by, for store, sees?
    ("sales", VIEWER, STORE, True),
    ("sales", COLLEAGUE, STORE, False),
    ("sales", COLLEAGUE, OTHER_STORE, False),
    ("store_manager", COLLEAGUE, STORE, True),
    ("store_manager", COLLEAGUE, OTHER_STORE, False),
    ("clerk", COLLEAGUE, OTHER_STORE, True),
    ("manager", COLLEAGUE, OTHER_STORE, True),
    ("admin", VIEWER, STORE, False),
    ("nobody", VIEWER, STORE, False),
]


@pytest.mark.parametrize(("role", "sales_id", "store_id", "sees"), CASES)
def test_who_sees_what(role: str, sales_id: int, store_id: int, sees: bool) -> None:
    assert may_see(role, viewer_id=VIEWER, viewer_store_id=STORE, sales_id=sales_id, store_id=store_id) is sees


def test_a_store_manager_without_a_store_sees_no_store() -> None:
    assert not may_see("store_manager", viewer_id=VIEWER, viewer_store_id=None, sales_id=COLLEAGUE, store_id=None)
