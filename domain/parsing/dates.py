"""交货日期: delivery dates, resolved against the message's own timestamp (never the wall clock).

Conventions (corpus/README): weeks start on Monday; 这周五/礼拜五 is Friday of the sending week,
下周六 Saturday of the next, 下下周一 Monday two weeks on; 月底 is the last day of the sending
month; 元旦 is 1 January, 元月 January; a date without a year is the next such date on or after
the sending day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .numerals import to_int
from .spans import Found, is_new, is_old

_D = r"(?:\d{1,2}|[一二三四五六七八九十]{1,3})"  # a day or month number
_WEEKDAY = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
            "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_EN_WEEKDAY = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_EN_MONTH = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}

# What may sit right after a bare date (12.20 / 20号) for it to be a date and not a size or a
# house number: a delivery verb, a time of day, a separator, or the end.
_AFTER = r"(?=$|[\s,;|)。!?~、]|送|交|安装|装|到|上门|发|出|前|之前|左右|上午|下午|晚上|早上|中午|可以|能|吗|或|至|-|号|日)"
# ...or a word that leads a date (等2/11再送, 押后到11/29, 预计3/2配送)
_BEFORE_BARE = r"(?:(?<=^)|(?<=[\s,;:|(\x1f/等到至于在约计期]))"

# 节日: fixed-date holidays, and the Spring Festival by year (元宵 = 春节 + 14, 除夕 = 春节 - 1).
_SPRING_FESTIVAL = {2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6),
                    2028: date(2028, 1, 26), 2029: date(2029, 2, 13), 2030: date(2030, 2, 3)}
_FIXED_HOLIDAYS = {"元旦": (1, 1), "新年": (1, 1), "平安夜": (12, 24), "圣诞": (12, 25), "情人节": (2, 14),
                   "劳动节": (5, 1), "五一": (5, 1), "国庆": (10, 1), "十一": (10, 1)}
_LUNAR_OFFSET = {"春节": 0, "过年": 0, "大年初一": 0, "除夕": -1, "年三十": -1, "元宵": 14}
_HOLIDAY = (r"(元旦|新年|平安夜|圣诞|情人节|劳动节|五一|国庆|春节|过年|大年初一|除夕|年三十|元宵)(?:节)?")
# How long ago a holiday may be for 元旦后第一个周一 to still mean that one.
_HOLIDAY_LOOKBACK = timedelta(days=10)

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("holiday_rel", re.compile(
        _HOLIDAY + r"\s*(?:(?:过)?(?:后|之后|以后|过后)\s*的?\s*第一个\s*(?:周|星期|礼拜|拜)\s*([一二三四五六日天])"
        r"|(前一天|前一日|后一天|后一日|当天|当日|那天))?")),
    ("days_later", re.compile(rf"({_D}|两)\s*(天|日|个?(?:星期|礼拜|周))\s*(?:之?后|以后)")),
    ("ymd", re.compile(r"(?<!\d)(\d{4})\s*[年./-]\s*(\d{1,2})\s*[月./-]\s*(\d{1,2})(?:\s*[日号])?(?!\d)")),
    ("md_cn", re.compile(rf"({_D}|元|正)\s*月(?:份)?\s*({_D})\s*(?:[日号]|(?=\D)|$)")),
    ("md_num", re.compile(rf"{_BEFORE_BARE}(\d{{1,2}})\s*[/.]\s*(\d{{1,2}})(?!\d|[/.]\d|\s*(?:米|m|cm|厘米|mm|毫米|尺|寸|公斤|kg|元|块|%|万|寸|门|人)|\s*[x*]\s*\d)")),
    ("md_en", re.compile(r"(?<![a-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*(\d{1,2})(?:st|nd|rd|th)?(?!\d)", re.I)),
    ("dm_en", re.compile(r"(?<!\d)(\d{1,2})(?:st|nd|rd|th)?\s*(?:of\s+)?(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*(?![a-z])", re.I)),
    ("next_month_day", re.compile(rf"下个?月\s*({_D})\s*[日号]")),
    ("month_end", re.compile(r"(下个?|本|这个?|今)?月[底尾]|(?<![a-z])end of (?:the )?(next )?month", re.I)),
    ("new_year", re.compile(r"元旦")),
    ("rel_day", re.compile(r"大后天|大后日|后天|后日|明天|明日|听日|今天|今日|当天|day after tomorrow|tomorrow|today|tmr|tmrw", re.I)),
    ("week", re.compile(r"(下下|下|这|本|今|上)?个?(?:周|星期|礼拜|拜)\s*([一二三四五六日天末1-7])(?!\d)")),
    ("week_en", re.compile(r"(?<![a-z])(next |this |coming )?(mon|tue|wed|thu|fri|sat|sun)(?:day|s|\.|nesday|sday|urday|rsday)?(?![a-z])", re.I)),
    # A bare 20号 is a date only when a delivery word or a date label says so; otherwise it is as
    # likely a house number (弥敦道 1号, 天河路1号).
    ("day", re.compile(rf"(?<![路街道巷弄里村楼栋区座室场园苑号\d])({_D})\s*[号日]"
                       rf"(?=\s*(?:送|交|安装|装|到|上门|发|出货|前|之前|左右|上午|下午|晚上|早上|中午|可以|能))")),
    ("day", re.compile(rf"(?:日期|送货|交货|安装|送|交|在|于|到|改到|改成|改为|改|定|约|date)\s*[:]?\s*({_D})\s*[号日]{_AFTER}", re.I)),
    ("day", re.compile(r"(?<![a-z\d])(?:on\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)(?![a-z])(?!\s*(?:of\s+)?[a-z]{3})", re.I)),
)

# A date the message names but not as the delivery: when the order was placed or paid.
# (used with .match(text, end): no ^, which would only match at the start of the text)
_NOT_DELIVERY_AFTER = re.compile(
    r" ?(?:下的?单|下单|订的|买的|付的|签的|到店|来店|开的单)|付款(?![方式:])"
    # 今天下午高洁在我们店定了…: the day the order was taken, with the customer between
    r"|[^,;:。\n送交装到]{0,12}(?:定了|订了|定咗|订咗|落咗单|下了单|下单了|买了)")


def _on_or_after(today: date, month: int, day: int) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if d >= today:
            return d
    return None


def _last_day(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _next_month(today: date) -> tuple[int, int]:
    return (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)


def _resolve(kind: str, m: re.Match[str], today: date) -> date | None:
    g = m.groups()
    if kind == "ymd":
        try:
            return date(int(g[0]), int(g[1]), int(g[2]))
        except ValueError:
            return None
    if kind == "md_cn":
        month = 1 if g[0] in ("元", "正") else to_int(g[0])
        day = to_int(g[1])
        return _on_or_after(today, month, day) if month and day else None
    if kind == "md_num":
        first, second = int(g[0]), int(g[1])
        if first > 12 >= second:  # 20/1: Hong Kong and English write day/month
            first, second = second, first
        return _on_or_after(today, first, second)
    if kind == "md_en":
        return _on_or_after(today, _EN_MONTH[g[0].lower()[:3]], int(g[1]))
    if kind == "dm_en":
        return _on_or_after(today, _EN_MONTH[g[1].lower()[:3]], int(g[0]))
    if kind == "next_month_day":
        y, mo = _next_month(today)
        day = to_int(g[0])
        try:
            return date(y, mo, day) if day else None
        except ValueError:
            return None
    if kind == "month_end":
        if (g[0] or "").startswith("下") or g[1]:
            return _last_day(*_next_month(today))
        return _last_day(today.year, today.month)
    if kind == "new_year":
        return _on_or_after(today, 1, 1)
    if kind == "holiday_rel":
        holiday = _holiday(g[0], today)
        if holiday is None:
            return None
        if g[1]:
            d = holiday + timedelta(days=1)
            while d.weekday() != _WEEKDAY[g[1]]:
                d += timedelta(days=1)
            return d
        shift = {"前一天": -1, "前一日": -1, "后一天": 1, "后一日": 1}.get(g[2], 0)
        return holiday + timedelta(days=shift)
    if kind == "days_later":
        n = 2 if g[0] == "两" else to_int(g[0])
        if not n or n > 60:
            return None
        return today + timedelta(days=n * (1 if g[1] in ("天", "日") else 7))
    if kind == "rel_day":
        word = m.group(0).lower()
        if word.startswith("大后") or word == "day after tomorrow":
            return today + timedelta(days=3 if word.startswith("大") else 2)
        if word in ("后天", "后日"):
            return today + timedelta(days=2)
        if word in ("明天", "明日", "听日", "tomorrow", "tmr", "tmrw"):
            return today + timedelta(days=1)
        return today
    if kind == "week":
        prefix, wd = g
        weeks = {"下下": 2, "下": 1, "上": -1}.get(prefix or "", 0)
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=7 * weeks + _WEEKDAY[wd])
    if kind == "week_en":
        prefix = (g[0] or "").strip().lower()
        monday = today - timedelta(days=today.weekday())
        return monday + timedelta(days=(7 if prefix == "next" else 0) + _EN_WEEKDAY[g[1].lower()])
    if kind == "day":
        day = to_int(g[0])
        if not day or day > 31:
            return None
        y, mo = today.year, today.month
        for _ in range(3):  # the 31st may need to skip a short month
            try:
                d = date(y, mo, day)
                if d >= today:
                    return d
            except ValueError:
                pass
            y, mo = (y + 1, 1) if mo == 12 else (y, mo + 1)
        return None
    return None


def _holiday(name: str, today: date) -> date | None:
    """The holiday of that name nearest after ``today`` (or just past: 元旦后 said on 2 January)."""
    candidates = []
    for year in (today.year - 1, today.year, today.year + 1):
        if name in _FIXED_HOLIDAYS:
            month, day = _FIXED_HOLIDAYS[name]
            candidates.append(date(year, month, day))
        elif year in _SPRING_FESTIVAL:
            candidates.append(_SPRING_FESTIVAL[year] + timedelta(days=_LUNAR_OFFSET[name]))
    upcoming = [d for d in candidates if d >= today - _HOLIDAY_LOOKBACK]
    return min(upcoming) if upcoming else None


# Cheap gates: a pattern is only run when its key characters occur in the text at all.
_NEEDS = {
    "holiday_rel": "元新平圣情劳五国十春过大除年", "days_later": "后",  # narrowed by _GATES below
    "ymd": "0123456789", "md_cn": "月", "md_num": "0123456789", "md_en": "aAeEoOuU",
    "dm_en": "aAeEoOuU", "next_month_day": "月", "month_end": "底尾dD", "new_year": "旦",
    "rel_day": "天日tT", "week": "周期拜", "week_en": "aAeEoOuU", "day": "号日tThHnNrR",
}


# Patterns whose key characters are common (年, 十, 后) are gated on whole words instead.
_GATES = {
    "holiday_rel": ("元旦", "新年", "平安夜", "圣诞", "情人节", "劳动节", "五一", "国庆", "十一", "春节", "过年",
                    "大年初一", "除夕", "年三十", "元宵"),
    "days_later": ("天后", "天之后", "天以后", "日后", "周后", "期后", "拜后", "周之后", "期之后", "拜之后"),
}


def find_dates(text: str, today: date) -> list[Found[date]]:
    """Every date the text names, resolved; overlapping readings keep the earlier pattern."""
    found: list[Found[date]] = []
    claimed: list[tuple[int, int]] = []  # 2月30号 is a bad date, not "30号" of this month
    chars = set(text)
    for kind, pattern in _PATTERNS:
        if chars.isdisjoint(_NEEDS[kind]) or (kind in _GATES and not any(w in text for w in _GATES[kind])):
            continue
        for m in pattern.finditer(text):
            start, end = m.span()
            if start == end or any(a < end and start < b for a, b in claimed):
                continue
            claimed.append((start, end))
            value = _resolve(kind, m, today)
            if value is None or _NOT_DELIVERY_AFTER.match(text, end):
                continue
            found.append(Found(start, end, value))
    found.sort(key=lambda f: f.start)
    return found


def pick_delivery(text: str, found: list[Found[date]]) -> Found[date] | None:
    """The date the message wants delivery on: the new one of old/new, else the first."""
    if not found:
        return None
    for f in found:
        if is_new(text, f.start):
            return f
    # 从12月15日改到12月20日: a date followed by a change verb is the old one.
    current = [f for f in found if not is_old(text, f.start) and not _followed_by_change(text, f.end)]
    return (current or found)[0]


_CHANGE_AFTER = re.compile(r"^\s*(?:的?改到|的?改成|的?改为|改|推迟|延期|延到|提前|换到)")


def _followed_by_change(text: str, end: int) -> bool:
    return bool(_CHANGE_AFTER.match(text, end))
