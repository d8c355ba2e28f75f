"""解析结果: the records the parser hands back (frozen, so a stored parse cannot drift)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any, Mapping

KINDS = ("order", "aftersales", "change", "cancel", "query", "unknown")
PAYMENTS = ("full", "guaranteed", "deposit", "cod")
AFTERSALES_CATEGORIES = ("quality", "size", "wrong_order", "other")

# Below this a value (or the kind) is shown as uncertain and asked about rather than acted on.
CONFIDENT = 0.75

# 下单必填: what a new order must carry before the clerk can place it (in the order the cards show them).
ORDER_REQUIRED = ("customer_name", "customer_phone", "items", "delivery_date", "address", "payment")


def missing_required(values: Mapping[str, object]) -> tuple[str, ...]:
    """The required fields, in order, that ``values`` (a parse or a draft) lacks or leaves empty."""
    return tuple(name for name in ORDER_REQUIRED if not values.get(name))

@dataclass(frozen=True)
class ParsedItem:
    """一行货品: product key word, 材质 (solid/panel), 数量, 量词, 规格."""

    product: str
    material: str | None = None
    quantity: int = 1
    unit: str | None = None
    spec: str | None = None

    def to_contract(self) -> dict[str, Any]:
        return {
            "product": self.product,
            "material": self.material,
            "quantity": self.quantity,
            "unit": self.unit,
            "spec": self.spec,
        }


@dataclass(frozen=True)
class LineEdit:
    """改一行货品: which line a change means, and what becomes of it.

    ``op`` is ``set`` (床头柜改成3个, 第2项改成3张), ``add`` (加一个床头柜),
    ``reduce`` (减一个床头柜) or ``remove`` (床头柜不要了, 去掉第2项). The line is
    named by ``product`` (narrowed by ``material``/``spec``) or by ``position``
    (1-based); neither means "the order's only line". ``quantity`` None leaves it
    as it is; ``new_spec``/``new_material`` replace the line's spec/material.
    """

    op: str
    product: str | None = None
    material: str | None = None
    spec: str | None = None
    position: int | None = None
    quantity: int | None = None
    unit: str | None = None
    new_spec: str | None = None
    new_material: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    @classmethod
    def from_dict(cls, data: Mapping[str, object]) -> "LineEdit":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})  # type: ignore[arg-type]  # stored JSON: the keys are checked against the fields, the values are as saved


@dataclass(frozen=True)
class ParsedMessage:
    """One chat message read as a record of the parse contract (plus bot-only hints)."""

    kind: str = "unknown"
    order_ref: str | None = None
    customer_name: str | None = None
    customer_phone: str | None = None
    address: str | None = None
    delivery_date: date | None = None
    payment: str | None = None
    items: tuple[ParsedItem, ...] = ()
    aftersales_category: str | None = None
    # Hints for the bot, deliberately outside the contract:
    # 改单: field -> new value, plus "lines" (LineEdit, ...) and "delivery_shift_days" (推迟3天)
    change_fields: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))
    cancel_reason: str | None = None  # 销单原因, as written
    parser_version: str = ""
    # 把握: how sure the parser is of the kind (0–1), the other kinds the text also reads as, and
    # how sure it is of each contract field it set (a field it did not set has no entry).
    kind_confidence: float = 1.0
    kind_alternatives: tuple[str, ...] = ()
    field_confidence: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    # 原样: the customer's name and the address as the sender typed them, where that differs from the
    # contract's simplified form (陳生 for 陈生). What people typed is what the order keeps and shows.
    typed: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def as_typed(self, name: str) -> Any:
        """The field ``name`` as the sender typed it (``typed``), else as the contract reads it."""
        value = getattr(self, name)
        return self.typed.get(name, value) if value else value

    def uncertain_fields(self) -> tuple[str, ...]:
        """The fields to mark on the confirm card for the sales person to check."""
        return tuple(name for name, conf in self.field_confidence.items() if conf < CONFIDENT)

    @property
    def kind_is_uncertain(self) -> bool:
        return self.kind_confidence < CONFIDENT and bool(self.kind_alternatives)

    def to_contract(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "order_ref": self.order_ref,
            "customer_name": self.customer_name,
            "customer_phone": self.customer_phone,
            "address": self.address,
            "delivery_date": self.delivery_date.isoformat() if self.delivery_date else None,
            "payment": self.payment,
            "items": [item.to_contract() for item in self.items],
            "aftersales_category": self.aftersales_category,
        }

    def missing_for_order(self) -> tuple[str, ...]:
        present = {
            "customer_name": self.customer_name,
            "customer_phone": self.customer_phone,
            "items": self.items,
            "delivery_date": self.delivery_date,
            "address": self.address,
            "payment": self.payment,
        }
        return missing_required(present)
