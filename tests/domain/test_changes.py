"""R8 change fines and field diffs."""

import pytest

from domain.errors import DomainError
from domain.orders.lifecycle import OrderState as S
from domain.policy.changes import FieldChange, change_fine, diff_fields
from domain.policy.settings import ChangeFines

RULES = ChangeFines()


@pytest.mark.parametrize(
    "state, pieces, at_store, expected",
    [
        (S.submitted, 3, False, None),
        (S.placed, 3, False, None),
        (S.complete, 1, False, None),  # complete but not yet printed: still free
        (S.printed, 1, False, 30),
        (S.printed, 3, False, 90),
        (S.picked_up, 2, False, 60),
        (S.picked_up, 2, True, 100),
        (S.printed, 4, True, 200),
        (S.complete, 1, True, 50),  # the physical fact wins over a lagging state
    ],
)
def test_change_fine(state, pieces, at_store, expected):
    assert change_fine(state, pieces, RULES, reached_store_warehouse=at_store) == expected


def test_change_fine_uses_configured_rates():
    rules = ChangeFines(after_printing_yuan=7, after_store_warehouse_yuan=11)
    assert change_fine(S.printed, 2, rules) == 14
    assert change_fine(S.printed, 2, rules, reached_store_warehouse=True) == 22


@pytest.mark.parametrize(
    "state, pieces, code",
    [
        (S.printed, 0, "change.pieces_invalid"),
        (S.closed, 1, "order.finished"),
        (S.cancelled, 1, "order.finished"),
        (S.delivered, 1, "order.change_too_late"),
    ],
)
def test_change_fine_refusals(state, pieces, code):
    with pytest.raises(DomainError) as err:
        change_fine(state, pieces, RULES)
    assert err.value.code == code


@pytest.mark.parametrize(
    "old, new, expected",
    [
        ({"qty": 1, "colour": "白"}, {"qty": 1, "colour": "白"}, ()),
        ({"qty": 1, "colour": "白"}, {"qty": 2, "colour": "白"}, (FieldChange("qty", 1, 2),)),
        (
            {"qty": 1, "colour": "白"},
            {"colour": "黑", "phone": "138"},
            (FieldChange("qty", 1, None), FieldChange("colour", "白", "黑"), FieldChange("phone", None, "138")),
        ),
        ({"note": None}, {}, ()),  # absent and None are the same
    ],
)
def test_diff_fields(old, new, expected):
    assert diff_fields(old, new) == expected
