"""接单核对: what a draft order and the answers that fill it are checked for before a clerk sees them.

An answer to one of the bot's questions is read as the field it answers: a name is
not a number or invisible text, a phone is a phone, a delivery date is not in the
past. A draft with implausibly many lines or pieces, the same line pasted over and
over, an unknown material (which silently takes the longer lead time), a date on a
day nobody works, or the same order sent twice is not refused — the card says what
looks off and the sender confirms or corrects it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Protocol, Sequence

from domain.policy.calendar import WorkingCalendar
from domain.policy.intake import Material, lead_days, material_of
from domain.policy.placement import placement_day
from domain.policy.settings import IntakeChecks, LeadTimeRules

NAME_MAX = 30
ADDRESS_MAX = 120
TEXT_SHOWN = 20  # characters of a refused answer quoted back


class LineLike(Protocol):
    product: str
    material: str | None
    quantity: int
    spec: str | None


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the card points out: a catalogue code plus what it names.

    ``line`` is the 1-based position of the line it is about, if any; ``day`` a date
    it is about; ``other_day`` the suggested date; ``count`` / ``limit`` the figures.
    """

    code: str
    line: int | None = None
    count: int = 0
    limit: int = 0
    day: date | None = None
    other_day: date | None = None


# -- answers to the bot's questions -------------------------------------------------------

def visible(text: str) -> str:
    """The text a person sees: control, format (zero-width, BOM, direction marks) and unassigned
    characters dropped, runs of white space made one space."""
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C")
    return " ".join(kept.split())


def quoted(text: str) -> str:
    """A refused answer as it is quoted back: visible characters only, shortened."""
    shown = visible(text)
    return shown if len(shown) <= TEXT_SHOWN else shown[:TEXT_SHOWN] + "…"


def _has_letters(text: str) -> bool:
    return any(unicodedata.category(ch).startswith("L") for ch in text)


def name_problem(text: str) -> str | None:
    """Why ``text`` is not a customer name (客户姓名), or None when it may be one."""
    shown = visible(text)
    if not shown:
        return "invisible"
    if not _has_letters(shown):
        return "no_letters"  # 061068232259, "???"
    if sum(ch.isdigit() for ch in shown) >= 3:
        return "has_number"
    if len(shown) > NAME_MAX:
        return "too_long"
    return None


def address_problem(text: str) -> str | None:
    """Why ``text`` is not a delivery address (送货地址), or None when it may be one."""
    shown = visible(text)
    if not shown:
        return "invisible"
    if not _has_letters(shown):
        return "no_letters"
    if len(shown) < 2:
        return "too_short"
    if len(shown) > ADDRESS_MAX:
        return "too_long"
    return None


def phone_problem(text: str) -> str:
    """Why ``text`` that the phone reader did not take is not a phone number (电话)."""
    shown = visible(text)
    if not shown:
        return "invisible"
    digits = sum(ch.isdigit() for ch in shown)
    if digits == 0:
        return "no_digits"
    return "wrong_length"


def digit_count(text: str) -> int:
    return sum(ch.isdigit() for ch in visible(text))


def delivery_date_problem(day: date, today: date, checks: IntakeChecks) -> str | None:
    """A delivery date (送货日期) that cannot be meant: already past, or implausibly far ahead."""
    if day < today:
        return "in_past"
    if day > today + timedelta(days=checks.max_delivery_days_ahead):
        return "too_far"
    return None


# -- plausibility of a draft ---------------------------------------------------------------

def _line_key(line: LineLike) -> tuple[str, str | None, str | None, int]:
    return (line.product, material_of(line.material), (line.spec or "").strip() or None, line.quantity)


