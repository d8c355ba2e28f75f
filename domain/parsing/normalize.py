"""归一化: one canonical text form (NFKC, simplified characters) before any field is read.

Full-width digits and punctuation become ASCII through NFKC, traditional characters
become simplified through OpenCC, so every later rule is written once.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Callable

# A real chat message is far shorter; the cap keeps pathological input (10,000 chars of
# junk) from costing more than a normal message by more than a constant factor.
MAX_CHARS = 4000

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u2028\u2029\u2060\ufeff\ufffe\uffff]")
_SPACES = re.compile(r"[ \t\u3000\xa0]+")
_PUNCT = str.maketrans({"\r": "\n", "｡": "。", "×": "x", "✕": "x", "＊": "*", "～": "~", "〜": "~"})


def coerce_text(text: object) -> str:
    """Whatever arrives, make it a str without lone surrogates (OpenCC rejects those)."""
    if text is None:
        return ""
    if isinstance(text, (bytes, bytearray)):
        text = bytes(text).decode("utf-8", "replace")
    elif not isinstance(text, str):
        text = str(text)
    return text.encode("utf-8", "replace").decode("utf-8")


# Voice-to-text writes phone numbers as words (一三八一二三四五六七八); a run of seven or more
# digit words is a number, never a quantity (those have 十/百 or are one or two words long).
_SPOKEN_DIGITS = re.compile(r"[零〇一二三四五六七八九幺]{7,}")
_SPOKEN = str.maketrans("零〇一二三四五六七八九幺", "00123456789" + "1")


# A numbered list without labels (1.梁太 2.6677 8899 3.元朗...): the markers 1. 2. 3. in order,
# each at the start or after a space, are separators, not parts of the values (2.6677 is no size).
_LIST_MARK = re.compile(r"(?:(?<=^)|(?<=\s))(\d{1,2})\s*[.、)]")


def _unnumber(s: str) -> str:
    marks, want = [], 1
    for m in _LIST_MARK.finditer(s):
        if int(m.group(1)) == want:
            marks.append(m)
            want += 1
    if len(marks) < 3:
        return s
    out, last = [], 0
    for m in marks:
        out.append(s[last:m.start()])
        out.append("\n")
        last = m.end()
    out.append(s[last:])
    return "".join(out)


# Bracket labels (【客户】张三【电话】…, [交期]3.22, 〔付款〕全款) are field labels: each becomes a
# line of its own ending in a colon, so every labelled reader sees 客户:张三.
_BRACKET_LABEL = re.compile(r"\s*[【\[〔〖]\s*([^\]】〕〗\d\s]{1,6}?)\s*[】\]〕〗]\s*")


def _unbracket(s: str) -> str:
    if not any(c in s for c in "【[〔〖"):
        return s
    return _BRACKET_LABEL.sub(lambda m: f"\n{m.group(1)}:", s).lstrip("\n")


def plain_text(text: object) -> str:
    """The text before its characters are simplified: width, punctuation, control characters."""
    return _CONTROL.sub(" ", unicodedata.normalize("NFKC", coerce_text(text)[:MAX_CHARS]).translate(_PUNCT))


def normalize(text: object, to_simplified: Callable[[str], str]) -> str:
    return normalize_simplified(to_simplified(plain_text(text)))


def normalize_simplified(s: str) -> str:
    """:func:`normalize` of a :func:`plain_text` already simplified."""
    s = _SPOKEN_DIGITS.sub(lambda m: m.group().translate(_SPOKEN), s)
    s = _unnumber(s)
    s = _unbracket(s)
    s = _SPACES.sub(" ", s)
    return s.strip()


def as_typed(plain: str, simplified: str, value: str) -> str | None:
    """``value``, read from a message in simplified characters, as it was typed there (陳生 for 陈生,
    旺角彌敦道1號 for 旺角弥敦道1号): ``plain`` is the message's :func:`plain_text`, ``simplified`` that
    simplified. None when it was typed so already or is not in the text letter for letter (a value
    the reader put together, or a conversion that changed the text's length)."""
    if len(simplified) != len(plain) or (at := simplified.find(value)) < 0:
        return None
    typed = plain[at:at + len(value)]
    return typed if typed != value else None
