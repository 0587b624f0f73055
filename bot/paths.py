"""Where the program keeps its state: the data folder and the database's address.

Apart from bot/config.py (which re-exports them) because `confidant ask` finds its secret key through them
without loading the settings' validation; they take anything with the two settings (`Settings`, or the defaults
of bot/unconfigured.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol


class Stored(Protocol):
    @property
    def data_dir(self) -> Path | None: ...

    @property
    def database_url(self) -> str | None: ...


def data_dir(settings: Stored) -> Path:
    """The folder for the secret key, the SQLite database and operator alerts."""
    if settings.data_dir is not None:
        return settings.data_dir
    from platformdirs import user_data_path

    return user_data_path("confidant", appauthor=False)


def database_url(settings: Stored) -> str:
    if settings.database_url:
        return settings.database_url
    return f"sqlite:///{data_dir(settings) / 'confidant.db'}"
