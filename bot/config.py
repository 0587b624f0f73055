"""Typed configuration from the environment (plus optional `confidant.toml` and `.env`).

Everything the program can be told lives here, validated once at start. A bad value stops the program with one
line per problem, naming the variable, never a traceback (`ConfigError`).
"""

from __future__ import annotations

import os
import re
import tomllib
import zoneinfo
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

# Kept in modules of their own so that `confidant ask` can use them without loading pydantic; re-exported here.
from bot.configerror import ConfigError as ConfigError
from bot.localzone import local_timezone as local_timezone
from bot.paths import data_dir as data_dir
from bot.paths import database_url as database_url

ENV_PREFIX = "CONFIDANT_"

# Secret variables also accept NAME_FILE (a path to a file holding the value), the Docker/Kubernetes habit;
# an empty file is as if the variable were unset.
SECRET_FIELDS = (
    "telegram_token",
    "telegram_webhook_secret",
    "jitsi_app_secret",
    "secret_key",
    "database_url",
)

Region = Literal["uk", "eu", "us", "other"]


def variable_name(field: str) -> str:
    return ENV_PREFIX + field.upper()


class Settings(BaseSettings):
    """All of Confidant's settings. Field `x` is read from `CONFIDANT_X`."""

    model_config = SettingsConfigDict(
        env_prefix=ENV_PREFIX,
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        toml_file="confidant.toml",
        validate_default=True,
    )

    database_url: str | None = None
    knowledge_dir: Path | None = None
    access: Literal["allowlist", "open"] = "allowlist"
    # Messages one person may send per minute before "one moment"; 0 turns the limit off.
    rate_per_minute: int = Field(default=20, ge=0)
    # NoDecode: a comma-separated list, not JSON.
    admins: Annotated[tuple[str, ...], NoDecode] = ()

    signal_url: str | None = None
    signal_number: str | None = None
    signal_receive: Literal["auto", "websocket", "poll"] = "auto"
    # Off: the answer itself, a moment later, says the message arrived; a receipt would be one more request
    # per message counted against Signal's rate limit. On shows "read" at once (README, Signal).
    signal_read_receipts: bool = False
    # "Typing…" for answers that take longer than a moment (a second); quick answers send nothing.
    signal_typing: bool = True

    telegram_token: SecretStr | None = None
    telegram_api_url: str = "https://api.telegram.org/bot"
    telegram_webhook_url: str | None = None
    # Its own address, never the one of /metrics: the webhook faces the internet, the metrics must not.
    telegram_webhook_addr: str = "127.0.0.1:8443"
    telegram_webhook_secret: SecretStr | None = None

    jitsi_url: str = "https://meet.jit.si"
    jitsi_app_id: str | None = None
    jitsi_app_secret: SecretStr | None = None
    jitsi_xmpp_domain: str | None = None
    jaas_app_id: str | None = None
    jaas_key_id: str | None = None
    jaas_private_key_file: Path | None = None

    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_format: Literal["text", "json"] = "text"
    region: Region | None = None  # None: not said; a messenger conversation asks once
    timezone: str = Field(default_factory=lambda: local_timezone())  # the machine's zone if unset
    secret_key: SecretStr | None = None
    http_addr: str = "127.0.0.1:9090"
    site_url: str | None = None  # public address of the `kb site` website: canonical links, and the bot's "more"

    data_dir: Path | None = Field(default=None, description="Overrides the user data folder (tests, containers).")

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # Environment beats .env beats confidant.toml: the operator's shell has the last word.
        toml = TomlConfigSettingsSource(settings_cls)
        _check_toml_keys(toml.toml_data)
        return (init_settings, env_settings, dotenv_settings, toml)

    @field_validator("admins", mode="before")
    @classmethod
    def _split_admins(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(part.strip() for part in value.split(",") if part.strip())
        return value

    @field_validator("admins")
    @classmethod
    def _check_admins(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # Which messengers exist is the registry's to say (bot/transports/registry.py); here only the shape.
        for admin in value:
            if not re.fullmatch(r"[a-z]+:\S+", admin):
                raise ValueError(f"{admin!r} is not transport:id (e.g. signal:+447700900123 or telegram:123456)")
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @field_validator("region", "log_format", "access", "signal_receive", mode="before")
    @classmethod
    def _lower_choice(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("timezone")
    @classmethod
    def _check_timezone(cls, value: str) -> str:
        try:
            zoneinfo.ZoneInfo(value)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{value!r} is not an IANA time zone name such as Europe/London") from None
        return value

    @field_validator("signal_number")
    @classmethod
    def _check_number(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\+[1-9][0-9]{6,14}", value):
            raise ValueError("must be an E.164 number such as +447700900123")
        return value

    @field_validator("signal_url", "jitsi_url", "telegram_api_url", "telegram_webhook_url", "site_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^\s/]+", value):
            raise ValueError("must be an http:// or https:// URL")
        return value.rstrip("/") if value is not None else None

    @field_validator("telegram_webhook_secret")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        # Telegram's own rule for secret_token; anything else makes setWebhook fail at start.
        if value is not None and not re.fullmatch(r"[A-Za-z0-9_-]{16,256}", value.get_secret_value()):
            raise ValueError("must be 16 to 256 letters, digits, _ or -")
        return value

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.match(r"(sqlite|postgresql)(\+\w+)?://", value):
            raise ValueError("must start with sqlite:/// or postgresql://")
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            make_url(value).port  # noqa: B018 - parsing the port is the check
        except (ArgumentError, ValueError):
            raise ValueError("is not a database URL such as postgresql://user@host:5432/db") from None
        return value

    @field_validator("http_addr", "telegram_webhook_addr")
    @classmethod
    def _check_addr(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise ValueError("must be HOST:PORT such as 127.0.0.1:9090")
        return value


def _check_toml_keys(data: Mapping[str, object]) -> None:
    """A key of confidant.toml that is no setting (a typo such as `signal_nubmer`) would be ignored in silence."""
    import difflib

    known = list(Settings.model_fields)
    lines = []
    for key in data:
        if key.lower() not in Settings.model_fields:  # names are not case-sensitive, as in the environment
            close = difflib.get_close_matches(key.lower().removeprefix("confidant_"), known, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            lines.append(f"confidant.toml: {key!r} is not a setting{hint}")
    if lines:
        raise ConfigError(lines)


def _read_secret_files(environ: Mapping[str, str]) -> dict[str, Any]:
    """Values given as CONFIDANT_X_FILE, read from disk; problems are reported like any other bad value."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for field in SECRET_FIELDS:
        file_variable = variable_name(field) + "_FILE"
        path = environ.get(file_variable)
        if not path:
            continue
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as error:
            problems.append(f"{file_variable}: cannot read {path}: {error.strerror or error}")
            continue
        # An empty file counts as unset, so that compose.yaml can mount every secret whether it is used or not.
        if value:
            values[field] = value
    if problems:
        raise ConfigError(problems)
    return values


def _describe(error: ValidationError) -> list[str]:
    lines = []
    for problem in error.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "?"
        message = problem["msg"].removeprefix("Value error, ")
        lines.append(f"{variable_name(field)}: {message}")
    return lines


def _from_process(from_files: dict[str, Any], overrides: dict[str, Any]) -> Settings:
    """Settings from the environment, `.env` and `confidant.toml`; a broken file is a ConfigError too."""
    try:
        return Settings(**from_files, **overrides)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError([f"confidant.toml: not valid TOML: {error}"]) from None
    except UnicodeDecodeError:
        raise ConfigError([".env or confidant.toml: not UTF-8 text"]) from None


def load_settings(environ: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
    """Read and validate settings, raising `ConfigError` with one line per problem."""
    env = os.environ if environ is None else environ
    from_files = _read_secret_files(env)
    try:
        if environ is None:
            return _from_process(from_files, overrides)
        # An explicit mapping (tests) replaces the process environment, files on disk included.
        fields = {name: value for name in Settings.model_fields if (value := env.get(variable_name(name))) is not None}
        return Settings.model_validate({**fields, **from_files, **overrides})
    except ValidationError as error:
        raise ConfigError(_describe(error)) from None
