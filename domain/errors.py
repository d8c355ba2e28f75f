"""Domain errors: a machine-readable code plus parameters, never a sentence.

The app's message catalogue turns ``code`` + ``params`` into zh-CN / zh-TW / en
text; keeping prose out of here means one rule change never needs three
translations edited in the core.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any, Mapping


class DomainError(Exception):
    """A business rule said no (业务规则拒绝).

    ``code`` is dotted, ``<subject>.<reason>`` (e.g. ``"order.not_complete"``);
    ``params`` carry what a message needs to be specific (state, dates, amounts).
    """

    code: str
    params: Mapping[str, Any]

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = MappingProxyType(dict(params))

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"DomainError({self.code!r}{', ' if inner else ''}{inner})"

    def __str__(self) -> str:
        return repr(self)
