"""What people type to move the sandbox clock: ``set 15:30``, ``+1d``, ``reset``, ``show``.

Shared by ``orderbot clock`` and the chat client's ``/clock`` line. Wall-clock times
are in the business time zone (``[rules] timezone``), the zone every rule counts in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

USAGE = ("clock show | set HH:MM | set YYYY-MM-DD [HH:MM] | +1d | +2h | -30m | +1d2h | reset "
         "(times in the business time zone)")

_STEP = re.compile(r"^([+-])((?:\d+[wdhms])+)$")
_PART = re.compile(r"(\d+)([wdhms])")
_UNITS = {"w": "weeks", "d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class ClockWordsError(ValueError):
    """The words are no clock command; the message says what is accepted."""


@dataclass(frozen=True, slots=True)
class ClockChange:
    """One change to the sandbox clock; all empty means: just show it."""

    set_to: datetime | None = None
    advance: timedelta | None = None
    reset: bool = False


def _time_of_day(word: str) -> time:
    try:
        return time.fromisoformat(word if len(word) > 2 else f"{word}:00")
    except ValueError:
        raise ClockWordsError(f"not a time of day: {word!r}; {USAGE}") from None


def _day(word: str) -> date:
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise ClockWordsError(f"not a date (YYYY-MM-DD): {word!r}; {USAGE}") from None


def read_clock_words(words: list[str], now: datetime, tz: ZoneInfo) -> ClockChange:
    """The change ``words`` ask for, with ``now`` the sandbox's current time (for ``set 15:30``)."""
    words = [w for w in words if w]
    if words and words[0] == "set":
        words = words[1:]
        if not words:
            raise ClockWordsError(f"set what? {USAGE}")
    if not words or words == ["show"]:
        return ClockChange()
    if words == ["reset"]:
        return ClockChange(reset=True)
    if len(words) == 1 and (step := _STEP.match(words[0])):
        amount = timedelta(**{_UNITS[unit]: int(n) for n, unit in _PART.findall(step[2])})
        return ClockChange(advance=-amount if step[1] == "-" else amount)
    local_now = now.astimezone(tz)
    if len(words) == 1 and "T" in words[0]:
        try:
            when = datetime.fromisoformat(words[0])
        except ValueError:
            raise ClockWordsError(f"not an ISO time: {words[0]!r}; {USAGE}") from None
        return ClockChange(set_to=when if when.tzinfo else when.replace(tzinfo=tz))
    if len(words) == 1 and ":" in words[0]:
        return ClockChange(set_to=datetime.combine(local_now.date(), _time_of_day(words[0]), tz))
    if len(words) == 1:
        return ClockChange(set_to=datetime.combine(_day(words[0]), local_now.time().replace(microsecond=0), tz))
    if len(words) == 2:
        return ClockChange(set_to=datetime.combine(_day(words[0]), _time_of_day(words[1]), tz))
    raise ClockWordsError(USAGE)


def describe(now: datetime, offset_seconds: float, tz: ZoneInfo) -> str:
    """``2026-12-05 15:30 Sat Asia/Shanghai (3 days 02:00 ahead of real time)``."""
    local = now.astimezone(tz)
    shown = f"{local:%Y-%m-%d %H:%M} {_WEEKDAYS[local.weekday()]} {tz.key}"
    if abs(offset_seconds) < 60:
        return f"{shown} (real time)"
    delta = timedelta(seconds=round(abs(offset_seconds) / 60) * 60)
    days, rest = delta.days, delta.seconds
    span = (f"{days} day{'s' if days != 1 else ''} " if days else "") + f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return f"{shown} ({span} {'ahead of' if offset_seconds > 0 else 'behind'} real time)"
