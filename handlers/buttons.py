"""Button data (callback data): one small typed record per kind of button, packed as ``prefix:field:…``.

In the spirit of aiogram's ``CallbackData``, but without the transport library: each kind is a
frozen dataclass with a ``prefix`` and typed fields; :meth:`ButtonData.pack` writes the string a
Telegram button carries (checked against Telegram's 64-byte limit) and :meth:`ButtonData.unpack`
reads it back — or returns None for anything that is not exactly such a button (a forged press, an
id the database cannot hold, a button from an older version), which the router answers with
"button expired". The wire format is the one the bot has always sent, so buttons already in chats
keep working.

Field types: ``int`` is a row id (``handlers.types.ROW_IDS`` unless the field's metadata names
another range); ``int | None`` with a default is an optional trailing number; ``Literal[...]`` is
one of those words; ``str`` is any text without ``:`` (the last field may contain ``:``). Fields
with a default may be left off the end.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypeVar, Union

from handlers.types import ROW_IDS, UNIX_TIMES, id_from

LIMIT = 64  # Telegram's limit on callback data, in bytes
D = TypeVar("D", bound="ButtonData")


def prefix_of(data: str) -> str:
    """The kind a button's data names (what comes before the first ``:``)."""
    return data.partition(":")[0]


@dataclass(frozen=True, slots=True)
class ButtonData:
    prefix: ClassVar[str]  # what the data starts with: ``class ToldClerk(ButtonData, prefix="p")``

    def __init_subclass__(cls, prefix: str = "") -> None:
        if prefix:  # none given: the copy of the class ``dataclass(slots=True)`` makes, which has it already
            cls.prefix = prefix

    def pack(self) -> str:
        values = [(getattr(self, f.name), f.default) for f in dataclasses.fields(self)]
        while values and values[-1][0] == values[-1][1]:  # fields at their default are left off the end
            values.pop()
        data = ":".join([self.prefix, *("" if value is None else str(value) for value, _ in values)])
        if len(data.encode("utf-8")) > LIMIT:
            raise ValueError(f"button data over Telegram's {LIMIT}-byte limit: {data!r}")
        return data

    @classmethod
    def unpack(cls: type[D], data: str) -> D | None:
        prefix, _, rest = data.partition(":")
        if prefix != cls.prefix or len(data.encode("utf-8", "surrogatepass")) > LIMIT:
            return None
        readers = _readers(cls)
        pieces = rest.split(":", len(readers) - 1)  # so only the last field may contain ":"
        values = {name: read(piece) for (name, _, read), piece in zip(readers, pieces)}
        if len(pieces) < sum(required for _, required, _ in readers) or _BAD in values.values():
            return None
        return cls(**values)


_BAD = object()
Reader = Callable[[str], object]  # a field's value from its piece of the data, or _BAD


_READERS: dict[type, list[tuple[str, bool, Reader]]] = {}


def _readers(cls: type) -> list[tuple[str, bool, Reader]]:
    """(name, required, reader) for each field of a kind of button, worked out once per kind."""
    if cls not in _READERS:
        hints = typing.get_type_hints(cls)
        _READERS[cls] = [(f.name, f.default is dataclasses.MISSING, _reader(cls, f, hints[f.name]))
                         for f in dataclasses.fields(cls)]
    return _READERS[cls]


def _reader(cls: type, f: dataclasses.Field[Any], hint: Any) -> Reader:
    if typing.get_origin(hint) in (Union, types.UnionType):
        hint = next(arg for arg in typing.get_args(hint) if arg is not type(None))
    if typing.get_origin(hint) is Literal:
        choices = typing.get_args(hint)
        return lambda piece: piece if piece in choices else _BAD
    if hint is int:
        allowed: range = f.metadata.get("range", ROW_IDS)
        return lambda piece: _BAD if (number := id_from(piece, allowed)) is None else number
    if hint is str:
        return lambda piece: piece
    raise TypeError(f"{cls.__name__}.{f.name}: button fields are int, str or Literal, not {hint}")


# --- the kinds of button -----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class ToldClerk(ButtonData, prefix="p"):
    """R6 已通知跟单: the sales person has told the clerk to place the order today."""

    order_id: int


@dataclass(frozen=True, slots=True)
class DraftAnswer(ButtonData, prefix="d"):
    """草稿卡: 确认 (ok), 仍然提交 (force), 修改 (edit), 取消 (drop)."""

    order_id: int
    what: Literal["ok", "force", "edit", "drop"]


@dataclass(frozen=True, slots=True)
class OrderStep(ButtonData, prefix="o"):
    """跟单卡: a life-cycle action (``domain.orders.lifecycle.Action`` value) or lines | ackcancel | keep | rushfine."""

    order_id: int
    what: str


@dataclass(frozen=True, slots=True)
class LineArrival(ButtonData, prefix="l"):
    """货品行: 到货 (in) or 欠货 (bo, the ETA is asked next)."""

    line_id: int
    what: Literal["in", "bo"]


@dataclass(frozen=True, slots=True)
class ChangeAnswer(ButtonData, prefix="c"):
    """改单/销单 request: ok | no | ``L<edit>`` with the position of the line meant."""

    change_id: int
    what: str
    position: int | None = field(default=None, metadata={"range": range(0, 1000)})

    @property
    def line_edit(self) -> int | None:
        """The edit a ``L<edit>`` answer chooses a line for; None for ok / no."""
        return id_from(self.what[1:], range(0, 1000)) if self.what.startswith("L") else None


KindWord = Literal["change", "order", "query"]


@dataclass(frozen=True, slots=True)
class KindChoice(ButtonData, prefix="k"):
    """"Is this a change, a new order or a question?" about the sender's message (its audit entry)."""

    evidence_id: int
    order_id: int
    choice: KindWord


@dataclass(frozen=True, slots=True)
class EscalationAnswer(ButtonData, prefix="esc"):
    """R14 escalation: acknowledge (ack) or ask again later (snooze) the breach at ``breach`` (unix time)."""

    case_id: int
    breach: int = field(metadata={"range": UNIX_TIMES})
    what: Literal["ack", "snooze"]


DeskWord = Literal["accept", "reject", "wait", "resume", "resolve", "res", "sev", "assign", "to", "cat", "fine"]


@dataclass(frozen=True, slots=True)
class DeskAction(ButtonData, prefix="sh"):
    """售后处理 card: accept | reject | wait | resume | resolve | res:<code> | sev:<h|m|l> | assign | to:<user id>
    | cat[:<category>] | fine:<R7|R8>."""

    case_id: int
    what: DeskWord
    arg: str = ""


@dataclass(frozen=True, slots=True)
class SalesCaseAction(ButtonData, prefix="shs"):
    """The sales person's case card: cat[:<category>] | order:<order id> | score:<n>."""

    case_id: int
    what: Literal["cat", "order", "score"]
    arg: str = ""


@dataclass(frozen=True, slots=True)
class FineDecision(ButtonData, prefix="f"):
    """罚款: the manager confirms or waives a proposed fine."""

    fine_id: int
    what: Literal["confirm", "waive"]


@dataclass(frozen=True, slots=True)
class AppealDecision(ButtonData, prefix="a"):
    """申诉: the manager upholds or overturns the fine."""

    fine_id: int
    what: Literal["uphold", "overturn"]
