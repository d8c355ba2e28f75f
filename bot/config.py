"""Settings: ``config.toml`` (read with :mod:`tomllib`) validated into typed values.

A wrong value stops the bot at start with the key, the value and what is
allowed — better than a reminder that silently never fires. Secrets never live
in the file: they come from the environment (``ORDERBOT_TOKEN`` …).
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from domain.evidence.note import NoteError, Signer
from domain.policy.settings import PolicySettings

ENV_CONFIG = "ORDERBOT_CONFIG"
ENV_TOKEN = "ORDERBOT_TOKEN"
ENV_DATABASE_URL = "ORDERBOT_DATABASE_URL"
ENV_WEBHOOK_SECRET = "ORDERBOT_WEBHOOK_SECRET"
ENV_AUDIT_SIGNING_KEY_FILE = "ORDERBOT_AUDIT_SIGNING_KEY_FILE"

DEFAULT_CONFIG_FILE = "config.toml"
TELEGRAM_API = "https://api.telegram.org/bot"
TELEGRAM_FILES = "https://api.telegram.org/file/bot"
LANGUAGES = ("zh-CN", "zh-TW", "en")


class ConfigError(Exception):
    """The configuration cannot be used; the message names key, value and what is allowed."""


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookSettings(_Section):
    url: str = ""
    listen: str = "127.0.0.1"
    port: int = Field(8443, ge=1, le=65535)
    path: str = "/telegram"


class TelegramSettings(_Section):
    framework: Literal["python-telegram-bot", "aiogram"] = "python-telegram-bot"
    admins: tuple[int, ...] = ()
    api_base_url: str = TELEGRAM_API
    api_file_url: str = TELEGRAM_FILES
    mode: Literal["polling", "webhook"] = "polling"
    webhook: WebhookSettings = WebhookSettings()


class DatabaseSettings(_Section):
    url: str = "sqlite+aiosqlite:///orderbot-data/orderbot.sqlite3"
    echo: bool = False


class SandboxSettings(_Section):
    enabled: bool = True
    host: str = "127.0.0.1"
    port: int = Field(8081, ge=0, le=65535)
    demo_team: bool = True
    demo_groups: bool = True  # the demo's store groups and desk group (`orderbot chat --group`)
    attach: bool = False

    @field_validator("host")
    @classmethod
    def _loopback_only(cls, host: str) -> str:
        # The sandbox is a test double: it must never listen beyond this machine.
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the sandbox listens on loopback only: 127.0.0.1, localhost or ::1")
        return host


class BotSettings(_Section):
    default_language: Literal["zh-CN", "zh-TW", "en"] = "zh-CN"
    files_dir: str = "orderbot-data/files"
    invite_valid_hours: int = Field(72, ge=1, le=24 * 90)


class UpdatesSettings(_Section):
    concurrent_chats: int = Field(16, ge=1, le=500)
    shutdown_grace_seconds: float = Field(10.0, ge=0.0, le=300.0)
    inbox_recovery_seconds: float = Field(15.0, ge=1.0, le=3600.0)


class ParserSettings(_Section):
    extra_words: tuple[str, ...] = ()


class SchedulerSettings(_Section):
    enabled: bool = True
    sweep_seconds: int = Field(60, ge=5, le=3600)


class OutboxSettings(_Section):
    max_attempts: int = Field(8, ge=1, le=100)
    per_chat_interval_seconds: float = Field(1.0, ge=0.0, le=60.0)
    per_bot_per_second: int = Field(30, ge=1, le=1000)
    lease_seconds: float = Field(30.0, ge=5.0, le=3600.0)
    backoff_first_seconds: float = Field(1.0, ge=0.0, le=600.0)


class GroupsSettings(_Section):
    """Store groups and the clerks' desk group (see README "Running it in groups")."""

    # One desk topic per store, or one per order.
    desk_topics: Literal["store", "order"] = "store"
    # Where clerks' notifications go once a desk group is linked: the desk's topics, the
    # clerks' private chats (as without a desk), or both.
    clerk_notices: Literal["desk", "private", "both"] = "desk"
    # Telegram's limit for one group: 20 messages a minute.
    per_group_per_minute: int = Field(20, ge=1, le=60)


class Settings(_Section):
    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    sandbox: SandboxSettings = SandboxSettings()
    bot: BotSettings = BotSettings()
    updates: UpdatesSettings = UpdatesSettings()
    parser: ParserSettings = ParserSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    outbox: OutboxSettings = OutboxSettings()
    groups: GroupsSettings = GroupsSettings()
    rules: PolicySettings = PolicySettings()

    # From the environment only.
    token: str | None = None
    webhook_secret: str | None = None
    audit_signing_key_file: str | None = None  # signs audit checkpoints (orderbot audit keygen)
    source: str = "(embedded defaults)"

    @property
    def uses_sandbox(self) -> bool:
        return self.token is None

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.rules.timezone)


def _unknown_keys(data: Mapping[str, Any], shape: type, path: str) -> list[str]:
    """Name keys that are not settings, so a typo does not silently keep a default."""
    if dataclasses.is_dataclass(shape):
        fields = {f.name: f.type for f in dataclasses.fields(shape)}
        hints = {f.name: _resolved_type(shape, f.name) for f in dataclasses.fields(shape)}
    elif isinstance(shape, type) and issubclass(shape, BaseModel):
        fields = shape.model_fields
        hints = {name: f.annotation for name, f in shape.model_fields.items()}
    else:
        return []
    problems = []
    for key, value in data.items():
        if key not in fields:
            problems.append(f"[{path}] {key} = {value!r}: unknown setting; allowed: {', '.join(fields)}")
        elif isinstance(value, Mapping):
            problems += _unknown_keys(value, hints[key], f"{path}.{key}" if path else key)
    return problems


