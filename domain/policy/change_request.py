"""改单请求: what a change message (or an edit of the order message) asks for, before it meets the order.

Kept as data between the message and the sender's answer: while the bot asks which
line is meant (``chosen`` collects the answers) and on the change card until 确认修改.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.parsing.model import LineEdit, ParsedMessage
from domain.policy.changes import edits_between

# The order's own fields a change may set (items go through line edits).
SCALAR = ("customer_name", "customer_phone", "address", "delivery_date", "payment")


def jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


@dataclass
class ChangeRequest:
    """What the sender asked for, kept until it is resolved into a diff (and while a line is being chosen)."""

    scalars: dict[str, Any] = field(default_factory=dict)
    shift_days: int | None = None
    lines: tuple[LineEdit, ...] = ()
    chosen: dict[int, int] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.scalars or self.shift_days or self.lines)

    def to_json(self) -> dict[str, Any]:
        return {"scalars": {k: jsonable(v) for k, v in self.scalars.items()}, "shift_days": self.shift_days,
                "lines": [edit.to_dict() for edit in self.lines], "chosen": {str(k): v for k, v in self.chosen.items()}}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ChangeRequest:
        scalars = dict(data.get("scalars") or {})
        if isinstance(scalars.get("delivery_date"), str):
            scalars["delivery_date"] = date.fromisoformat(scalars["delivery_date"])
        return cls(scalars=scalars, shift_days=data.get("shift_days"),
                   lines=tuple(LineEdit.from_dict(e) for e in data.get("lines") or ()),
                   chosen={int(k): int(v) for k, v in (data.get("chosen") or {}).items()})


def request_from_parse(parsed: ParsedMessage) -> ChangeRequest:
    hints = parsed.change_fields or {}
    scalars = {name: hints[name] for name in SCALAR if hints.get(name) is not None}
    lines = hints.get("lines")
    lines = lines if isinstance(lines, (list, tuple)) else ()
    shift = hints.get("delivery_shift_days")
    return ChangeRequest(scalars=scalars, shift_days=shift if isinstance(shift, int) else None,
                         lines=tuple(edit for edit in lines if isinstance(edit, LineEdit)))


def request_from_edit(before: ParsedMessage, after: ParsedMessage) -> ChangeRequest:
    """An edited order message asks for what changed between its two versions — nothing else.

    Fields the edit did not touch keep whatever the order holds now, so a later
    change (by text or an earlier edit) is never undone.
    """
    scalars = {name: getattr(after, name) for name in SCALAR
               if getattr(after, name) is not None and getattr(after, name) != getattr(before, name)}
    return ChangeRequest(scalars=scalars, lines=edits_between(before.items, after.items))
