"""The sandbox's notion of "now": real time shifted by an adjustable offset.

The bot in sandbox mode uses this very object as its Clock, so a demo can
fast-forward to tomorrow's deadline without waiting for it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SandboxClock:
    def __init__(self, offset: timedelta = timedelta(0)) -> None:
        self._offset = offset

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset

    @property
    def offset(self) -> timedelta:
        return self._offset

    def set(self, when: datetime) -> None:
        if when.tzinfo is None:
            # A naive time is ambiguous; refusing beats silently guessing a zone.
            raise ValueError("SandboxClock.set needs a timezone-aware datetime")
        self._offset = when - datetime.now(UTC)

    def advance(self, delta: timedelta) -> None:
        self._offset += delta

    def reset(self) -> None:
        self._offset = timedelta(0)

    def timestamp(self) -> int:
        return int(self.now().timestamp())
