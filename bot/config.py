"""Settings: ``config.toml`` (read with :mod:`tomllib`) validated into typed values.

A wrong value stops the bot at start with the key, the value and what is
allowed — better than a reminder that silently never fires. pydantic does the
checking: unknown keys (``extra="forbid"``), ranges, and the rules that span
several settings (validators below). Secrets never live in the file: they come
from the environment (``ORDERBOT_TOKEN`` …, read by pydantic-settings) and are
:class:`~pydantic.SecretStr`, so printing or logging the settings shows ``**********``.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
import typing
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_core import PydanticCustomError
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from domain.evidence.note import NoteError, Signer
from domain.policy.settings import PolicySettings
from domain.roles import Role

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
    url: SecretStr = SecretStr("sqlite+aiosqlite:///orderbot-data/orderbot.sqlite3")  # may hold a password
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


class DeskSettings(_Section):
    enabled: bool = True
    listen: str = "127.0.0.1"
    port: int = Field(8082, ge=0, le=65535)
    path: str = "/desk"
    public_url: str = ""
    max_age_seconds: int = Field(3600, ge=60, le=7 * 24 * 3600)

    @field_validator("public_url")
    @classmethod
    def _https_only(cls, url: str) -> str:
        # Telegram opens Mini Apps over https only; a plain http URL would give a dead button.
        if url and not url.startswith("https://"):
            raise ValueError("Telegram opens Mini Apps over https only: https://… or empty")
        return url

    @field_validator("path")
    @classmethod
    def _absolute(cls, path: str) -> str:
        if not path.startswith("/") or path == "/" or path.endswith("/"):
            raise ValueError("a path such as /desk: starting with / and not ending with one")
        return path


class BotSettings(_Section):
    default_language: Literal["zh-CN", "zh-TW", "en"] = "zh-CN"
    files_dir: str = "orderbot-data/files"
    invite_valid_hours: int = Field(72, ge=1, le=24 * 90)


class UpdatesSettings(_Section):
    concurrent_chats: int = Field(0, ge=0, le=500)  # 0: Settings.concurrent_chats picks by database
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


def _config_error(text: str) -> PydanticCustomError:
    """A validator's own finding, already worded as ``[section] key = value: why``."""
    return PydanticCustomError("config", "{text}", {"text": text})


# The environment the settings read; a mapping for tests, ``os.environ`` otherwise.
_ENVIRON: ContextVar[Mapping[str, str]] = ContextVar("orderbot_environ")


class _Environment(PydanticBaseSettingsSource):
    """The settings that come from the environment, by their documented names (empty counts as unset).

    A source of its own rather than pydantic-settings' prefix matching, so no other
    ``ORDERBOT_*`` variable (ORDERBOT_CONFIG, the tests' ORDERBOT_TEST_PG_URL) is read as a setting.
    """

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        super().__init__(settings_cls)
        self._environ = environ

    def get_field_value(self, field: FieldInfo, field_name: str) -> tuple[Any, str, bool]:
        return None, field_name, False  # unused: __call__ reads every variable at once

    def __call__(self) -> dict[str, Any]:
        values: dict[str, Any] = {field: self._environ[name] for field, name in _FROM_ENVIRONMENT.items()
                                  if self._environ.get(name)}
        if self._environ.get(ENV_DATABASE_URL):
            values["database"] = {"url": self._environ[ENV_DATABASE_URL]}
        return values