def _resolved_type(cls: type, name: str) -> Any:
    import typing

    return typing.get_type_hints(cls)[name]


def _format(error: ValidationError, source: str) -> str:
    lines = [f"invalid configuration in {source}:"]
    for err in error.errors():
        loc = [str(part) for part in err["loc"]]
        key = f"[{'.'.join(loc[:-1])}] {loc[-1]}" if len(loc) > 1 else loc[0] if loc else "?"
        allowed = err.get("ctx", {}).get("expected")
        msg = err["msg"] + (f" (allowed: {allowed})" if allowed and str(allowed) not in err["msg"] else "")
        lines.append(f"  {key} = {err.get('input')!r}: {msg}")
    return "\n".join(lines)


def settings_from_mapping(data: Mapping[str, Any], *, environ: Mapping[str, str] | None = None,
                          source: str = "(mapping)") -> Settings:
    environ = os.environ if environ is None else environ
    data = dict(data)
    for forbidden in ("token", "webhook_secret", "audit_signing_key_file", "source"):
        if forbidden in data:
            raise ConfigError(f"invalid configuration in {source}:\n  {forbidden}: secrets and derived values "
                              f"are not read from the file; set {ENV_TOKEN} / {ENV_WEBHOOK_SECRET} in the environment")
    problems = _unknown_keys(data, Settings, "")
    if problems:
        raise ConfigError(f"invalid configuration in {source}:\n  " + "\n  ".join(problems))
    timezone = data.get("rules", {}).get("timezone", PolicySettings().timezone)
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"invalid configuration in {source}:\n  [rules] timezone = {timezone!r}: "
                          "unknown time zone; use an IANA name such as 'Asia/Shanghai'") from None
    chain = data.get("rules", {}).get("after_sales", {}).get("escalation_chain")
    if chain is not None:
        from domain.roles import Role

        unknown = [r for r in chain if r not in {role.value for role in Role}]
        if unknown:
            raise ConfigError(f"invalid configuration in {source}:\n  [rules.after_sales] escalation_chain = {chain!r}: "
                              f"unknown role(s) {unknown}; allowed: {', '.join(r.value for r in Role)}")
    working = data.get("rules", {}).get("working", {})
    both = sorted(set(map(str, working.get("holidays", ()))) & set(map(str, working.get("extra_working_days", ()))))
    if both:
        raise ConfigError(f"invalid configuration in {source}:\n  [rules.working] holidays and extra_working_days "
                          f"both list {', '.join(both)}: a day is either off or worked; remove it from one list")
    if environ.get(ENV_DATABASE_URL):
        data["database"] = {**data.get("database", {}), "url": environ[ENV_DATABASE_URL]}
    data["token"] = environ.get(ENV_TOKEN) or None
    data["webhook_secret"] = environ.get(ENV_WEBHOOK_SECRET) or None
    data["audit_signing_key_file"] = environ.get(ENV_AUDIT_SIGNING_KEY_FILE) or None
    data["source"] = source
    try:
        settings = Settings.model_validate(data)
    except ValidationError as error:
        raise ConfigError(_format(error, source)) from None
    if settings.token is None and not settings.sandbox.enabled:
        raise ConfigError(f"invalid configuration in {source}:\n  [sandbox] enabled = false but {ENV_TOKEN} is not set: "
                          "set the token to reach Telegram, or enable the sandbox")
    if settings.telegram.mode == "webhook" and settings.token and not settings.webhook_secret:
        raise ConfigError(f"invalid configuration in {source}:\n  [telegram] mode = 'webhook' but {ENV_WEBHOOK_SECRET} "
                          "is not set: without it anyone who finds the URL could post updates")
    if settings.telegram.mode == "webhook" and settings.token and not settings.telegram.webhook.url:
        raise ConfigError(f"invalid configuration in {source}:\n  [telegram.webhook] url = '': "
                          "webhook mode needs the public https URL Telegram should call")
    return settings


def load_audit_signer(settings: Settings) -> Signer | None:
    """The checkpoint signing key named by the environment; None when none is set."""
    path = settings.audit_signing_key_file
    if not path:
        return None
    try:
        return Signer.parse(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{ENV_AUDIT_SIGNING_KEY_FILE}={path}: cannot read the signing key ({error.strerror}); "
                          "make one with: orderbot audit keygen --out FILE") from None
    except NoteError as error:
        raise ConfigError(f"{ENV_AUDIT_SIGNING_KEY_FILE}={path}: not a signing key: {error}") from None


def load_settings(path: str | os.PathLike[str] | None = None, *,
                  environ: Mapping[str, str] | None = None) -> Settings:
    """Read the config file named by ``path``, ``$ORDERBOT_CONFIG`` or ``./config.toml``.

    With none of them present the embedded defaults are used, which is what the
    README's first command relies on.
    """
    environ = os.environ if environ is None else environ
    explicit = path or environ.get(ENV_CONFIG)
    candidate = Path(explicit) if explicit else Path(DEFAULT_CONFIG_FILE)
    if not candidate.exists():
        if explicit:
            raise ConfigError(f"config file not found: {candidate}")
        return settings_from_mapping({}, environ=environ, source="(embedded defaults)")
    try:
        data = tomllib.loads(candidate.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{candidate}: not valid TOML: {error}") from None
    return settings_from_mapping(data, environ=environ, source=str(candidate))
