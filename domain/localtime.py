"""营业时区: turning an instant into the business's local date, time and month.

Telegram and the database hold instants in UTC; every date the bot derives from
one — the day 明天 counts from, an order number's month, "today" in a report —
is the date in the business time zone (``[rules] timezone``), never the UTC date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def local_moment(moment: datetime, tz: ZoneInfo) -> datetime:
    """The same instant on the business's wall clock; a naive ``moment`` is refused, not guessed."""
    if moment.tzinfo is None:
        raise ValueError("local_moment needs a timezone-aware datetime")
    return moment.astimezone(tz)


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """营业日期: the business's calendar date at ``moment``."""
    return local_moment(moment, tz).date()


def local_month(moment: datetime, tz: ZoneInfo) -> str:
    """``YYYYMM`` of the business month at ``moment`` (the month part of DD/SH/FK numbers)."""
    local = local_moment(moment, tz)
    return f"{local.year:04d}{local.month:02d}"


def day_start(day: date, tz: ZoneInfo) -> datetime:
    """The instant the business day ``day`` begins (local midnight, also across a DST change)."""
    return datetime.combine(day, time(0), tz)


def offset_changes(first: date, last: date, tz: ZoneInfo) -> list[tuple[datetime, timedelta]]:
    """The UTC offset in force from the start of ``first`` and each change until the end of ``last``.

    Instants are in UTC, oldest first; a zone without daylight saving gives one entry.
    Changes are found to the hour, where every zone in the tz database switches.
    """
    def offset_at(instant: datetime) -> timedelta:
        return instant.astimezone(tz).utcoffset() or timedelta(0)

    cursor = day_start(first, tz).astimezone(UTC)
    end = day_start(last + timedelta(days=1), tz).astimezone(UTC)
    offset = offset_at(cursor)
    changes = [(cursor, offset)]
    while cursor < end:
        following = cursor + timedelta(days=1)
        if offset_at(following) != offset:
            while offset_at(cursor) == offset:
                cursor += timedelta(hours=1)
            offset = offset_at(cursor)
            changes.append((cursor, offset))
        cursor = following
    return changes
