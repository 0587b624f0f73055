"""The installation's secret key, which every keyed hash (users, messages, conversations) and every sealed value
derives from: from CONFIDANT_SECRET_KEY, or generated once into the data folder on SQLite."""

from __future__ import annotations

import re
from typing import Protocol

from bot.configerror import ConfigError
from bot.paths import Stored, data_dir, database_url
from bot.shared.pseudonym import Keyer, load_or_create_secret


class Secret(Protocol):
    def get_secret_value(self) -> str: ...


class KeySettings(Stored, Protocol):
    """What the key depends on: `Settings`, or on `confidant ask`'s quick path the defaults (bot/unconfigured.py)."""

    @property
    def secret_key(self) -> Secret | None: ...


def keyer_for(settings: KeySettings) -> Keyer:
    if settings.secret_key is not None:
        return Keyer(secret_from_setting(settings.secret_key.get_secret_value()))
    path = data_dir(settings) / "secret.key"
    if database_url(settings).startswith("postgresql"):  # the only other kind CONFIDANT_DATABASE_URL accepts
        # Several instances, maybe on several hosts, must hash alike: one key generated per host would not.
        where = f"; this install already generated one: copy the contents of {path}" if path.exists() else ""
        raise ConfigError(
            [
                "CONFIDANT_SECRET_KEY: required with PostgreSQL, the same for every instance (make one with "
                f'`python3 -c "import secrets; print(secrets.token_hex(32))"`{where})'
            ]
        )
    try:
        return Keyer(load_or_create_secret(path))
    except OSError as error:
        raise ConfigError([f"CONFIDANT_DATA_DIR: cannot use {path.parent}: {error.strerror or error}"]) from None
    except ValueError:
        raise ConfigError(
            [
                f"CONFIDANT_SECRET_KEY: {path} is damaged; restore it from a backup, or delete it to start "
                "afresh (settings stored under the old key then belong to no one)"
            ]
        ) from None


def secret_from_setting(value: str) -> bytes:
    """64 hex digits are the 32 bytes they spell, as in a generated `secret.key`, so that key copied into
    CONFIDANT_SECRET_KEY keeps every hash; anything else is used as it is written."""
    if re.fullmatch(r"[0-9a-fA-F]{64}", value):
        return bytes.fromhex(value)
    secret = value.encode()
    if len(secret) < 16:
        raise ConfigError(["CONFIDANT_SECRET_KEY: must be at least 16 characters"])
    return secret
