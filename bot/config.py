"""Configuration from the environment and `.env`, one settings class per area.

The environment variable names are a public contract: README, `.env.example` and
docker-compose use them. `load_settings()` validates every area and, when something is
wrong, raises one `ConfigError` that names every bad or missing variable. It never
echoes a value back, because most of them are secrets.
"""

from __future__ import annotations

import ipaddress
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_TELEGRAM_API_BASE = "https://api.telegram.org"
DEFAULT_OAUTH_SERVER_URL = "https://oauth.bitrix.info"

_WEBHOOK_PATH = re.compile(r"^/rest/(?P<user_id>\d+)/(?P<code>[^/]+)/?$")
_TELEGRAM_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


class ConfigError(Exception):
    """The configuration cannot be used. `problems` has one line per bad variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        lines = "\n".join(f"  - {problem}" for problem in problems)
        super().__init__(f"Invalid configuration:\n{lines}")


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_portal_url(url: str, variable: str) -> str:
    """An absolute http(s) URL; plain http only for a loopback host (the emulator)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"{variable} must be an absolute https:// URL")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"{variable} must use https:// (plain http is accepted only for a loopback host)"
        )
    return url


_BASE_CONFIG = SettingsConfigDict(
    env_file=".env", env_file_encoding="utf-8", extra="ignore", frozen=True
)


