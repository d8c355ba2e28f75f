"""文本片段: found values with their place in the message, and which one the message means.

Staff correct themselves (电话改成…, 名字是孙丽不是孙莉); the corpus convention is to keep the
corrected value, else the first one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Generic, Sequence, TypeVar

T = TypeVar("T")

# Looking back a few characters from a value tells whether it is the old or the new one.
_OLD_BEFORE = re.compile(r"(?:不是|原来是?|原定|原本|原先|之前是?|旧的?|本来是?|而不是|from)\s*[:]?\s*$", re.I)
_NEW_BEFORE = re.compile(
    r"(?:改成|改为|改到|改去|改做|改作|换成|换到|变成|更改为|更正为|更新为|应该是|应是|应为|正确的?是|"
    r"新的?|推迟到|延期到|延到|提前到|挪到|调到|to)\s*[:]?\s*$",
    re.I,
)
_LOOKBACK = 8

MASK = "\x1f"  # stands in for text already read, so later readers cannot read it twice


@dataclass(frozen=True)
class Found(Generic[T]):
    start: int
    end: int
    value: T


def is_old(text: str, start: int) -> bool:
    return bool(_OLD_BEFORE.search(text[max(0, start - _LOOKBACK):start]))


def is_new(text: str, start: int) -> bool:
    return bool(_NEW_BEFORE.search(text[max(0, start - _LOOKBACK):start]))


def pick_current(text: str, found: Sequence[Found[T]]) -> Found[T] | None:
    """The corrected value if the message gives one, else the first value not marked old."""
    if not found:
        return None
    for f in found:
        if is_new(text, f.start):
            return f
    for f in found:
        if not is_old(text, f.start):
            return f
    return found[0]


def mask(text: str, spans: Sequence[Found[Any]]) -> str:
    if not spans:
        return text
    for f in spans:
        text = text[:f.start] + MASK * (f.end - f.start) + text[f.end:]
    return text
