"""Group commit: items that arrive during a write go together in the next; a bad item fails alone."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from bot.group_commit import GroupCommit


class Store:
    """A fake database: each write is one transaction; it refuses a batch holding ``"bad"``."""

    def __init__(self) -> None:
        self.transactions: list[list[str]] = []
        self.gate = asyncio.Event()

    async def write_many(self, items: Sequence[str]) -> list[int]:
        await self.gate.wait()
        if "bad" in items:
            raise ValueError("refused")
        self.transactions.append(list(items))
        return [len(item) for item in items]


async def test_items_that_come_during_a_write_share_the_next_transaction() -> None:
    store = Store()
    commits: GroupCommit[str, int] = GroupCommit(store.write_many)
    first = asyncio.ensure_future(commits.write("a"))
    await asyncio.sleep(0)  # the first write is under way, waiting on the gate
    later = [asyncio.ensure_future(commits.write(x)) for x in ("bb", "ccc", "dddd")]
    await asyncio.sleep(0)
    store.gate.set()
    assert await first == 1
    assert [await f for f in later] == [2, 3, 4]
    assert store.transactions == [["a"], ["bb", "ccc", "dddd"]]


async def test_a_refused_item_fails_only_its_own_caller() -> None:
    store = Store()
    commits: GroupCommit[str, int] = GroupCommit(store.write_many)
    store.gate.set()
    results = await asyncio.gather(*(commits.write(x) for x in ("x", "bad", "yy")), return_exceptions=True)
    assert results[0] == 1 and results[2] == 2
    assert isinstance(results[1], ValueError)
    # Written together first; refused; then each on its own (the good ones once each).
    assert store.transactions == [["x"], ["yy"]]


async def test_a_cancelled_caller_does_not_stop_the_others() -> None:
    store = Store()
    commits: GroupCommit[str, int] = GroupCommit(store.write_many)
    first = asyncio.ensure_future(commits.write("a"))
    await asyncio.sleep(0)
    gone = asyncio.ensure_future(commits.write("bb"))
    kept = asyncio.ensure_future(commits.write("ccc"))
    await asyncio.sleep(0)
    gone.cancel()
    store.gate.set()
    assert await first == 1 and await kept == 3
    with pytest.raises(asyncio.CancelledError):
        await gone
    assert store.transactions == [["a"], ["bb", "ccc"]]  # what was asked is written all the same
