"""R8 改单罚款: what a change to an order costs, and what exactly changed.

Before printing (打单) a change is free (None). After printing it costs
``after_printing_yuan`` per piece (件); once the goods reached the store
warehouse (到店仓) ``after_store_warehouse_yuan`` per piece. Reaching the store
warehouse is not an order state — some orders go straight from the factory to
the customer — so the caller passes it as the fact it recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from domain.errors import DomainError
from domain.orders.lifecycle import FINISHED, Action, OrderState, allowed_actions, is_at_or_after
from domain.policy.settings import ChangeFines


def change_fine(
    state: OrderState,
    pieces: int,
    rules: ChangeFines,
    *,
    reached_store_warehouse: bool = False,
) -> int | None:
    """Fine in 元 for changing ``pieces`` pieces of an order in ``state``; None if free.

    The physical fact wins over a lagging state: goods that reached the store
    warehouse cost the higher rate even if the order was not marked printed.
    Raises ``change.pieces_invalid`` for fewer than one piece, ``order.finished``
    for a closed/cancelled order and ``order.change_too_late`` once delivered
    (that is an after-sales case, R13).
    """
    if pieces < 1:
        raise DomainError("change.pieces_invalid", pieces=pieces)
    if state in FINISHED:
        raise DomainError("order.finished", state=state.value, action=Action.change.value)
    if Action.change not in allowed_actions(state):
        raise DomainError("order.change_too_late", state=state.value)
    if reached_store_warehouse:
        return rules.after_store_warehouse_yuan * pieces
    if is_at_or_after(state, OrderState.printed):
        return rules.after_printing_yuan * pieces
    return None


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed field (改动项); a field absent on one side reads as None."""

    name: str
    old: Any
    new: Any


def diff_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> tuple[FieldChange, ...]:
    """Changed fields, in the old record's order then the new-only fields.

    Absent and None are the same here: a parser that omits an empty field must
    not show up as a change on the written notice.
    """
    names = list(old) + [k for k in new if k not in old]
    return tuple(
        FieldChange(name, old.get(name), new.get(name)) for name in names if old.get(name) != new.get(name)
    )
