"""数字: quantities and day numbers written in Arabic or Chinese numerals (两张 -> 2, 十二个 -> 12)."""

from __future__ import annotations

import re
from functools import lru_cache

import cn2an

CN_DIGITS = "零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟"
CN_NUMBER = f"[{CN_DIGITS}]+"
# A quantity as written: 12, 1.5 is a spec not a count, so integers only here.
NUMBER = rf"(?:\d+|{CN_NUMBER})"

_SIMPLE = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_DIGITS_ONLY = re.compile(r"\d+")
# cn2an reads 十二 and 一百二 but wants 两 spelt 二 inside compounds.
_CN_ONLY = re.compile(CN_NUMBER)


@lru_cache(maxsize=512)
def _cn_to_int(s: str) -> int | None:
    if s in _SIMPLE:
        return _SIMPLE[s]
    try:
        value = cn2an.cn2an(s.replace("两", "二"), "smart")
    except Exception:  # cn2an raises plain ValueError/KeyError on anything it cannot read
        return None
    if isinstance(value, float):
        if not value.is_integer():
            return None
        value = int(value)
    return value if isinstance(value, int) else None


def to_int(s: str | None) -> int | None:
    """'12' / '十二' / '两' -> int; anything else -> None. Never raises."""
    if not s:
        return None
    s = s.strip()
    if _DIGITS_ONLY.fullmatch(s):
        return int(s) if len(s) <= 9 else None
    if _CN_ONLY.fullmatch(s) and len(s) <= 8:
        return _cn_to_int(s)
    return None
