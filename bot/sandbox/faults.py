"""Scripted failures of bot-side API methods, so tests can prove retry logic."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

_DESCRIPTIONS = {
    400: "Bad Request",
    403: "Forbidden: bot was blocked by the user",
    409: "Conflict",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}


@dataclass
class Fault:
    method: str = "*"  # "*" matches every bot API method
    status: int | None = None  # None: only the delay applies, then the call proceeds
    retry_after: int | None = None
    delay: float = 0.0
    times: int | None = 1  # None: never heals on its own
    description: str | None = None
    hits: int = field(default=0)

    def matches(self, method: str) -> bool:
        return self.method == "*" or self.method.lower() == method.lower()

    @property
    def exhausted(self) -> bool:
        return self.times is not None and self.hits >= self.times

    def error_body(self) -> dict[str, Any]:
        assert self.status is not None
        desc = self.description or _DESCRIPTIONS.get(self.status, "Error")
        if self.status == 429 and self.description is None:
            desc = f"Too Many Requests: retry after {self.retry_after or 1}"
        body: dict[str, Any] = {"ok": False, "error_code": self.status, "description": desc}
        if self.status == 429:
            body["parameters"] = {"retry_after": self.retry_after or 1}
        return body

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "status": self.status,
            "retry_after": self.retry_after,
            "delay": self.delay,
            "times": self.times,
            "description": self.description,
            "hits": self.hits,
        }


class FaultInjector:
    def __init__(self) -> None:
        self._faults: list[Fault] = []

    def add(
        self,
        method: str = "*",
        status: int | None = None,
        *,
        retry_after: int | None = None,
        delay: float = 0.0,
        times: int | None = 1,
        description: str | None = None,
    ) -> Fault:
        if status is None and delay <= 0:
            raise ValueError("a fault needs a status or a delay")
        if status == 429 and retry_after is None:
            retry_after = 1
        fault = Fault(method, status, retry_after, delay, times, description)
        self._faults.append(fault)
        return fault

    def take(self, method: str) -> Fault | None:
        """The first live fault for this method, counted as used; healed ones drop out."""
        for fault in self._faults:
            if fault.matches(method) and not fault.exhausted:
                fault.hits += 1
                self._faults = [f for f in self._faults if not f.exhausted]
                return fault
        return None

    def clear(self) -> None:
        self._faults.clear()

    def active(self) -> list[Fault]:
        return [f for f in self._faults if not f.exhausted]
