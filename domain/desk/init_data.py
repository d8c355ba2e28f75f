"""Telegram Mini App ``initData``: checking what Telegram signed, and signing it in the sandbox.

Telegram hands the Mini App a query string (``query_id``, ``user`` as JSON,
``auth_date``, ``hash`` …). ``hash`` is HMAC-SHA256 over the *data-check string* —
every other field as ``key=value``, sorted by key, joined by line feeds — keyed
with ``HMAC-SHA256(key="WebAppData", msg=bot_token)``. Only the bot's token can
make it, so a page that passes the string back proves who opened it, and when
(``auth_date``). Nothing here reads a clock: the caller passes ``now``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlencode

WEB_APP_DATA = b"WebAppData"
MAX_LENGTH = 8192  # Telegram's initData is a few hundred bytes; anything huge is not it


class InitDataError(Exception):
    """initData that proves nothing: ``reason`` is one of missing, malformed, forged, expired, future."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class WebAppSession:
    """Who opened the Mini App (Telegram's user id) and when Telegram signed that (unix seconds)."""

    telegram_id: int
    auth_date: int
    hash: str
    language_code: str | None = None
    first_name: str | None = None


def secret_key(bot_token: str) -> bytes:
    return hmac.new(WEB_APP_DATA, bot_token.encode("utf-8"), hashlib.sha256).digest()


def data_check_string(fields: dict[str, str]) -> str:
    return "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The initData query string Telegram would give for ``fields`` (the sandbox's ``orderbot desk``)."""
    unsigned = {k: v for k, v in fields.items() if k != "hash"}
    digest = hmac.new(secret_key(bot_token), data_check_string(unsigned).encode("utf-8"), hashlib.sha256).hexdigest()
    return urlencode({**unsigned, "hash": digest})


def session_fields(*, telegram_id: int, auth_date: int, first_name: str = "", language_code: str = "",
                   query_id: str = "") -> dict[str, str]:
    """The fields of a private-chat launch, as Telegram fills them."""
    user = {"id": telegram_id, "first_name": first_name, "language_code": language_code}
    fields = {"user": json.dumps(user, ensure_ascii=False, separators=(",", ":")), "auth_date": str(auth_date)}
    if query_id:
        fields["query_id"] = query_id
    return fields


def check(raw: str | None, bot_token: str, *, now: int, max_age_seconds: int,
          future_leeway_seconds: int = 60) -> WebAppSession:
    """The session ``raw`` proves, or :class:`InitDataError`. ``now`` in unix seconds."""
    if not raw:
        raise InitDataError("missing")
    if len(raw) > MAX_LENGTH:
        raise InitDataError("malformed")
    try:
        pairs = parse_qsl(raw, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError("malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs) or "hash" not in fields:
        raise InitDataError("malformed")  # a repeated key could mean two things to two parsers
    expected = sign(fields, bot_token)
    given = fields["hash"]
    if not hmac.compare_digest(dict(parse_qsl(expected))["hash"].encode(), given.encode("utf-8", "replace")):
        raise InitDataError("forged")
    try:
        auth_date = int(fields["auth_date"])
        user = json.loads(fields["user"])
        telegram_id = int(user["id"])
    except (KeyError, ValueError, TypeError):
        raise InitDataError("malformed") from None
    if auth_date > now + future_leeway_seconds:
        raise InitDataError("future")
    if now - auth_date > max_age_seconds:
        raise InitDataError("expired")
    return WebAppSession(telegram_id, auth_date, given, user.get("language_code") or None, user.get("first_name"))
