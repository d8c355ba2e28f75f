"""Long polling that confirms an update only after it is recorded.

Telegram forgets an update once a later ``getUpdates`` names an offset past it.
python-telegram-bot's updater asks for the next batch as soon as it has queued the
current one, before any handler ran, so a crash then lost the batch. This loop asks
for the next batch only after ``accept`` returned for every update of the current
one, and ``accept`` returns once the update is committed to the audit log and the
inbox. Both libraries use it, so both give the same guarantee; they still send.

Updates are read as the raw JSON Telegram sent, not through a library's models,
so an update a library could not parse is recorded as evidence all the same.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

import aiohttp

log = logging.getLogger(__name__)

Accept = Callable[[dict[str, Any]], Awaitable[None]]


class Poller:
    def __init__(self, *, api_url: str, token: str, accept: Accept, allowed_updates: Sequence[str],
                 timeout: int = 10, retry_first: float = 0.5, retry_max: float = 30.0) -> None:
        self._url = f"{api_url}{token}/getUpdates"
        self._accept = accept
        self._allowed = list(allowed_updates)
        self._timeout = timeout
        self._retry_first, self._retry_max = retry_first, retry_max
        self._offset: int | None = None
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self._timeout + 15))
        self._task = asyncio.create_task(self._run(), name="polling")

    async def stop(self) -> None:
        """Stop asking for updates. An update being accepted finishes first (it is one commit)."""
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        if self._session is not None:
            await self._session.close()

    async def _run(self) -> None:
        wait = self._retry_first
        while not self._stopping:
            try:
                updates = await self._fetch()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # network trouble, 5xx, 409 while another poller runs
                log.warning("getUpdates failed (%s); again in %.1fs", error, wait)
                await asyncio.sleep(wait)
                wait = min(wait * 2, self._retry_max)
                continue
            wait = self._retry_first
            for raw in updates:
                try:
                    # Shielded: a stop while an update is being committed lets that commit finish,
                    # so the update is either fully recorded or will come again.
                    await asyncio.shield(self._accept(raw if isinstance(raw, dict) else {"unreadable": raw}))
                except asyncio.CancelledError:
                    raise
                except Exception:
                    # Not confirmed: the offset stays before it, so Telegram sends it (and the rest
                    # of the batch) again; those already recorded are recognised by their update id.
                    log.exception("update could not be recorded; asking for it again in %.1fs", wait)
                    await asyncio.sleep(wait)
                    wait = min(wait * 2, self._retry_max)
                    break
                update_id = raw.get("update_id") if isinstance(raw, dict) else None
                if isinstance(update_id, int) and (self._offset is None or update_id >= self._offset):
                    self._offset = update_id + 1

    async def _fetch(self) -> list[Any]:
        assert self._session is not None
        params: dict[str, Any] = {"timeout": self._timeout, "allowed_updates": self._allowed}
        if self._offset is not None:
            params["offset"] = self._offset
        async with self._session.post(self._url, json=params) as response:
            body = await response.json(content_type=None)
        if not isinstance(body, dict) or not body.get("ok"):
            description = body.get("description") if isinstance(body, dict) else body
            raise RuntimeError(f"getUpdates answered {response.status}: {description}")
        result = body.get("result")
        return result if isinstance(result, list) else []
