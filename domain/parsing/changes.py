"""改单提示: what a change message asks of the order's lines and fields.

Read after the field readers, on the normalised text: which line (by product word or
第N项) and what becomes of it — a new quantity (床头柜改成3个, 数量改成3, 第2项改成3张),
one more (加一个床头柜), one less (减一个床头柜), gone (床头柜不要了, 去掉第2项) —
plus what the field readers cannot know: a renamed customer (客户改成李四) and a
delivery pushed by a number of days (推迟3天, 提前一周).
"""

from __future__ import annotations

import re
from typing import Iterable, Sequence

from .model import LineEdit, ParsedItem
from .numerals import NUMBER, to_int
from .spans import MASK

_VERB = r"(?:改成|改为|改到|换成|变成|更改为|改|要|为|是)"
_ADD = re.compile(r"(?:加|添|补|多要|再要)\s*(?:多|上)?\s*$")
_REDUCE = re.compile(r"(?:减|少)\s*(?:掉|去|送)?\s*$")
_REMOVE_BEFORE = re.compile(r"(?:去掉|删掉|删除|删去|拿掉|取消|不要)\s*(?:了)?\s*$")
_REMOVE_AFTER = re.compile(r"^[^,;。\n]{0,6}?(?:不要了|不要|去掉|删掉|删除|取消|拿掉)")
_ADD_AFTER = re.compile(r"^\s*(?:的)?\s*(?:再|多)?\s*(?:加|添|多要|再要)")  # 床头柜多加一个
_REDUCE_AFTER = re.compile(r"^\s*(?:的)?\s*(?:减少|减掉|减|少)")  # 床头柜减少一个
_SEPARATOR = re.compile(r"[,;。\n!?]")
_POSITION = rf"第\s*(?P<pos>{NUMBER})\s*(?:项|行|样|个产品|件产品|个货品)"
_SHIFT = re.compile(
    rf"(?P<dir>推迟|延后|延期|晚|推后|往后推|提前|早)\s*(?P<n>{NUMBER})\s*(?P<u>天|日|周|个星期|星期|礼拜)")
_RENAME = re.compile(r"(?:客户|客人|顾客|姓名|名字)\s*(?:名字|姓名)?\s*(?:改成|改为|换成|更正为|应该是|应是)\s*[:]?\s*"
                     r"(?P<name>[\u4e00-\u9fffA-Za-z·]{2,12}?)(?=$|[\s,;。!])")


