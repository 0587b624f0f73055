"""`confidant ask` on a machine where nothing configures Confidant: every setting has its default, so there is
nothing to validate, and the settings' validation (pydantic-settings, about ten times a bare interpreter's start)
need not load.

Nothing configures it when no environment variable starts with CONFIDANT_ and neither `.env` nor `confidant.toml`
is in the working folder: the only places bot/config.py reads. Anything found there goes through that validation,
with its one line per problem, exactly as for every other command. A test holds `Defaults` to `Settings`' own
defaults and these names to its configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from bot.localzone import local_timezone

if TYPE_CHECKING:
    from bot.config import Settings

PREFIX = "CONFIDANT_"  # compared without regard to case, as pydantic-settings compares names
FILES = (".env", "confidant.toml")  # read from the working folder


@dataclass(frozen=True)
class Defaults:
    """The settings `ask` reads, each at its default."""

    knowledge_dir: Path | None = None
    site_url: str | None = None
    access: Literal["allowlist", "open"] = "allowlist"
    admins: tuple[str, ...] = ()
    rate_per_minute: int = 20
    region: Literal["uk", "eu", "us", "other"] | None = None
    timezone: str = field(default_factory=local_timezone)
    secret_key: None = None
    data_dir: Path | None = None
    database_url: str | None = None

    def validated(self) -> Settings:
        """All the settings, for the rare question that needs more of them (a meeting room)."""
        from bot.config import load_settings

        return load_settings()


def configured(environ: Mapping[str, str], folder: Path) -> bool:
    """Whether anything could set a setting."""
    return any(name.upper().startswith(PREFIX) for name in environ) or any((folder / name).exists() for name in FILES)


def settings_for_ask() -> Settings | Defaults:
    """The defaults when nothing configures Confidant, else the validated settings (ConfigError if they are bad)."""
    if configured(os.environ, Path.cwd()):
        from bot.config import load_settings

        return load_settings()
    return Defaults()
