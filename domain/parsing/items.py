"""货品行: product lines with material (材质), quantity (数量), unit (量词) and spec (规格).

jieba, over the project dictionary, finds product and material words in the Chinese runs; the
numbers around each product word are then read with small regular expressions on the text
between it and its neighbours, so one product's 两个 is never read as the next one's count.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Iterator, Mapping, Sequence

from .lexicon import Lexicon
from .model import ParsedItem
from .numerals import CN_NUMBER, to_int
from .spans import MASK, Found, is_new, is_old

_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
# Between two product lines: punctuation, 和/及, or text already read as another field.
_STRONG_SEP = re.compile(rf"[,;|\n。!?、&/{MASK}]|(?<!\d)\+|\+(?!\d)|和|及|以及|还有|另外|另|同埋|同(?=[一两二三四五六七八九十\d])")
_SPACE = re.compile(r"\s+")
_LEADING_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_PARENS = re.compile(r"\([^()\n]{0,30}\)|\[[^\[\]\n]{0,30}\]|【[^【】\n]{0,30}】")
_NUM = rf"(?:\d+|{CN_NUMBER})"
_EN_UNITS = r"sets?|pcs|pc|pieces?|units?"
_SPEC = re.compile(
    r"\(\s*(?P<paren>[^()]*\d[^()]*?)\s*\)"
    r"|(?P<dims>\d+(?:\.\d+)?\s*[*x]\s*\d+(?:\.\d+)?(?:[*x]\d{2,}(?:\.\d+)?)?)"
    r"|(?P<combo>\d+(?:\+\d+)+)"
    r"|(?P<length>\d+(?:\.\d+)?\s*(?:米|m(?![a-z])|cm|厘米|mm|毫米|尺|寸|ft|feet))"
    r"|(?P<cnlength>[一二两三四五六七八九十]米[一二三四五六七八九]?)"
    r"|(?P<doors>(?:\d{1,2}|[一二两三四五六七八九十])\s*(?:门|抽|斗|人位|人座|座位|位)(?![\u4e00-\u9fff]{0,1}[柜]))",
    re.I,
)
_HEADER_WORDS = r"系列|风格|款式?|类|系|家具|:"
_HEADER_AFTER = re.compile(rf"\s*的?\s*(?:{_HEADER_WORDS}|\n|\s)")  # 实木系列, or 实木 on a line of its own
_NAMED_HEADER_AFTER = re.compile(rf"\s*的?\s*(?:{_HEADER_WORDS})")
_SAME_LINE_GAP = re.compile(r"[ \t\u3000]+")
_NOT_PREFIX_GAP = re.compile(rf"[\d{MASK},;|\n、/]|系列|风格|款")
_TRAILING_COUNT = re.compile(r"(\d{1,3})\s*(?:more\s+|extra\s+)?$", re.I)
_LATIN = re.compile(r"[A-Za-z]{3}")
_TRUE_UNIT_WORDS = ("樘", "扇")  # a 门 is only a product (a door) when counted like one


@dataclass(frozen=True)
class _Word:
    start: int
    end: int
    kind: str  # "product" | "material"
    value: str  # product key / material code
    text: str


class ItemReader:
    """Reads product lines; built once per Parser from its Lexicon."""

    def __init__(self, lexicon: Lexicon) -> None:
        self._lex = lexicon
        units = sorted(lexicon.units, key=len, reverse=True)
        unit_rx = "|".join(map(re.escape, units))
        self._qty_after = re.compile(
            # 两个月 is how long, not how many
            rf"(?P<n>{_NUM})\s*(?P<u>{unit_rx})(?![月钟礼星年])|(?<![\d.a-z])[x*]\s*(?P<x>\d+)(?![\d.*x])"
            rf"|(?P<en>\d+)\s*(?P<enu>{_EN_UNITS})(?![a-z])",
            re.I,
        )
        self._qty_before = re.compile(rf"(?P<n>{_NUM})\s*(?P<u>{unit_rx})\s*(?:的\s*)?$")
        self._qty_new = re.compile(
            rf"(?:改成|改为|变成|应该是|应是|改到|一共|共)\s*(?P<n>{_NUM})\s*(?P<u>{unit_rx})?", re.I)
        self._spec_before = re.compile(
            r"(?P<s>\d+(?:\.\d+)?\s*(?:米|m|cm|尺)|(?:\d|[一二两三四五六])\s*门)\s*的?\s*$", re.I)
        # English puts the material after the product too: bed 1.8m solid wood x1
        en_materials = "|".join(re.escape(w).replace(r"\ ", r"\s*")
                                for w in sorted((w for w in lexicon.materials if w.isascii()), key=len, reverse=True))
        self._continues = re.compile(
            rf"\s+(?:\d+(?:\.\d+)?\s*(?:米|m|cm|厘米|mm|尺|寸|门|抽|人位|[*x]|{unit_rx}|{_EN_UNITS})"
            rf"|[x*]\s*\d|{CN_NUMBER}\s*(?:{unit_rx}|门|米|尺)|\("
            + (rf"|(?:{en_materials})(?![a-z])" if en_materials else "") + ")",
            re.I,
        )
        self._first_chars = frozenset(w[0] for w in (*lexicon.products, *lexicon.materials) if not w.isascii())
        english = sorted((w for w in (*lexicon.products, *lexicon.materials) if w.isascii()),
                         key=len, reverse=True)
        self._english = re.compile(
            r"(?<![a-z])(" + "|".join(re.escape(w).replace(r"\ ", r"\s*") for w in english) + r")(?![a-z])",
            re.I,
        )

    # -- finding words -------------------------------------------------------------------
    def _words(self, text: str) -> list[_Word]:
        lex = self._lex
        words: list[_Word] = []
        tk = lex.tokenizer
        for run in _CJK_RUN.finditer(text):
            sentence = run.group()
            # Most runs (names, addresses, chatter) hold no product or material at all.
            if self._first_chars.isdisjoint(sentence):
                continue
            pos = run.start()
            for w in _segment(tk, sentence):
                if w in lex.materials:
                    words.append(_Word(pos, pos + len(w), "material", lex.materials[w], w))
                elif w in lex.products:
                    words.append(_Word(pos, pos + len(w), "product", lex.products[w], w))
                pos += len(w)
        for m in self._english.finditer(text) if _LATIN.search(text) else ():
            w = m.group(1)
            key = re.sub(r"\s+", " ", w.lower())
            if key in lex.materials:
                words.append(_Word(m.start(), m.end(), "material", lex.materials[key], w))
            elif key in lex.products:
                words.append(_Word(m.start(), m.end(), "product", w, w))
        words.sort(key=lambda w: w.start)
        return words

    def _is_prefix(self, text: str, material: _Word, product: _Word) -> bool:
        """实木床: the material qualifies this product (not a header like 实木系列)."""
        gap = text[material.end:product.start]
        return len(gap.strip()) <= 3 and not _NOT_PREFIX_GAP.search(gap)

    # -- reading --------------------------------------------------------------------------
    def read(self, text: str) -> tuple[list[ParsedItem], list[Found[None]]]:
        """Items in message order, and the spans they used (for masking)."""
        words = self._words(text)
        products = [w for w in words if w.kind == "product" and not self._is_door_part(text, w, words)]
        materials = [w for w in words if w.kind == "material"]
        prefix_of: dict[int, _Word] = {}  # product index -> its material word
        used_materials: set[int] = set()
        for pi, p in enumerate(products):
            before = [m for m in materials if m.end <= p.start
                      and (pi == 0 or m.start >= products[pi - 1].end)]
            if before and self._is_prefix(text, before[-1], p):
                prefix_of[pi] = before[-1]
                used_materials.add(before[-1].start)

        items: list[ParsedItem] = []
        item_spans: list[tuple[int, int]] = []  # (product start, window end) per kept item
        used: list[Found[None]] = []
        consumed = 0
        for pi, p in enumerate(products):
            mat = prefix_of.get(pi)
            lead = mat.start if mat else p.start
            # Bound the look-back by the previous line and by punctuation.
            lo = max(consumed, _last_sep_end(text, lead))
            pre = text[lo:lead]
            hi = self._window_end(text, p.end, products, prefix_of, pi)
            window = text[p.end:hi]

            spec, spec_spans = self._spec(window, p.end)
            qty, unit, qty_span = self._quantity(text, window, p.end, spec_spans)
            pq = self._qty_before.search(pre)
            if pq and qty_span and self._leads_next(text, qty_span[1], hi, products, prefix_of, pi):
                # 两张实木餐桌八把实木餐椅: a run-on that counts before each product; the count
                # right against the next product is that product's, not this one's
                qty = unit = qty_span = None
            if pq and qty is None:
                n = to_int(pq.group("n"))
                if n and 0 < n < 1000:
                    qty, unit = n, pq.group("u")
                    used.append(Found(lo + pq.start(), lo + pq.end(), None))
            if spec is None:
                ps = self._spec_before.search(pre)
                if ps:
                    spec = re.sub(r"\s+", "", ps.group("s"))
            if p.text.isascii() and qty is None:
                en = _TRAILING_COUNT.search(pre)
                if en:
                    qty = int(en.group(1))
            if not self._keeps(p, mat, unit, text):
                continue
            consumed = max(p.end, qty_span[1] if qty_span else 0, max((b for _, b in spec_spans), default=0))
            used.append(Found(lead, p.end, None))
            used.extend(Found(a, b, None) for a, b in spec_spans)
            if qty_span:
                used.append(Found(qty_span[0], qty_span[1], None))
            items.append(ParsedItem(product=p.value, material=mat.value if mat else None,
                                    quantity=qty if qty else 1, unit=unit, spec=spec))
            item_spans.append((p.start, hi))

        items = self._apply_loose_materials(text, items, item_spans, materials, used_materials)
        items = self._apply_corrections(text, items, item_spans, products)
        return items, used

    def _window_end(self, text: str, start: int, products: Sequence[_Word], prefix_of: Mapping[int, _Word],
                    pi: int) -> int:
        """Where this product's own words end: next product line, punctuation or a new field."""
        end = len(text)
        if pi + 1 < len(products):
            nxt = prefix_of.get(pi + 1)
            end = nxt.start if nxt else products[pi + 1].start
        segment = _PARENS.sub(lambda m: "_" * len(m.group()), text[start:end])
        sep = _STRONG_SEP.search(segment)
        if sep:
            end = start + sep.start()
            segment = segment[:sep.start()]
        # A space ends the line unless what follows is more of it (实木床 6尺 一张, sofa 1 set).
        pos = 0
        while (ws := _SPACE.search(segment, pos)) is not None:
            more = self._continues.match(segment, ws.start())
            if not more:
                return start + ws.start()
            pos = more.end()
        return end

    @staticmethod
    def _leads_next(text: str, at: int, hi: int, products: Sequence[_Word], prefix_of: Mapping[int, _Word],
                    pi: int) -> bool:
        if pi + 1 >= len(products) or text[at:hi].strip():
            return False
        nxt = prefix_of.get(pi + 1)
        return hi == (nxt.start if nxt else products[pi + 1].start)

    def _spec(self, window: str, offset: int) -> tuple[str | None, list[tuple[int, int]]]:
        spec: str | None = None
        spans: list[tuple[int, int]] = []
        for m in _SPEC.finditer(window):
            if m.group("dims"):
                first = _LEADING_NUMBER.match(m.group("dims"))
                if first and "." not in first.group() and int(first.group()) < 10:
                    continue  # x2 / *2 is a count, not a size
            if m.group("paren") and not re.search(r"\d\s*(?:米|m|cm|尺|寸|门|\+|\*|x|人)", m.group("paren"), re.I):
                continue
            if spec is None:
                value = m.group("paren") or m.group(0)
                spec = re.sub(r"\s+", "", value)
            spans.append((offset + m.start(), offset + m.end()))
        return spec, spans

    def _quantity(self, text: str, window: str, offset: int, spec_spans: Sequence[tuple[int, int]]
                  ) -> tuple[int | None, str | None, tuple[int, int] | None]:
        chars = list(window)
        for a, b in spec_spans:
            for i in range(a - offset, b - offset):
                chars[i] = " "
        blanked = "".join(chars)
        chosen: re.Match[str] | None = None
        for m in self._qty_after.finditer(blanked):
            at = offset + m.start()
            if is_old(text, at):
                continue
            if chosen is None or is_new(text, at):
                chosen = m
                if is_new(text, at):
                    break
        if chosen is None:
            return None, None, None
        n: int | None
        unit: str | None
        if chosen.group("x"):
            n, unit = int(chosen.group("x")), None
        elif chosen.group("en"):
            n, unit = int(chosen.group("en")), chosen.group("enu")
        else:
            n, unit = to_int(chosen.group("n")), chosen.group("u")
        if not n or not 0 < n < 1000:
            return None, None, None
        return n, unit, (offset + chosen.start(), offset + chosen.end())

    def _is_door_part(self, text: str, word: _Word, words: list[_Word]) -> bool:
        """四门/2门 after a cabinet is its door count, 衣柜门 its door: neither is a product line."""
        if word.text.lower() not in ("门", "door", "doors"):
            return False
        prev = text[max(0, word.start - 1):word.start]
        if prev.isdigit() or (prev and prev in "一二两三四五六七八九十"):
            return True
        return any(w.kind == "product" and w is not word and 0 <= word.start - w.end <= 1 for w in words)

    def _keeps(self, product: _Word, material: _Word | None, unit: str | None, text: str) -> bool:
        """门 is also a cabinet's door count (四门) and part of 上门; only a counted door is a product."""
        if product.text.lower() not in ("门", "door", "doors"):
            return True
        return material is not None or unit in _TRUE_UNIT_WORDS

    def _apply_loose_materials(self, text: str, items: Sequence[ParsedItem], spans: Sequence[tuple[int, int]],
                               materials: Sequence[_Word], used: set[int]) -> list[ParsedItem]:
        """Materials not written right before a product: 实木系列 (a header), 也是实木的, (实木)."""
        items = list(items)
        for m in materials:
            if m.start in used:
                continue
            inside = [i for i, (a, b) in enumerate(spans) if a <= m.start < b]
            before = text[max(0, m.start - 4):m.start]
            targets: Sequence[int]
            if inside:
                targets = inside
            elif re.search(r"都|全部?|均|一律", before) or re.search(
                    r"(?<![a-z])(?:all|both)\s*$", text[max(0, m.start - 6):m.start], re.I):
                targets = range(len(items))
            elif "也" in before:
                targets = [i for i, (a, _) in enumerate(spans) if a < m.start][-1:]
            elif (last := [i for i, (_, b) in enumerate(spans) if b <= m.start][-1:]) \
                    and _SAME_LINE_GAP.fullmatch(text, spans[last[0]][1], m.start) \
                    and not _NAMED_HEADER_AFTER.match(text, m.end):
                # 床1张 板木: written after its line on the same line, a space apart
                targets = last
            elif _HEADER_AFTER.match(text, m.end):
                # 实木系列: a header covers the lines after it
                targets = [i for i, (a, _) in enumerate(spans) if a > m.start]
            else:
                continue  # 送去的是实木的, 实木 + an unknown word: qualifies nothing we read
            for i in targets:
                if items[i].material is None:
                    items[i] = replace(items[i], material=m.value)
        return items

    def _apply_corrections(self, text: str, items: Sequence[ParsedItem], spans: Sequence[tuple[int, int]],
                           products: Sequence[_Word]) -> list[ParsedItem]:
        """衣柜加一个，改成两个: a corrected count later in the message replaces the first one."""
        items = list(items)
        for i, (a, b) in enumerate(spans):
            stop = spans[i + 1][0] if i + 1 < len(spans) else len(text)
            tail = text[b:stop]
            if any(b <= p.start < stop for p in products):
                tail = text[b:min(p.start for p in products if b <= p.start < stop)]
            m: re.Match[str] | None = None
            for m in self._qty_new.finditer(tail):
                pass
            if m is not None:
                n = to_int(m.group("n"))
                if n and 0 < n < 1000:
                    items[i] = replace(items[i], quantity=n, unit=m.group("u") or items[i].unit)
        return items


def _segment(tk: Any, sentence: str) -> Iterator[str]:
    """jieba's exact mode without HMM (what ``cut(s, HMM=False)`` does, minus its per-call
    regular-expression splitting, which our runs never need: they are Chinese only)."""
    dag = tk.get_DAG(sentence)
    route: dict[int, tuple[float, int]] = {}
    tk.calc(sentence, dag, route)
    x, n = 0, len(sentence)
    while x < n:
        y = route[x][1] + 1
        yield sentence[x:y]
        x = y


def _last_sep_end(text: str, pos: int) -> int:
    lo = max(0, pos - 40)
    last = lo
    for m in _STRONG_SEP.finditer(text, lo, pos):
        last = m.end()
    return last
