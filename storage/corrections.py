"""Corrections on confirm cards, read back from the order history and the audit log."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Order, OrderEvent
from storage.orders import audit_entries


@dataclass(frozen=True)
class CorrectionJourney:
    """One draft: the message it came from, what the parser made of it, what the card was set to."""

    order_id: int
    number: str | None
    text: str
    sent_at: datetime
    parsed: dict[str, Any]
    parser_version: str | None
    corrections: Sequence[dict[str, Any]]  # draft_filled details, in order ({"fields": [...], "values": {...}})


async def correction_journeys(session: AsyncSession) -> list[CorrectionJourney]:
    """Every draft whose card the sales person changed after the parse, oldest first."""
    events = await session.scalars(select(OrderEvent).where(OrderEvent.event.in_(("drafted", "draft_filled")))
                                   .order_by(OrderEvent.order_id, OrderEvent.id))
    drafted: dict[int, dict[str, Any]] = {}
    filled: dict[int, list[dict[str, Any]]] = {}
    for event in events:
        detail = json.loads(event.detail) if event.detail else {}
        if event.event == "drafted":
            drafted[event.order_id] = detail
        elif event.order_id in drafted and not detail.get("from_edit"):
            filled.setdefault(event.order_id, []).append(detail)
    if not filled:
        return []
    orders = {o.id: o for o in await session.scalars(select(Order).where(Order.id.in_(filled)))}
    evidence_ids = [o.evidence_id for o in orders.values() if o.evidence_id is not None]
    entries = await audit_entries(session, evidence_ids)
    out = []
    for order_id, corrections in filled.items():
        order = orders.get(order_id)
        entry = entries.get(order.evidence_id) if order and order.evidence_id is not None else None
        if order is None or entry is None or not entry.text:
            continue
        out.append(CorrectionJourney(order_id=order_id, number=order.number, text=entry.text,
                                     sent_at=entry.telegram_time or order.sent_at,
                                     parsed=drafted[order_id].get("parsed") or {},
                                     parser_version=drafted[order_id].get("parser_version"),
                                     corrections=corrections))
    return out
