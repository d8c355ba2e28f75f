"""config.example.toml documents every setting with its default; bad values stop start-up."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel

from bot.config import ConfigError, Settings, load_settings, settings_from_mapping

EXAMPLE = Path(__file__).resolve().parents[1] / "config.example.toml"


def _keys(shape: type, prefix: str = "") -> set[str]:
    if dataclasses.is_dataclass(shape):
        import typing

        hints = typing.get_type_hints(shape)
        names = [(f.name, hints[f.name]) for f in dataclasses.fields(shape)]
    elif isinstance(shape, type) and issubclass(shape, BaseModel):
        names = [(n, f.annotation) for n, f in shape.model_fields.items()]
    else:
        return set()
    keys: set[str] = set()
    for name, hint in names:
        if name in ("token", "webhook_secret", "audit_signing_key_file", "source"):  # environment only
            continue
        nested = _keys(hint, f"{prefix}{name}.")
        keys |= nested or {f"{prefix}{name}"}
    return keys


def _flatten(data: dict, prefix: str = "") -> set[str]:
    keys: set[str] = set()
    for key, value in data.items():
        if isinstance(value, dict) and not all(isinstance(v, float) for v in value.values()):
            keys |= _flatten(value, f"{prefix}{key}.")
        else:
            keys.add(f"{prefix}{key}")
    return keys


def test_the_example_names_every_setting() -> None:
    documented = _flatten(tomllib.loads(EXAMPLE.read_text(encoding="utf-8")))
    assert documented == _keys(Settings)


def test_the_example_holds_exactly_the_defaults() -> None:
    from_file = load_settings(EXAMPLE, environ={})
    embedded = settings_from_mapping({}, environ={})
    assert from_file.model_dump(exclude={"source"}) == embedded.model_dump(exclude={"source"})


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"rules": {"intake": {"window_start": "25:00"}}}, "[rules.intake] window_start = '25:00'"),
        ({"rules": {"lead_time": {"solid_dayz": 9}}}, "[rules.lead_time] solid_dayz = 9: unknown setting"),
        ({"telegram": {"framework": "telethon"}}, "'python-telegram-bot' or 'aiogram'"),
        ({"rules": {"timezone": "Asia/Beijing"}}, "[rules] timezone = 'Asia/Beijing'"),
        ({"sandbox": {"host": "0.0.0.0"}}, "loopback only"),
        ({"sandbox": {"enabled": False}}, "ORDERBOT_TOKEN is not set"),
        ({"token": "123:abc"}, "secrets and derived values are not read from the file"),
        ({"outbox": {"max_attempts": 0}}, "[outbox] max_attempts = 0"),
        ({"rules": {"working": {"calendar": "CHN"}}}, "'CN', 'HK', 'MO', 'TW' or 'none'"),
        ({"rules": {"working": {"holidays": ["2027-02-16"], "extra_working_days": ["2027-02-16"]}}},
         "holidays and extra_working_days both list 2027-02-16"),
    ],
)
def test_a_wrong_value_names_key_value_and_what_is_allowed(data: dict, named: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_mapping(data, environ={})
    assert named in str(raised.value)


def test_webhook_mode_with_a_token_requires_the_secret() -> None:
    data = {"telegram": {"mode": "webhook", "webhook": {"url": "https://bot.example.com/telegram"}}}
    with pytest.raises(ConfigError, match="ORDERBOT_WEBHOOK_SECRET is not set"):
        settings_from_mapping(data, environ={"ORDERBOT_TOKEN": "123:abc"})
    ok = settings_from_mapping(data, environ={"ORDERBOT_TOKEN": "123:abc", "ORDERBOT_WEBHOOK_SECRET": "s3cret"})
    assert ok.webhook_secret is not None and ok.webhook_secret.get_secret_value() == "s3cret"


def test_escalation_chain_names_known_roles() -> None:
    with pytest.raises(ConfigError, match="escalation_chain"):
        settings_from_mapping({"rules": {"after_sales": {"escalation_chain": ["clerk", "boss"]}}}, environ={})


def test_secrets_come_from_the_environment() -> None:
    settings = settings_from_mapping({}, environ={"ORDERBOT_TOKEN": "123:abc",
                                                   "ORDERBOT_DATABASE_URL": "postgresql://db/orderbot"})
    assert settings.token is not None and settings.token.get_secret_value() == "123:abc"
    assert not settings.uses_sandbox
    assert settings.database.url.get_secret_value() == "postgresql://db/orderbot"


def test_the_environment_database_url_wins_over_the_file() -> None:
    settings = settings_from_mapping({"database": {"url": "sqlite:///file.db", "echo": True}},
                                     environ={"ORDERBOT_DATABASE_URL": "postgresql://db/orderbot"})
    assert settings.database.url.get_secret_value() == "postgresql://db/orderbot"
    assert settings.database.echo is True


def test_other_orderbot_variables_are_not_settings() -> None:
    settings = settings_from_mapping({}, environ={"ORDERBOT_SOURCE": "forged", "ORDERBOT_TEST_PG_URL": "x",
                                                  "ORDERBOT_TOKEN": ""})
    assert settings.source == "(mapping)" and settings.token is None


SECRETS = {"ORDERBOT_TOKEN": "123456:AAE-very-secret-token", "ORDERBOT_WEBHOOK_SECRET": "hook-secret-42",
           "ORDERBOT_DATABASE_URL": "postgresql://orderbot:db-password-7@db/orderbot"}


def test_printing_or_logging_the_settings_shows_no_secret(caplog: pytest.LogCaptureFixture) -> None:
    import logging

    data = {"telegram": {"mode": "webhook", "webhook": {"url": "https://bot.example.com/telegram"}}}
    settings = settings_from_mapping(data, environ=SECRETS)
    with caplog.at_level(logging.INFO):
        logging.getLogger("orderbot.test").info("settings: %s / %r", settings, settings)
    shown = [repr(settings), str(settings), f"{settings}", repr(settings.database), str(settings.model_dump()),
             settings.model_dump_json(), caplog.text]
    for secret in ("very-secret-token", "hook-secret-42", "db-password-7"):
        for text in shown:
            assert secret not in text
    assert "**********" in repr(settings)


def test_a_config_error_does_not_echo_the_secrets() -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_mapping({"outbox": {"max_attempts": 0}}, environ=SECRETS)
    assert "very-secret-token" not in str(raised.value) and "db-password-7" not in str(raised.value)


def test_no_file_means_embedded_defaults(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.uses_sandbox and settings.source == "(embedded defaults)"
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(environ={"ORDERBOT_CONFIG": str(tmp_path / "missing.toml")})


def test_chats_at_once_follow_the_database_unless_set() -> None:
    sqlite = settings_from_mapping({}, environ={})
    postgres = settings_from_mapping({"database": {"url": "postgresql://postgres@127.0.0.1/x"}}, environ={})
    chosen = settings_from_mapping({"updates": {"concurrent_chats": 3}}, environ={})
    assert (sqlite.concurrent_chats, postgres.concurrent_chats, chosen.concurrent_chats) == (8, 16, 3)


def test_the_compose_deployments_three_instances_fit_in_postgresqls_default_connections() -> None:
    # deploy/compose.yaml's example scales the bot to 3 on a stock postgres:16 (100 connections).
    compose = Path(__file__).resolve().parents[1] / "deploy" / "config.compose.toml"
    settings = load_settings(compose, environ={"ORDERBOT_TOKEN": "123:abc", "ORDERBOT_WEBHOOK_SECRET": "s3cret",
                                               "ORDERBOT_DATABASE_URL": "postgresql://orderbot@db:5432/orderbot"})
    assert settings.telegram.mode == "webhook"
    assert 3 * settings.database_connections <= 100
