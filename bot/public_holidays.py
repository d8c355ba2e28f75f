"""Public holidays and make-up working days (调休) from maintained packages, as plain data.

Mainland China comes from ``chinese-calendar``: it records each State Council
notice as published — the whole break (weekends inside it included) and the
weekend days worked to make up for it — and raises for a year not yet
published, which is how the bot knows to warn instead of guessing. Hong Kong,
Macau and Taiwan come from ``holidays``, which computes their gazetted holidays
(and Taiwan's make-up days) from the statutory rules, in each language.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import chinese_calendar

from domain.policy.calendar import NO_PUBLIC_HOLIDAYS, HolidayName, PublicHolidays

REGIONS = ("CN", "HK", "MO", "TW")
# ``holidays`` computes any year by rule; a span around today is all the bot can need
# in one run (R4/R10/R14/R16 look days or weeks ahead, reports a few years back).
YEARS_BACK, YEARS_AHEAD = 3, 3
# Per language, the ``holidays`` locale to ask for; the first one the region supports wins.
_LOCALES = {"zh-CN": ("zh_CN",), "zh-TW": ("zh_TW", "zh_HK", "zh_MO"), "en": ("en_US",)}


def public_holidays(region: str, around_year: int) -> PublicHolidays:
    """The public calendar of ``region`` ("CN", "HK", "MO", "TW"; anything else: none)."""
    if region == "CN":
        return _mainland()
    if region in REGIONS:
        return _from_holidays_package(region, around_year)
    return NO_PUBLIC_HOLIDAYS


def _traditional(words: set[str]) -> dict[str, str]:
    """The traditional form of a few names. OpenCC's dictionaries take about 40 MB once loaded; for
    a handful of holiday names the converter is built, used and given back to the system."""
    import gc
    import opencc

    converter = opencc.OpenCC("s2twp")
    converted = {word: converter.convert(word) for word in words}
    del converter
    gc.collect()
    try:  # glibc keeps freed memory in the process unless asked; elsewhere it does not matter
        import ctypes

        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass
    return converted


@lru_cache(maxsize=1)
def _mainland() -> PublicHolidays:
    traditional = _traditional({holiday.chinese for holiday in chinese_calendar.Holiday})

    def names(holiday: chinese_calendar.Holiday) -> HolidayName:
        return {"zh-CN": holiday.chinese, "zh-TW": traditional[holiday.chinese], "en": holiday.value}

    by_name = {h.value: h for h in chinese_calendar.Holiday}
    days_off = {day: names(by_name[name]) for day, name in chinese_calendar.constants.holidays.items()}
    make_up = {day: names(by_name[name]) for day, name in chinese_calendar.constants.workdays.items()}
    # A year counts as published when the package has its holidays; it raises for any other.
    known = frozenset(day.year for day in days_off)
    return PublicHolidays(region="CN", source=f"chinese-calendar {chinese_calendar.__version__}", days_off=days_off, make_up_days=make_up, known_years=known)


@lru_cache(maxsize=8)
def _from_holidays_package(region: str, around_year: int) -> PublicHolidays:
    import holidays as holidays_package  # only for HK, MO, TW

    years = range(around_year - YEARS_BACK, around_year + YEARS_AHEAD + 1)
    base = holidays_package.country_holidays(region, years=years)
    supported = set(base.supported_languages)
    by_language = {}
    for language, locales in _LOCALES.items():
        locale = next((code for code in locales if code in supported), base.default_language)
        by_language[language] = holidays_package.country_holidays(region, years=years, language=locale)
    days_off: dict[date, HolidayName] = {
        day: {language: by_language[language].get(day) or name for language in _LOCALES}
        for day, name in base.items()
    }
    # The package does not say which holiday a make-up day is for, so it stays unnamed.
    make_up: dict[date, HolidayName] = {day: {} for day in getattr(base, "weekend_workdays", ())
               if day.year in years}
    known = frozenset(y for y in years if base.start_year <= y <= base.end_year)
    return PublicHolidays(region=region, source=f"holidays {holidays_package.__version__}", days_off=days_off, make_up_days=make_up, known_years=known)
