"""Telegram measures text in UTF-16 code units (an emoji outside the BMP counts 2).

Python counts code points, a terminal may count bytes; the three disagree for
CJK and emoji, so every limit check and cut goes through these two functions.
"""

from __future__ import annotations

import re

_SURROGATE = re.compile("[\ud800-\udfff]")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


def utf16_prefix(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` code units, cut between characters
    (so never between the two halves of an emoji)."""
    if len(text) * 2 <= limit or utf16_len(text) <= limit:
        return text
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:index]
    return text


def sendable(text: str) -> str:
    """``text`` with lone surrogates (which no UTF-8 encoder, so no HTTP request, can carry)
    replaced by U+FFFD; a bot answer quoting odd input must still go out."""
    return _SURROGATE.sub("\ufffd", text) if _SURROGATE.search(text) else text


def utf16_slice(text: str, offset: int, length: int) -> str:
    """The part of ``text`` a Telegram entity marks (offset and length in UTF-16 code units)."""
    head = utf16_prefix(text, offset)
    rest = text[len(head):]
    return utf16_prefix(rest, length)
