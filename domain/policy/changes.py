"""R8 改单罚款: what a change to an order costs, and what exactly changed.

Also how a change's line edits (改第几项、加一项、去掉一项) land on the order's
lines, and which line edits turn one version of an order message into the next.

Before printing (打单) a change is free (None). After printing it costs
``after_printing_yuan`` per piece (件); once the goods reached the store
warehouse (到店仓) ``after_store_warehouse_yuan`` per piece. Reaching the store
warehouse is not an order state — some orders go straight from the factory to
the customer — so the caller passes it as the fact it recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Any, Mapping, Sequence

from domain.errors import DomainError
from domain.orders.lifecycle import FINISHED, Action, OrderState, allowed_actions, is_at_or_after
from domain.parsing.model import LineEdit, ParsedItem
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


# -- line edits (改货品行) ---------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class LineQuestion:
    """要改哪一行: the change's ``edit``-th line edit could mean any of ``positions`` (1-based)."""

    edit: int
    positions: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class LinesOutcome:
    """The order's lines after the edits — or the one thing that stops them.

    ``question``: which line is meant (ask with buttons); ``unknown_product``: the
    order has no line with that product word; ``bad_position``: no such 第N项;
    ``empties_order``: every line would go, which is a cancellation, not a change.
    """

    items: tuple[Mapping[str, Any], ...] = ()
    question: LineQuestion | None = None
    unknown_product: str | None = None
    bad_position: int | None = None
    empties_order: bool = False

    @property
    def ok(self) -> bool:
        return not (self.question or self.unknown_product or self.bad_position or self.empties_order)


def _matches(items: Sequence[Mapping[str, Any]], edit: LineEdit) -> list[int]:
    """Positions the edit may mean: the same product word first, else one contains the other."""
    if edit.position is not None:
        return [edit.position] if 1 <= edit.position <= len(items) else []
    if not edit.product:
        return list(range(1, len(items) + 1))
    exact = [i for i, item in enumerate(items, 1) if item["product"] == edit.product]
    found = exact or [i for i, item in enumerate(items, 1)
                      if edit.product in item["product"] or item["product"] in edit.product]
    for key in ("material", "spec"):
        wanted = getattr(edit, key)
        narrowed = [i for i in found if wanted and items[i - 1].get(key) == wanted]
        if narrowed:
            found = narrowed
    return found


def apply_line_edits(items: Sequence[Mapping[str, Any]], edits: Sequence[LineEdit],
                     chosen: Mapping[int, int] | None = None) -> LinesOutcome:
    """The lines after ``edits``; ``chosen`` maps an edit's index to the position the sender picked.

    Every edit is resolved against the lines as they are now, so 第2项 means the
    second line the sender sees on the card even when an earlier edit removes one.
    """
    chosen = chosen or {}
    work: list[dict[str, Any] | None] = [dict(item) for item in items]
    added: list[dict[str, Any]] = []
    for index, edit in enumerate(edits):
        candidates = _matches(items, edit)
        if edit.op == "add":
            # 加一个床头柜: one more on the same line, or a new line when the order has none like it
            candidates = [i for i in candidates if edit.position is not None or (
                items[i - 1]["product"] == edit.product
                and all(not getattr(edit, key) or items[i - 1].get(key) == getattr(edit, key)
                        for key in ("material", "spec")))]
        if index in chosen and chosen[index] in candidates:
            candidates = [chosen[index]]
        if edit.op == "add" and not candidates:
            added.append({"product": edit.product, "material": edit.material, "quantity": max(edit.quantity or 1, 1),
                          "unit": edit.unit, "spec": edit.spec})
            continue
        if not candidates:
            if edit.position is not None:
                return LinesOutcome(bad_position=edit.position)
            return LinesOutcome(unknown_product=edit.product or "")
        if len(candidates) > 1:
            return LinesOutcome(question=LineQuestion(index, tuple(candidates)))
        line = work[candidates[0] - 1]
        if line is None:
            continue  # already removed by an earlier edit of the same message
        if edit.op == "remove":
            work[candidates[0] - 1] = None
            continue
        if edit.op == "add":
            line["quantity"] = int(line["quantity"]) + max(edit.quantity or 1, 1)
        elif edit.op == "reduce":
            left = int(line["quantity"]) - max(edit.quantity or 1, 1)
            if left <= 0:
                work[candidates[0] - 1] = None
                continue
            line["quantity"] = left
        else:
            if edit.quantity is not None:
                line["quantity"] = edit.quantity
                line["unit"] = edit.unit or line.get("unit")
            if edit.new_spec is not None:
                line["spec"] = edit.new_spec
            if edit.new_material is not None:
                line["material"] = edit.new_material
    result = tuple(line for line in work if line is not None) + tuple(added)
    if not result:
        return LinesOutcome(empties_order=True)
    return LinesOutcome(items=result)


def edits_between(before: Sequence[ParsedItem], after: Sequence[ParsedItem]) -> tuple[LineEdit, ...]:
    """The line edits that turn one version of an order message's lines into the next.

    Lines are aligned by product and material (a sequence diff), so editing
    床头柜2个 → 3个 touches the 床头柜 line only, whatever else the order holds now.
    """
    matcher = SequenceMatcher(a=[(i.product, i.material) for i in before], b=[(i.product, i.material) for i in after],
                              autojunk=False)
    edits: list[LineEdit] = []
    for tag, a1, a2, b1, b2 in matcher.get_opcodes():
        if tag == "equal":
            for old, new in zip(before[a1:a2], after[b1:b2]):
                if (old.quantity, old.spec) != (new.quantity, new.spec):
                    edits.append(LineEdit(
                        op="set", product=old.product, material=old.material, spec=old.spec,
                        quantity=new.quantity if new.quantity != old.quantity else None,
                        unit=new.unit if new.quantity != old.quantity else None,
                        new_spec=new.spec if new.spec != old.spec else None))
            continue
        edits += [LineEdit(op="remove", product=i.product, material=i.material, spec=i.spec) for i in before[a1:a2]]
        edits += [LineEdit(op="add", product=i.product, material=i.material, spec=i.spec, quantity=i.quantity,
                           unit=i.unit) for i in after[b1:b2]]
    return tuple(edits)
