"""词库: the project dictionary (products, materials, units, business words, surnames).

Loaded once when a Parser is built; parse calls read nothing from disk. The word lists live
in ``data/*.txt`` so staff vocabulary can grow without code changes, and ``extra_words``
(config ``[parser] extra_words``) adds store-specific product words on top.
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass, field
from importlib import resources
from typing import Iterable, Mapping

import jieba

# jieba announces every dictionary build on its logger; a parser built per process need not.
jieba.setLogLevel(logging.WARNING)

# Frequencies only rank competing segmentations: products beat parts (衣柜+门, not 衣+柜门),
# longer product words beat their heads (床头柜, not 床+头+柜).
_FREQ_PRODUCT = 50_000
_FREQ_MATERIAL = 60_000
_FREQ_WORD = 20_000
_FREQ_UNIT = 1_000


def _lines(name: str) -> list[str]:
    text = resources.files(__package__).joinpath("data", name).read_text(encoding="utf-8")
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]


def _pairs(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for ln in _lines(name):
        # tab-separated, since English product words contain spaces (dining table)
        parts = [p.strip() for p in ln.split("\t") if p.strip()]
        out[parts[0]] = parts[1] if len(parts) > 1 else parts[0]
    return out


@dataclass(frozen=True)
class Lexicon:
    products: Mapping[str, str]  # word as written (typos included) -> product key
    materials: Mapping[str, str]  # word -> "solid" | "panel"
    units: frozenset[str]
    words: frozenset[str]  # business words kept whole
    surnames: frozenset[str]
    tokenizer: jieba.Tokenizer = field(repr=False, compare=False)

    @classmethod
    def load(cls, extra_words: Iterable[str] = ()) -> "Lexicon":
        products = _pairs("products.txt")
        for word in extra_words:
            word = (word or "").strip()
            if word and word not in products:
                products[word] = word
        materials = _pairs("materials.txt")
        units = frozenset(_lines("units.txt"))
        words = frozenset(_lines("words.txt"))
        surnames = frozenset(w for ln in _lines("surnames.txt") for w in ln.split())
        return cls(products, materials, units, words, surnames,
                   _build_tokenizer(products, materials, units, words))


def _build_tokenizer(products: Mapping[str, str], materials: Mapping[str, str], units: Iterable[str],
                     words: Iterable[str]) -> jieba.Tokenizer:
    """A jieba Tokenizer over our small dictionary only.

    jieba's default 5 MB dictionary costs about a second to load and knows nothing about
    床头贵; ours is built in memory (no cache file written to /tmp) in a few milliseconds.
    """
    entries: dict[str, int] = {}
    for w in units:
        entries[w] = _FREQ_UNIT
    for w in words:
        entries[w] = _FREQ_WORD
    for w in products:
        entries[w] = _FREQ_PRODUCT * len(w)
    for w in materials:
        entries[w] = _FREQ_MATERIAL * len(w)
    # English words are matched by ItemReader's own expression; jieba only sees Chinese runs.
    data = "".join(f"{w} {f}\n" for w, f in entries.items()
                   if not w.isascii() and not any(c.isspace() for c in w)).encode("utf-8")
    tk = jieba.Tokenizer()
    tk.FREQ, tk.total = tk.gen_pfdict(io.BytesIO(data))
    tk.initialized = True
    return tk
