"""initData: what Telegram signs is accepted, anything else is refused with its reason (pure)."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import parse_qsl, urlencode

import pytest

from domain.desk.init_data import InitDataError, check, session_fields, sign

TOKEN = "123456:TEST-TOKEN"
NOW = 1_800_000_000


def signed(**overrides: object) -> str:
    fields = session_fields(telegram_id=1002, auth_date=NOW - 10, first_name="王经理", language_code="zh-hans",
                            query_id="AAH")
    fields.update({k: str(v) for k, v in overrides.items()})
    return sign(fields, TOKEN)


def test_a_launch_signed_with_the_bot_token_is_the_person_it_names() -> None:
    session = check(signed(), TOKEN, now=NOW, max_age_seconds=3600)
    assert (session.telegram_id, session.auth_date, session.language_code) == (1002, NOW - 10, "zh-hans")


def test_the_hash_is_telegrams_construction() -> None:
    """secret = HMAC_SHA256(key="WebAppData", msg=token); hash = HMAC_SHA256(secret, sorted key=value lines)."""
    fields = dict(parse_qsl(signed()))
    secret = hmac.new(b"WebAppData", TOKEN.encode(), hashlib.sha256).digest()
    lines = "\n".join(f"{k}={fields[k]}" for k in sorted(fields) if k != "hash")
    assert fields["hash"] == hmac.new(secret, lines.encode(), hashlib.sha256).hexdigest()


def _tampered(raw: str, key: str, value: str) -> str:
    fields = dict(parse_qsl(raw))
    fields[key] = value
    return urlencode(fields)


@pytest.mark.parametrize("raw, reason", [
    (None, "missing"),
    ("", "missing"),
    ("not a query string", "malformed"),
    ("user=%7B%7D&auth_date=1", "malformed"),  # no hash
    ("x" * 9000, "malformed"),
])
def test_what_is_not_initdata_is_refused(raw: str | None, reason: str) -> None:
    with pytest.raises(InitDataError) as refused:
        check(raw, TOKEN, now=NOW, max_age_seconds=3600)
    assert refused.value.reason == reason


def test_another_person_in_the_same_signature_is_forged() -> None:
    raw = _tampered(signed(), "user", '{"id":1003,"first_name":"x"}')
    with pytest.raises(InitDataError) as refused:
        check(raw, TOKEN, now=NOW, max_age_seconds=3600)
    assert refused.value.reason == "forged"


def test_a_later_auth_date_in_the_same_signature_is_forged() -> None:
    raw = _tampered(signed(), "auth_date", str(NOW))
    with pytest.raises(InitDataError, match="forged"):
        check(raw, TOKEN, now=NOW, max_age_seconds=3600)


def test_signed_by_another_bot_is_forged() -> None:
    with pytest.raises(InitDataError, match="forged"):
        check(signed(), "999:OTHER", now=NOW, max_age_seconds=3600)


def test_a_repeated_key_is_malformed_not_read_two_ways() -> None:
    with pytest.raises(InitDataError, match="malformed"):
        check(signed() + "&auth_date=1", TOKEN, now=NOW, max_age_seconds=3600)


def test_older_than_the_configured_age_is_expired_and_the_age_itself_is_not() -> None:
    raw = signed(auth_date=NOW - 3600)
    assert check(raw, TOKEN, now=NOW, max_age_seconds=3600).telegram_id == 1002
    with pytest.raises(InitDataError, match="expired"):
        check(raw, TOKEN, now=NOW + 1, max_age_seconds=3600)


def test_signed_in_the_future_beyond_the_leeway_is_refused() -> None:
    with pytest.raises(InitDataError, match="future"):
        check(signed(auth_date=NOW + 120), TOKEN, now=NOW, max_age_seconds=3600)