def plausibility(lines: Sequence[LineLike], checks: IntakeChecks) -> tuple[Finding, ...]:
    """What about the lines looks like a mistake: too many lines, too many pieces, lines repeated."""
    found: list[Finding] = []
    if len(lines) > checks.max_lines:
        found.append(Finding("too_many_lines", count=len(lines), limit=checks.max_lines))
    large = [(i, line) for i, line in enumerate(lines, start=1) if line.quantity > checks.max_quantity_per_line]
    for i, line in large[:3]:  # three examples say enough
        found.append(Finding("quantity_too_large", line=i, count=line.quantity, limit=checks.max_quantity_per_line))
    counts = Counter(_line_key(line) for line in lines)
    first_of: dict[tuple[str, str | None, str | None, int], int] = {}
    for i, line in enumerate(lines, start=1):
        first_of.setdefault(_line_key(line), i)
    for key, count in counts.items():
        if count > checks.max_identical_lines:
            found.append(Finding("repeated_line", line=first_of[key], count=count, limit=checks.max_identical_lines))
    return tuple(found)


def same_items(a: Iterable[LineLike], b: Iterable[LineLike]) -> bool:
    """Two orders carry the same goods (order of lines aside) — the mark of an order sent twice."""
    return Counter(_line_key(line) for line in a) == Counter(_line_key(line) for line in b)


# -- materials and dates ----------------------------------------------------------------------

def assumed_material(lead: LeadTimeRules) -> Material | None:
    """The material whose lead time an unknown material is counted with (None: neither)."""
    if lead.unknown_material_days == lead.solid_days:
        return Material.solid
    if lead.unknown_material_days == lead.panel_days:
        return Material.panel
    return None


def unknown_material_lines(lines: Sequence[LineLike]) -> tuple[int, ...]:
    """Positions (1-based) of the lines whose material (材质) the message did not name."""
    return tuple(i for i, line in enumerate(lines, start=1) if material_of(line.material) is None)


_LINE_NUMBERS = r"(?:第\s*)?(\d{1,3}(?:\s*[,，、/和及]\s*(?:第\s*)?\d{1,3})*)\s*[项行个件条]?"
_MATERIAL_ANSWER = re.compile(
    rf"^(?:{_LINE_NUMBERS}\s*[:：.、]?\s*)?(?:(?:都|全|全部|全都|均)\s*)?(?:是|为|改为|改成|用)?\s*"
    r"(?P<word>全实木|纯实木|实木|實木|原木|板木|板式|板材|密度板|颗粒板|多层板|solid(?: wood)?|panel)\s*(?:的)?\s*[。.!！]?$",
    re.I)


@dataclass(frozen=True, slots=True)
class MaterialAnswer:
    """「板木」 / 「2 板木」 / 「1、3 实木」: the material for some lines (None: every line not yet named)."""

    material: Material
    lines: tuple[int, ...] | None


def read_material_answer(text: str) -> MaterialAnswer | None:
    """A message that only names a material (and maybe line numbers), as a correction of the draft."""
    match = _MATERIAL_ANSWER.match(visible(text))
    if match is None:
        return None
    material = material_of(match.group("word"))
    if material is None:
        return None
    numbers = match.group(1)
    lines = tuple(int(n) for n in re.findall(r"\d+", numbers)) if numbers else None
    return MaterialAnswer(Material(material), lines)


def date_findings(*, delivery_date: date | None, order_date: date | None,
                  calendar: WorkingCalendar, today: date | None = None) -> tuple[Finding, ...]:
    """Dates on a day nobody works (休息日/节假日): the delivery date, and the order date — whose
    placement then falls on the previous working day (see ``placement_day``). An order date that
    has passed (``today`` given) is the short-lead-time warning's business, not this one's: a
    placement day in the past is no advice."""
    found: list[Finding] = []
    if delivery_date is not None and not calendar.is_working_day(delivery_date):
        found.append(Finding("delivery_not_working_day", day=delivery_date))
    passed = today is not None and order_date is not None and order_date < today
    if order_date is not None and not passed and not calendar.is_working_day(order_date):
        found.append(Finding("order_date_not_working_day", day=order_date,
                             other_day=placement_day(order_date, calendar)))
    return tuple(found)


def lead_time_basis(lines: Sequence[LineLike], lead: LeadTimeRules) -> int:
    """The lead time (days) the order date was counted with: the longest of its lines."""
    return max((lead_days(line.material, lead) for line in lines), default=lead.unknown_material_days)
