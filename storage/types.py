"""Column types shared by every table."""

from __future__ import annotations

import re
from datetime import datetime, timezone
from typing import Any

from enum import StrEnum

from sqlalchemy import DateTime, Enum, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


def State(enum: type[StrEnum], length: int) -> Enum:
    """A state (or other closed set of words) stored as the enum's values in VARCHAR(``length``).

    No native ENUM type and no CHECK constraint, so the schema is the plain string column it
    always was and adding a state needs no migration; the ORM hands back enum members, and
    refuses to write a word that is not one.
    """
    return Enum(enum, native_enum=False, create_constraint=False, length=length, validate_strings=True,
                values_callable=lambda members: [m.value for m in members])


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend.

    SQLite has no time zones and hands back naive values; PostgreSQL hands back
    aware ones in the session's zone. Storing UTC and re-attaching it on the way
    out makes both behave the same, and refusing naive input stops a local
    wall-clock time from ever being mistaken for UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} given where an aware time is required")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


# What PostgreSQL's text type cannot hold (NUL) and what no UTF-8 encoder accepts
# (a lone UTF-16 surrogate, e.g. half an emoji cut by a terminal): SQLite stores
# both, PostgreSQL refuses the whole statement.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def storable_text(value: str) -> str:
    """``value`` with NUL and lone surrogates replaced by U+FFFD, so every backend stores it.

    The audit log keeps the exact original (see :mod:`storage.audit`); business
    columns such as a customer's name keep this readable form.
    """
    return _UNSTORABLE.sub(REPLACEMENT, value) if _UNSTORABLE.search(value) else value


def json_storable(dumped: str) -> str:
    """JSON text with lone surrogates written as ``\\udXXX`` escapes: still valid JSON that
    loads back to the same string, and encodable as UTF-8. (``json.dumps`` already writes
    NUL and the other control characters as escapes.)"""
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", dumped)


class FreeText(TypeDecorator[str]):
    """Text a person typed (a name, an address, a reason): any length, any character.

    Unbounded, so a long customer name cannot fail an insert on PostgreSQL, and
    cleaned with :func:`storable_text` on the way in, so a NUL cannot either.
    """

    impl: type[String] = Text  # LookupString's is a bounded String
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        return storable_text(value) if isinstance(value, str) else value


class LookupString(FreeText):
    """A short string the bot hands out (an order number, an invite code) that people
    also type to look one up: cleaned like :class:`FreeText` on the way in, so a NUL
    in ``/start CODE`` finds nothing instead of failing the query on PostgreSQL."""

    impl = String
    cache_ok = True  # SQLAlchemy reads it from the class itself, never inherited