class TelegramSettings(BaseSettings):
    model_config = SettingsConfigDict(**_BASE_CONFIG, env_prefix="TELEGRAM_")

    bot_token: SecretStr
    api_base: str = DEFAULT_TELEGRAM_API_BASE

    @field_validator("bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TELEGRAM_TOKEN.match(value.get_secret_value()):
            raise ValueError("must look like 123456:ABC-DEF (the token BotFather gives)")
        return value

    @field_validator("api_base")
    @classmethod
    def _api_base_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an absolute http(s):// URL")
        return value.rstrip("/")


class Bitrix24Settings(BaseSettings):
    """Either an incoming webhook, or the OAuth set."""

    model_config = SettingsConfigDict(**_BASE_CONFIG, env_prefix="BITRIX24_")

    webhook_url: SecretStr | None = None
    portal_url: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    access_token: SecretStr | None = None
    refresh_token: SecretStr | None = None
    oauth_server_url: str = DEFAULT_OAUTH_SERVER_URL
    rate_limit: float = Field(default=2.0, gt=0, le=1000)
    rate_burst: int = Field(default=50, ge=1, le=10_000)
    request_timeout: float = Field(default=10.0, gt=0, le=120)
    call_deadline: float = Field(default=30.0, gt=0, le=600)
    # Calls that would wait for the rate limit share `batch` requests; off is one request per call.
    coalesce: bool = True
    # The part of that rate background work (refreshing day cards changed in Bitrix24) may
    # use; it only ever takes what interactive calls leave free. 0 switches it off.
    background_share: float = Field(default=0.25, ge=0, le=1)
    # The work schedule (Employees > Worktime > Work schedules) whose shifts and rules set
    # everyone's targets; no REST method tells which schedule an employee is on.
    schedule_id: int | None = Field(default=None, ge=1)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        url = value.get_secret_value()
        check_portal_url(url, "the webhook URL")
        if not _WEBHOOK_PATH.match(urlsplit(url).path):
            raise ValueError("must look like https://<portal>/rest/<user id>/<code>/")
        return value

    @field_validator("portal_url")
    @classmethod
    def _portal_shape(cls, value: str | None) -> str | None:
        if not value:
            return None
        return check_portal_url(value, "the portal URL").rstrip("/")

    @field_validator("oauth_server_url")
    @classmethod
    def _oauth_server_shape(cls, value: str) -> str:
        return check_portal_url(value, "the OAuth server URL").rstrip("/")

    @field_validator("schedule_id", mode="before")
    @classmethod
    def _empty_schedule_is_unset(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("client_secret", "access_token", "refresh_token")
    @classmethod
    def _empty_is_unset(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        return value

    @model_validator(mode="after")
    def _one_auth_method(self) -> Bitrix24Settings:
        oauth_given = [
            name
            for name, value in (
                ("BITRIX24_PORTAL_URL", self.portal_url),
                ("BITRIX24_CLIENT_ID", self.client_id),
                ("BITRIX24_CLIENT_SECRET", self.client_secret),
                ("BITRIX24_ACCESS_TOKEN", self.access_token),
                ("BITRIX24_REFRESH_TOKEN", self.refresh_token),
            )
            if value
        ]
        if self.webhook_url and oauth_given:
            raise ValueError(
                "BITRIX24_WEBHOOK_URL and the OAuth settings are both set "
                f"({', '.join(oauth_given)}); set one of the two"
            )
        if self.webhook_url:
            return self
        if not oauth_given:
            raise ValueError(
                "no Bitrix24 access: set BITRIX24_WEBHOOK_URL, or the OAuth set "
                "BITRIX24_PORTAL_URL, BITRIX24_CLIENT_ID, BITRIX24_CLIENT_SECRET and "
                "BITRIX24_ACCESS_TOKEN or BITRIX24_REFRESH_TOKEN"
            )
        missing = [
            name
            for name, value in (
                ("BITRIX24_PORTAL_URL", self.portal_url),
                ("BITRIX24_CLIENT_ID", self.client_id),
                ("BITRIX24_CLIENT_SECRET", self.client_secret),
            )
            if not value
        ]
        if not (self.access_token or self.refresh_token):
            missing.append("BITRIX24_ACCESS_TOKEN or BITRIX24_REFRESH_TOKEN")
        if missing:
            raise ValueError(f"the OAuth set is incomplete, missing: {', '.join(missing)}")
        return self

    @property
    def uses_webhook(self) -> bool:
        return self.webhook_url is not None


class RedisSettings(BaseSettings):
    model_config = SettingsConfigDict(**_BASE_CONFIG, env_prefix="REDIS_")

    url: SecretStr = SecretStr("redis://localhost:6379/0")

    @field_validator("url")
    @classmethod
    def _redis_scheme(cls, value: SecretStr) -> SecretStr:
        scheme = urlsplit(value.get_secret_value()).scheme
        if scheme not in ("redis", "rediss", "unix"):
            raise ValueError("must be a redis://, rediss:// or unix:// URL")
        return value


class BotMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


class BotSettings(BaseSettings):
    model_config = SettingsConfigDict(**_BASE_CONFIG, env_prefix="BOT_")

    admin_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    default_timezone: str = "UTC"
    mode: BotMode = BotMode.POLLING
    log_level: str = "INFO"
    log_format: str = "text"
    reminder_grace_minutes: int = Field(default=10, ge=0, le=24 * 60)
    send_rate: float = Field(default=28.0, gt=0, le=30)
    # /healthz and /metrics, in either mode; 0 switches the server off.
    health_host: str = "127.0.0.1"
    health_port: int = Field(default=8088, ge=0, le=65535)

    @field_validator("admin_ids", mode="before")
    @classmethod
    def _comma_separated(cls, value: Any) -> Any:
        if isinstance(value, str):
            items = [item.strip() for item in value.split(",") if item.strip()]
            if not all(re.fullmatch(r"-?\d+", item) for item in items):
                raise ValueError("must be comma-separated Telegram user ids, e.g. 12345,67890")
            return frozenset(int(item) for item in items)
        return value

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("must be an IANA time zone name such as Europe/Berlin") from None
        return value

    @field_validator("log_level")
    @classmethod
    def _level(cls, value: str) -> str:
        value = value.upper()
        if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return value

    @field_validator("log_format")
    @classmethod
    def _format(cls, value: str) -> str:
        value = value.lower()
        if value not in ("text", "json"):
            raise ValueError("must be text or json")
        return value


class WebhookSettings(BaseSettings):
    """Telegram webhook mode (BOT_MODE=webhook)."""

    model_config = SettingsConfigDict(**_BASE_CONFIG, env_prefix="WEBHOOK_")

    url: str | None = None
    secret: SecretStr | None = None
    host: str = "0.0.0.0"
    port: int = Field(default=8080, ge=1, le=65535)
    # Bounds for clients that connect and never finish a request (they apply to the
    # health server too): see bot/http_server.py.
    max_connections: int = Field(default=400, ge=8, le=100_000)
    idle_timeout: float = Field(default=15.0, gt=0, le=3600)
    request_timeout: float = Field(default=30.0, gt=0, le=600)

    @field_validator("url")
    @classmethod
    def _https(cls, value: str | None) -> str | None:
        if not value:
            return None
        parts = urlsplit(value)
        loopback_http = parts.scheme == "http" and is_loopback_host(parts.hostname)
        if not parts.hostname or not (parts.scheme == "https" or loopback_http):
            raise ValueError("must be the public https:// URL that Telegram will call")
        return value

    @field_validator("secret")
    @classmethod
    def _secret_shape(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        if not _WEBHOOK_SECRET.match(value.get_secret_value()):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @property
    def path(self) -> str:
        return urlsplit(self.url).path or "/" if self.url else "/webhook"


@dataclass(frozen=True)
class Settings:
    telegram: TelegramSettings
    bitrix24: Bitrix24Settings
    redis: RedisSettings
    bot: BotSettings
    webhook: WebhookSettings


_AREAS: tuple[tuple[str, type[BaseSettings]], ...] = (
    ("telegram", TelegramSettings),
    ("bitrix24", Bitrix24Settings),
    ("redis", RedisSettings),
    ("bot", BotSettings),
    ("webhook", WebhookSettings),
)


def _describe(error: Any, prefix: str) -> str:
    location = error.get("loc") or ()
    message = error.get("msg", "is invalid")
    message = message.removeprefix("Value error, ")
    if error.get("type") == "missing":
        message = "is required"
    if location:
        return f"{prefix}{str(location[0]).upper()}: {message}"
    return message


def contract_variables() -> list[str]:
    names = []
    for _, area in _AREAS:
        prefix = str(area.model_config.get("env_prefix", ""))
        names.extend(f"{prefix}{field}".upper() for field in area.model_fields)
    return names


def is_configured(env_file: str | Path | None = ".env", environ: Mapping[str, str] | None = None) -> bool:
    """True when any setting is given, in the environment or in `.env`.

    Nothing at all means "show me the sandbox"; anything at all means "run the real bot",
    so a half-filled configuration fails with a clear message instead of silently
    starting a demo.
    """
    environ = os.environ if environ is None else environ
    names = set(contract_variables())
    if any(environ.get(name) for name in names):
        return True
    if env_file is not None and Path(env_file).is_file():
        values = dotenv_values(env_file)
        return any(values.get(name) for name in names)
    return False


def load_settings(env_file: str | Path | None = ".env") -> Settings:
    """Read and validate every area; raise one `ConfigError` listing every problem."""
    problems: list[str] = []
    areas: dict[str, BaseSettings] = {}
    # An area with bad variables, read again with those at their defaults: what its good
    # variables say still counts (BOT_MODE=webhook next to a bad BOT_ADMIN_IDS).
    partial: dict[str, BaseSettings | None] = {}
    for name, area in _AREAS:
        try:
            areas[name] = area(_env_file=env_file)  # type: ignore[call-arg]
        except ValidationError as exc:
            prefix = str(area.model_config.get("env_prefix", ""))
            # include_input=False: a value can be a secret, never echo it.
            errors = exc.errors(include_input=False, include_url=False)
            problems.extend(_describe(error, prefix) for error in errors)
            partial[name] = _without(area, env_file, {str(e["loc"][0]) for e in errors if e.get("loc")})
    bot, webhook = areas.get("bot") or partial.get("bot"), areas.get("webhook") or partial.get("webhook")
    if bot is not None and webhook is not None and bot.mode is BotMode.WEBHOOK:  # type: ignore[attr-defined]
        named = {problem.split(":", 1)[0] for problem in problems}
        for variable, value in (("WEBHOOK_URL", webhook.url), ("WEBHOOK_SECRET", webhook.secret)):  # type: ignore[attr-defined]
            if not value and variable not in named:
                problems.append(f"{variable}: is required when BOT_MODE=webhook")
    if problems:
        raise ConfigError(problems)
    return Settings(**areas)  # type: ignore[arg-type]


def _without(area: type[BaseSettings], env_file: str | Path | None, bad: set[str]) -> BaseSettings | None:
    """The area read with its `bad` fields at their defaults, or None if that fails too."""
    fields = area.model_fields
    if any(name not in fields or fields[name].is_required() for name in bad):
        return None
    defaults = {name: fields[name].get_default(call_default_factory=True) for name in bad}
    try:
        return area(_env_file=env_file, **defaults)  # type: ignore[call-arg]
    except ValidationError:
        return None
