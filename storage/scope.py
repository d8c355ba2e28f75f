"""Whose orders and cases a query covers: everything, one store, one clerk or one sales person."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_

from storage.models import AfterSalesCase, Order


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose figures: everything (all None), one store, one clerk, or one sales person.

    ``queue`` reads ``clerk_id`` as a clerk's queue — what the clerk took plus what
    nobody has taken yet — instead of strictly the clerk's own orders (KPIs)."""

    store_id: int | None = None
    clerk_id: int | None = None
    sales_id: int | None = None
    queue: bool = False

    def orders(self) -> list[Any]:
        return self._where(Order.store_id, Order.sales_id, Order.clerk_id)

    def cases(self) -> list[Any]:
        return self._where(AfterSalesCase.store_id, AfterSalesCase.sales_id, AfterSalesCase.assignee_id)

    def _where(self, store: Any, sales: Any, clerk: Any) -> list[Any]:
        """The conditions on a table's store, sales person and clerk (a case's assignee) columns."""
        where: list[Any] = []
        if self.store_id is not None:
            where.append(store == self.store_id)
        if self.sales_id is not None:
            where.append(sales == self.sales_id)
        if self.clerk_id is not None:
            mine = clerk == self.clerk_id
            where.append(or_(mine, clerk.is_(None)) if self.queue else mine)
        return where