_FROM_ENVIRONMENT = {"token": ENV_TOKEN, "webhook_secret": ENV_WEBHOOK_SECRET,
                     "audit_signing_key_file": ENV_AUDIT_SIGNING_KEY_FILE}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="forbid", frozen=True, env_prefix="ORDERBOT_", env_ignore_empty=True)

    telegram: TelegramSettings = TelegramSettings()
    database: DatabaseSettings = DatabaseSettings()
    sandbox: SandboxSettings = SandboxSettings()
    desk: DeskSettings = DeskSettings()
    bot: BotSettings = BotSettings()
    updates: UpdatesSettings = UpdatesSettings()
    parser: ParserSettings = ParserSettings()
    scheduler: SchedulerSettings = SchedulerSettings()
    outbox: OutboxSettings = OutboxSettings()
    groups: GroupsSettings = GroupsSettings()
    rules: PolicySettings = PolicySettings()

    # From the environment only (ORDERBOT_TOKEN, ORDERBOT_WEBHOOK_SECRET, ORDERBOT_AUDIT_SIGNING_KEY_FILE).
    token: SecretStr | None = None
    webhook_secret: SecretStr | None = None
    audit_signing_key_file: str | None = None  # signs audit checkpoints (orderbot audit keygen)
    source: str = "(embedded defaults)"

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment first, so ORDERBOT_DATABASE_URL wins over [database] url (the file may not
        # name the other secrets at all); no .env file and no secrets directory.
        return _Environment(settings_cls, _ENVIRON.get(os.environ)), init_settings

    @field_validator("rules")
    @classmethod
    def _rules_hold_together(cls, rules: PolicySettings) -> PolicySettings:
        try:
            ZoneInfo(rules.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise _config_error(f"[rules] timezone = {rules.timezone!r}: unknown time zone; use an IANA name such "
                                "as 'Asia/Shanghai'") from None
        chain = rules.after_sales.escalation_chain
        unknown = [r for r in chain if r not in {role.value for role in Role}]
        if unknown:
            raise _config_error(f"[rules.after_sales] escalation_chain = {list(chain)!r}: unknown role(s) {unknown}; "
                                f"allowed: {', '.join(r.value for r in Role)}")
        both = sorted(set(map(str, rules.working.holidays)) & set(map(str, rules.working.extra_working_days)))
        if both:
            raise _config_error(f"[rules.working] holidays and extra_working_days both list {', '.join(both)}: "
                                "a day is either off or worked; remove it from one list")
        return rules

    @model_validator(mode="after")
    def _reachable(self) -> Settings:
        if self.token is None and not self.sandbox.enabled:
            raise _config_error(f"[sandbox] enabled = false but {ENV_TOKEN} is not set: set the token to reach "
                                "Telegram, or enable the sandbox")
        if self.telegram.mode == "webhook" and self.token and not self.webhook_secret:
            raise _config_error(f"[telegram] mode = 'webhook' but {ENV_WEBHOOK_SECRET} is not set: without it "
                                "anyone who finds the URL could post updates")
        if self.telegram.mode == "webhook" and self.token and not self.telegram.webhook.url:
            raise _config_error("[telegram.webhook] url = '': webhook mode needs the public https URL Telegram "
                                "should call")
        return self

    @property
    def concurrent_chats(self) -> int:
        """How many chats are worked on at once. SQLite has one writer, so more chats at once only
        queue for it, and the longer that queue the less fair it is: at 50 people typing, 8 kept
        the slowest answers within 0.9 s where 16 let them reach 1.1-1.6 s and 64 2.5 s
        (``benchmarks/load_bench.py``). PostgreSQL works on several at once."""
        if self.updates.concurrent_chats:
            return self.updates.concurrent_chats
        return 8 if self.database.url.get_secret_value().startswith("sqlite") else 16

    @property
    def database_connections(self) -> int:
        """The most database connections one instance opens: one a busy chat (on PostgreSQL it
        holds the chat's lock on it), plus the recording, the outbox, the scheduler and the jobs.
        N instances must fit in PostgreSQL's max_connections."""
        return self.concurrent_chats + 8

    @property
    def uses_sandbox(self) -> bool:
        return self.token is None

    @property
    def timezone(self) -> ZoneInfo:
        return ZoneInfo(self.rules.timezone)


def _allowed_keys(loc: Sequence[str]) -> list[str]:
    """The setting names of the section at ``loc`` (for an unknown key's message)."""
    shape: Any = Settings
    for part in loc:
        if isinstance(shape, type) and issubclass(shape, BaseModel):
            shape = shape.model_fields[part].annotation
        elif dataclasses.is_dataclass(shape):
            shape = typing.get_type_hints(shape)[part]
        else:
            return []
    if isinstance(shape, type) and issubclass(shape, BaseModel):
        return [name for name in shape.model_fields if name not in _ENVIRONMENT_ONLY]
    if dataclasses.is_dataclass(shape):
        return [f.name for f in dataclasses.fields(shape)]
    return []


_ENVIRONMENT_ONLY = ("token", "webhook_secret", "audit_signing_key_file", "source")
_UNKNOWN_KEY = ("extra_forbidden", "unexpected_keyword_argument")


def _format(error: ValidationError, source: str) -> str:
    lines = [f"invalid configuration in {source}:"]
    for err in error.errors():
        loc = [str(part) for part in err["loc"]]
        if err["type"] == "config":
            lines.append(f"  {err['msg']}")
            continue
        key = f"[{'.'.join(loc[:-1])}] {loc[-1]}" if len(loc) > 1 else loc[0] if loc else "?"
        if err["type"] in _UNKNOWN_KEY:
            allowed = ", ".join(_allowed_keys(loc[:-1]))
            lines.append(f"  {key} = {err.get('input')!r}: unknown setting; allowed: {allowed}")
            continue
        expected = err.get("ctx", {}).get("expected")
        msg = err["msg"] + (f" (allowed: {expected})" if expected and str(expected) not in err["msg"] else "")
        lines.append(f"  {key} = {err.get('input')!r}: {msg}")
    return "\n".join(lines)


@contextmanager
def _environment(environ: Mapping[str, str]) -> Iterator[None]:
    token = _ENVIRON.set(environ)
    try:
        yield
    finally:
        _ENVIRON.reset(token)


def settings_from_mapping(data: Mapping[str, Any], *, environ: Mapping[str, str] | None = None,
                          source: str = "(mapping)") -> Settings:
    environ = os.environ if environ is None else environ
    for forbidden in _ENVIRONMENT_ONLY:
        if forbidden in data:
            raise ConfigError(f"invalid configuration in {source}:\n  {forbidden}: secrets and derived values "
                              f"are not read from the file; set {ENV_TOKEN} / {ENV_WEBHOOK_SECRET} in the environment")
    try:
        with _environment(environ):
            return Settings(**data, source=source)
    except ValidationError as error:
        raise ConfigError(_format(error, source)) from None


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
