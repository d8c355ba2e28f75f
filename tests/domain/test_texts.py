"""The message catalogue: every key in every language, same placeholders, and every key the code names exists."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest

from domain.texts import LANGUAGES, en, normalise_language, t, zh_cn

ROOT = Path(__file__).resolve().parents[2]


def _fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_english_has_every_key_with_the_same_placeholders() -> None:
    assert set(en.TEXTS) == set(zh_cn.TEXTS)
    mismatched = {k: (_fields(v), _fields(en.TEXTS[k])) for k, v in zh_cn.TEXTS.items()
                  if _fields(v) != _fields(en.TEXTS[k]) and k != "date.format"}
    assert mismatched == {}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_text_renders_in_every_language(language: str) -> None:
    for key, template in zh_cn.TEXTS.items():
        params = {name: 1 for name in _fields(template) | _fields(en.TEXTS[key])}
        assert t(language, key, **params)


def test_traditional_chinese_is_derived() -> None:
    assert t("zh-TW", "role.clerk") == "跟單員"
    assert t("zh-TW", "onboarding.short").startswith("您還沒有登記")


@pytest.mark.parametrize(("code", "language"), [("zh-hans", "zh-CN"), ("zh-HK", "zh-TW"), ("zh-hant-tw", "zh-TW"),
                                                 ("en-US", "en"), (None, "zh-CN"), ("ru", "zh-CN")])
def test_telegram_language_codes(code: str | None, language: str) -> None:
    assert normalise_language(code) == language


_USES = re.compile(r"""(?:\bsay|\bt|ctx\.t|\.t)\(\s*(?:[a-z_.]+,\s*)?["']([a-z_]+(?:\.[a-z_0-9]+)+)["']""")


def test_every_literal_key_used_in_the_code_exists() -> None:
    missing = set()
    for package in ("handlers", "schedules", "bot"):
        for path in (ROOT / package).rglob("*.py"):
            for key in _USES.findall(path.read_text(encoding="utf-8")):
                if key not in zh_cn.TEXTS:
                    missing.add(f"{path.relative_to(ROOT)}: {key}")
    assert missing == set()
