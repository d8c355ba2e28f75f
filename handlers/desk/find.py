"""查找: orders and after-sales cases by number, customer name or phone, as far as the person may see."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from handlers.context import Context
from handlers.orders.common import visible_filter
from handlers.reports.common import sees_contacts
from storage import aftersales as case_store
from storage import orders as order_store
from storage.models import AfterSalesCase, Order

SHORTEST = 2  # one character matches half the order book: ask for more


@dataclass
class Found:
    query: str
    orders: list[Order] = field(default_factory=list)
    cases: list[AfterSalesCase] = field(default_factory=list)
    contacts: bool = False  # phone and address shown (entitled roles only)
    too_short: bool = False


def needle(text: str) -> str:
    """What to look for: a phone typed with spaces or dashes is its digits."""
    text = text.strip()[:64]
    if re.fullmatch(r"[\d\s\-+()]+", text):
        return re.sub(r"\D", "", text)
    return text


async def find(ctx: Context, text: str) -> Found:
    query = needle(text)
    found = Found(query=query, contacts=sees_contacts(ctx))
    if len(query) < SHORTEST:
        found.too_short = bool(query)
        return found
    where = visible_filter(ctx.person)
    if where is None:
        return found
    spellings = ctx.spellings(query)
    found.orders = list(await order_store.find_numbered(ctx.session, query, spellings=spellings, **where))
    found.cases = list(await case_store.find_cases(ctx.session, query, spellings=spellings, **where))
    return found
