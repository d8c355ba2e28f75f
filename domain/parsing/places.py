"""送货地址: the delivery place as written, without its label (地址/送到/交货地点)."""

from __future__ import annotations

import re

from .spans import MASK, Found

_LABEL = re.compile(
    r"(?:送货地址|收货地址|安装地址|交货地址|配送地址|送货地点|交货地点|安装地点|地址|地点|住址|"
    r"送到|送去|送至|送往|送货到|地址|address|addr)\s*(?:改为|改成|改到|改做|改去|换成|更改为|是|在)?\s*[:]?\s*",
    re.I,
)
_END = re.compile(rf"[,;|\n。!?{MASK}]")
# Words a place is made of; one of these (with a digit, or two of them) makes a chunk an address.
_PLACE = re.compile(
    r"省|市|区|县|镇|乡|村|街道|大街|街|路|大道|道|巷|弄|号|楼|栋|幢|座|室|大厦|广场|花园|小区|公寓|"
    r"中心|新村|苑|庭|府|湾|城|坊|围|屯|段|邨|厦|园|里|期|单元|层|铺|Road|Rd|Street|St\b|Avenue|Ave|Lane|Building|Tower|Flat|Floor",
    re.I,
)
_LEAD = re.compile(r"^(?:应该是|应是|改为|改成|改到|改做|改去|换成|更改为|送货到|送到|送去|送至|送往|送货|送|地址|在|去|到|是|为|:|\s)+")
_TRAIL = re.compile(r"(?:送货|送|安装|交货|的|吧)+$")
_DIGIT = re.compile(r"\d")
_NOT_PLACE = re.compile(r"写错|不变|不对|错了|一样|同上")
# The end of a house number (168号, 8楼, 3座1206); voice-to-text runs the order on after it
# without a comma (江南大道中168号她要一个实木五斗柜...).
_HOUSE_END = re.compile(r"\d+[A-Za-z]?\s*(?:号楼|号|室|楼|层|座|栋|幢|铺)(?:\s*\d+[A-Za-z]?\s*(?:号楼|号|室|楼|层|座|栋|幢|铺)?)*")


def cut_run_on(value: str) -> str:
    """Drop what follows the last house number when it starts with a word and is no place."""
    for m in reversed(list(_HOUSE_END.finditer(value))):
        rest = value[m.end():]
        if not rest.strip():
            return value
        if "\u4e00" <= rest.lstrip()[0] <= "\u9fff" and place_score(rest) == 0:
            return value[:m.end()]
        return value
    return value


def place_score(chunk: str) -> int:
    """How much a chunk looks like an address: 0 means not at all."""
    if len(chunk) < 4 or _NOT_PLACE.search(chunk):
        return 0
    marks = len(_PLACE.findall(chunk))
    digits = bool(_DIGIT.search(chunk))
    if marks == 0 or (marks == 1 and not digits):
        return 0
    return marks * 2 + digits


def clean(chunk: str) -> str:
    chunk = chunk.strip(" :-~>*#@.\"'“”")
    chunk = _LEAD.sub("", chunk)
    chunk = _TRAIL.sub("", chunk)
    return chunk.strip(" :-,")


_EN_PART = re.compile(
    r"\s*(?!(?:deliver|delivery|paid|pay|full|cod|deposit|tel|phone|mobile|customer|name)\b)"
    r"[A-Za-z0-9][A-Za-z0-9 .'\-/]*(?=$|[,;|\n])", re.I)


def labelled(text: str) -> list[Found[str]]:
    found = []
    for m in _LABEL.finditer(text):
        end = _END.search(text, m.end())
        stop = end.start() if end else len(text)
        # English addresses keep their commas: Flat 5B, 23 Kent Road, Kowloon Tong
        while (text[m.end():stop].strip().isascii() and stop < len(text) and text[stop] == ","
               and (nxt := _EN_PART.match(text, stop + 1))):
            stop = nxt.end()
        value = text[m.end():stop]
        # 地址 天河路1号 张三: a space ends the address when what follows is not more of it.
        parts = value.split(" ")
        keep = [parts[0]]
        for part in parts[1:]:
            if part and place_score(part) == 0 and not re.fullmatch(r"[\dA-Za-z\-']+(?:室|楼|号)?,?", part):
                break
            keep.append(part)
        raw = cut_run_on(" ".join(keep))
        value = clean(raw.strip())
        if value and place_score(value):
            found.append(Found(m.start(), m.end() + len(raw), value))
    return found
