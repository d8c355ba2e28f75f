"""The history (履历) of a tracked entity — an order or an after-sales case. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Required, TypedDict, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.audit import canonical_json
from storage.db import added
from storage.models import EventRow

Event = TypeVar("Event", bound=EventRow)


class EventFacts(TypedDict, total=False):
    """What a history line says, besides whose it is (``at``, ``actor_id`` and ``event`` always)."""

    at: Required[datetime]
    actor_id: Required[int | None]
    event: Required[str]
    from_state: str | None
    to_state: str | None
    detail: dict[str, Any] | None
    evidence_id: int | None


async def add(session: AsyncSession, row: Event, facts: EventFacts) -> Event:
    """Write ``row`` (an entity's event, its owner id set) with ``facts``."""
    row.at, row.actor_id, row.event = facts["at"], facts["actor_id"], facts["event"]
    row.from_state, row.to_state = facts.get("from_state"), facts.get("to_state")
    detail = facts.get("detail")
    row.detail = canonical_json(detail) if detail else None
    row.evidence_id = facts.get("evidence_id")
    return await added(session, row)


async def events(session: AsyncSession, model: type[Event], owner: ColumnElement[bool]) -> Sequence[Event]:
    """The entity's history in the order it happened."""
    return (await session.execute(select(model).where(owner).order_by(model.at, model.id))).scalars().unique().all()