class ChangeReader:
    """Built once per parser: the unit words come from the lexicon."""

    def __init__(self, units: Iterable[str]) -> None:
        unit_rx = "|".join(map(re.escape, sorted(units, key=len, reverse=True)))
        self._qty = re.compile(rf"(?P<n>{NUMBER})\s*(?P<u>{unit_rx})?")
        self._qty_unit = re.compile(rf"{NUMBER}\s*(?:{unit_rx})")
        self._count_tail = re.compile(rf"{NUMBER}\s*(?:{unit_rx})\s*$")
        self._position_set = re.compile(
            rf"{_POSITION}\s*(?:的)?\s*(?:数量)?\s*{_VERB}\s*[:]?\s*(?P<n>{NUMBER})\s*(?P<u>{unit_rx})?")
        remove = r"(?:不要了|不要|去掉|删掉|删除|删去|拿掉|取消)"
        self._position_remove = re.compile(
            rf"{remove}\s*{_POSITION.replace('pos', 'pos0')}|{_POSITION.replace('pos', 'pos1')}\s*(?:的)?\s*{remove}")
        self._quantity_only = re.compile(
            rf"(?:数量|件数|个数)\s*{_VERB}?\s*[:]?\s*(?P<n>{NUMBER})\s*(?P<u>{unit_rx})?"
            rf"|(?:改成|改为|换成|变成)\s*(?P<n2>{NUMBER})\s*(?P<u2>{unit_rx})(?![\d.])")

    def line_edits(self, text: str, work: str, items: Sequence[ParsedItem]) -> tuple[LineEdit, ...]:
        """The line edits ``text`` asks for; ``work`` is ``text`` with the fields already read masked."""
        edits = [*self._by_position(work)]
        positioned = bool(edits)
        cursor = 0
        for item in items:
            start = text.find(item.product, cursor)
            if start < 0:
                start = cursor
            end = start + len(item.product)
            cursor = end
            edit = self._item_edit(text, start, end, item)
            if edit is None:
                continue
            if positioned and edit.op == "set" and len(items) == 1:
                # 第2项床头柜改成3个: the position names the line, the product only confirms it
                edits[0] = LineEdit(op=edits[0].op, position=edits[0].position, product=item.product,
                                    quantity=edits[0].quantity if edits[0].quantity is not None else edit.quantity,
                                    unit=edits[0].unit or edit.unit)
                continue
            edits.append(edit)
        if not edits:
            quantity = self._quantity_only.search(work)
            if quantity:
                n = to_int(quantity.group("n") or quantity.group("n2"))
                if n is not None and 0 < n < 1000:
                    # 床头柜数量改成3: the one product named is the line; none named means "the only line"
                    named = items[0] if len(items) == 1 else None
                    edits.append(LineEdit(op="set", quantity=n, unit=quantity.group("u") or quantity.group("u2"),
                                          product=named.product if named else None,
                                          material=named.material if named else None))
        return tuple(edits)

    def _by_position(self, work: str) -> list[LineEdit]:
        edits: list[LineEdit] = []
        for match in self._position_set.finditer(work):
            position, n = to_int(match.group("pos")), to_int(match.group("n"))
            if position and n is not None and 0 < n < 1000:
                edits.append(LineEdit(op="set", position=position, quantity=n, unit=match.group("u")))
        for match in self._position_remove.finditer(work):
            position = to_int(match.group("pos0") or match.group("pos1"))
            if position:
                edits.append(LineEdit(op="remove", position=position))
        return edits

    def _item_edit(self, text: str, start: int, end: int, item: ParsedItem) -> LineEdit | None:
        # 加2把实木餐椅: what stands between the verb and the product is the line's own count and material
        before = re.sub(r"(?:实木|板木|板式|板材)\s*$", "", _clause_before(text, start).rstrip())
        before = self._count_tail.sub("", before)
        after = text[end:]
        written = self._qty_unit.search(_clause_after(after)) is not None or (
            self._qty_unit.search(_clause_before(text, start)[-4:]) is not None)
        quantity = item.quantity if written else None
        if _REMOVE_AFTER.search(after) or _REMOVE_BEFORE.search(before):
            return LineEdit(op="remove", product=item.product, material=item.material, spec=item.spec)
        if _ADD.search(before) or _ADD_AFTER.search(after):
            return LineEdit(op="add", product=item.product, material=item.material, spec=item.spec,
                            quantity=item.quantity, unit=item.unit)
        if _REDUCE.search(before) or _REDUCE_AFTER.search(after):
            return LineEdit(op="reduce", product=item.product, material=item.material, spec=item.spec,
                            quantity=item.quantity, unit=item.unit)
        new_spec = None
        spec = item.spec
        if spec and re.search(rf"{_VERB}\s*[:]?\s*$", text[end:text.find(spec, end)] if spec in text[end:] else ""):
            new_spec, spec = item.spec, None  # 床改成1.5米: the spec after the verb is the new one
        if quantity is None and new_spec is None:
            return None
        return LineEdit(op="set", product=item.product, material=item.material, spec=spec, quantity=quantity,
                        unit=item.unit if quantity is not None else None, new_spec=new_spec)


def _clause_before(text: str, start: int) -> str:
    head = text[:start]
    cut = max((m.end() for m in _SEPARATOR.finditer(head)), default=0)
    return head[cut:].replace(MASK, " ")


def _clause_after(after: str) -> str:
    match = _SEPARATOR.search(after)
    return after[:match.start()] if match else after


def delivery_shift_days(text: str) -> int | None:
    """推迟3天 → 3, 提前一周 → -7; None when the message gives no shift."""
    match = _SHIFT.search(text)
    if not match:
        return None
    n = to_int(match.group("n"))
    if not n or n > 365:
        return None
    days = n * (1 if match.group("u") in ("天", "日") else 7)
    return -days if match.group("dir") in ("提前", "早") else days


def renamed_customer(text: str) -> str | None:
    """客户改成李四 → 李四."""
    match = _RENAME.search(text)
    return match.group("name") if match else None
