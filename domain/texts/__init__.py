"""The message catalogue: every text the bot says, in one place.

Simplified Chinese is the source. Traditional Chinese is derived from it with
OpenCC (``s2twp``: Taiwan wording and phrases) unless a key is overridden in
``zh_tw.OVERRIDES``; English is written by hand. ``tests/domain/test_texts.py``
checks that every key exists in every language with the same placeholders.
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, Any

from domain.texts import en, glossary, zh_cn, zh_tw

if TYPE_CHECKING:
    import opencc

LANGUAGES = ("zh-CN", "zh-TW", "en")
DEFAULT_LANGUAGE = "zh-CN"


@lru_cache(maxsize=1)
def _s2t() -> opencc.OpenCC:
    import opencc  # loaded on first use: the converter's tables take a while to read


    return opencc.OpenCC("s2twp")


@lru_cache(maxsize=4096)
def _template(language: str, key: str) -> str:
    if language == "en":
        return en.TEXTS.get(key) or zh_cn.TEXTS[key]
    if language == "zh-TW":
        if key in zh_tw.OVERRIDES:
            return zh_tw.OVERRIDES[key]
        return str(_s2t().convert(zh_cn.TEXTS[key]))
    return zh_cn.TEXTS[key]


def normalise_language(language: str | None) -> str:
    """Map Telegram's language codes (zh-hans, zh-hant, zh-tw, en-us …) onto ours."""
    if not language:
        return DEFAULT_LANGUAGE
    code = language.strip().lower().replace("_", "-")
    if code in ("zh-tw", "zh-hk", "zh-mo", "zh-hant") or code.startswith("zh-hant"):
        return "zh-TW"
    if code.startswith("zh"):
        return "zh-CN"
    if code.startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


def t(language: str | None, key: str, /, **params: Any) -> str:
    """The text ``key`` in ``language`` with ``params`` filled in."""
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    template = _template(language, key)
    return template.format(**params) if params else template


@lru_cache(maxsize=4096)
def to_traditional(text: str) -> str:
    """Simplified → Traditional (Taiwan wording), as the catalogue is derived."""
    return str(_s2t().convert(text))


def product_word(language: str | None, word: str) -> str:
    """A product line's product in the reader's language: English from the glossary, Traditional
    by conversion; a word the glossary lacks is shown as typed."""
    if language == "en":
        return glossary.PRODUCTS_EN.get(word, word)
    if language == "zh-TW":
        return to_traditional(word)
    return word


def unit_word(language: str | None, unit: str | None) -> str:
    """量词 after the count: none in English (×2), converted in Traditional."""
    if not unit or language == "en":
        return ""
    return to_traditional(unit) if language == "zh-TW" else unit


def spec_words(language: str | None, spec: str | None) -> str:
    """A size such as 1.8米: 1.8m in English, converted in Traditional."""
    if not spec:
        return ""
    if language == "en":
        for chinese, english in glossary.SPEC_UNITS_EN:
            spec = spec.replace(chinese, english)
        return spec
    return to_traditional(spec) if language == "zh-TW" else spec


def has(key: str) -> bool:
    return key in zh_cn.TEXTS
