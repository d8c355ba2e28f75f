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
        where: list[Any] = []
        if self.store_id is not None:
            where.append(Order.store_id == self.store_id)
        if self.sales_id is not None:
            where.append(Order.sales_id == self.sales_id)
        if self.clerk_id is not None:
            mine = Order.clerk_id == self.clerk_id
            where.append(or_(mine, Order.clerk_id.is_(None)) if self.queue else mine)
        return where

    def cases(self) -> list[Any]:
        where: list[Any] = []
        if self.store_id is not None:
            where.append(AfterSalesCase.store_id == self.store_id)
        if self.sales_id is not None:
            where.append(AfterSalesCase.sales_id == self.sales_id)
        if self.clerk_id is not None:
            mine = AfterSalesCase.assignee_id == self.clerk_id
            where.append(or_(mine, AfterSalesCase.assignee_id.is_(None)) if self.queue else mine)
        return where
