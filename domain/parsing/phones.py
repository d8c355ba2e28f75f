"""电话: customer phone numbers of the mainland, Taiwan, Hong Kong and Macau, digits only.

A leading + is kept (the contract compares +8613812345678 and 13812345678 as different).
"""

from __future__ import annotations

import re

from .spans import Found

_SEP = r"[ \-.]?"
_PATTERNS = (
    # +86 138 2233 4455 / +852 6123 4567 / +886 912 345 678 / +853 6612 3456
    re.compile(rf"\+\s?(?:86{_SEP}1[3-9]\d(?:{_SEP}\d){{8}}|852{_SEP}\d(?:{_SEP}\d){{7}}"
               rf"|853{_SEP}\d(?:{_SEP}\d){{7}}|886{_SEP}0?9\d(?:{_SEP}\d){{7}})(?!\d)"),
    # 0086 / 86- prefixed mainland mobiles written without +
    re.compile(rf"(?<![\d+])(?:00)?86[ \-]1[3-9]\d(?:{_SEP}\d){{8}}(?!\d)"),
    # mainland mobile: 13812345678, 138 1234 5678, 138-1234-5678
    re.compile(rf"(?<![\d.])1[3-9]\d(?:{_SEP}\d){{8}}(?![\d])"),
    # Taiwan mobile: 0912-345-678, 0912345678
    re.compile(rf"(?<![\d.])09\d{{2}}{_SEP}\d{{3}}{_SEP}\d{{3}}(?!\d)"),
    # landlines with an area code: 020-12345678, 0757-2233 4455, 02-2345-6789
    re.compile(r"(?<![\d.])0\d{1,3}[ \-]\d{3,4}[ \-]?\d{4}(?!\d)"),
    re.compile(r"(?<![\d.])0\d{2,3}-\d{7,8}(?!\d)"),
)
# Hong Kong / Macau numbers have no prefix: eight digits (a slash-separated record may put one
# between slashes, 李小姐/6234 5678/...; a line break ends it, and 元朗 is a district, not 元). Mobiles (5/6/7/9) are taken anywhere,
# other numbers only behind a phone label, since 8 bare digits may also be an amount.
_HK_MOBILE = re.compile(r"(?<![\d.\-金款价¥$])(?<!\d/)(?<![金款价¥$] )[5679]\d{3}[ \-]?\d{4}(?![\d.]|[ \t]*(?:元(?!朗)|块|蚊|港币|号|x))")
_HK_LABELLED = re.compile(
    r"(?:电话|手机|联系|tel|phone|mobile|whatsapp|wa|call)[^\d\n]{0,6}([2-9]\d{3}[ \-]?\d{4})(?!\d)", re.I)


def _digits(s: str) -> str:
    plus = s.lstrip().startswith("+")
    d = "".join(c for c in s if c.isdigit())
    return "+" + d if plus else d


def find_phones(text: str) -> list[Found[str]]:
    found: list[Found[str]] = []

    def taken(a: int, b: int) -> bool:
        return any(f.start < b and a < f.end for f in found)

    for pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if not taken(m.start(), m.end()):
                found.append(Found(m.start(), m.end(), _digits(m.group(0))))
    for m in _HK_LABELLED.finditer(text):
        if not taken(m.start(1), m.end(1)):
            found.append(Found(m.start(1), m.end(1), _digits(m.group(1))))
    for m in _HK_MOBILE.finditer(text):
        if not taken(m.start(), m.end()):
            found.append(Found(m.start(), m.end(), _digits(m.group(0))))
    found.sort(key=lambda f: f.start)
    return found
