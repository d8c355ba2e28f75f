"""Group commit: what arrives while one write is under way is written together by the next.

Telegram keeps up to 40 webhook requests open at once, and each waits until its update is
committed. Written one transaction each, a burst holds a database connection per request
(three instances ask PostgreSQL for more than its 100) and queues them all for the audit
chain's lock. Here there is one write at a time: the first caller's items go at once, and
everything that comes meanwhile goes in the next transaction — one connection, one turn of
the chain's lock and one commit for the lot. A batch that fails is written again one item
at a time, so one item the database refuses fails only its own caller.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class GroupCommit(Generic[T, R]):
    def __init__(self, write_many: Callable[[Sequence[T]], Awaitable[Sequence[R]]], *, most: int = 64) -> None:
        self._write_many = write_many
        self._most = most  # items in one transaction at the most
        self._waiting: list[tuple[T, asyncio.Future[R]]] = []
        self._writer: asyncio.Task[None] | None = None

    async def write(self, item: T) -> R:
        """Write ``item`` with whatever else is waiting; its result once the transaction committed."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._writer is None or self._writer.done():
            self._writer = asyncio.create_task(self._drain(), name="group-commit")
        return await future

    async def _drain(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting[:self._most], self._waiting[self._most:]
            try:
                await self._settle(batch)
            except BaseException as error:  # cancelled at shutdown: no caller is left hanging
                for _, future in batch + self._waiting:
                    if not future.done():
                        future.set_exception(error)
                self._waiting = []
                raise

    async def _settle(self, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            results = await self._write_many([item for item, _ in batch])
        except Exception as error:
            if len(batch) == 1:
                if not batch[0][1].done():  # done: its caller gave up (cancelled)
                    batch[0][1].set_exception(error)
                return
            for entry in batch:  # each on its own: only the item at fault fails
                await self._settle([entry])
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():  # done: its caller gave up (cancelled); the write stands
                future.set_result(result)

