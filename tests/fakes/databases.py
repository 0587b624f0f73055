"""Which database the suite runs on, and PostgreSQL databases of a test run's own.

SQLite files by default; with `CONFIDANT_TEST_DATABASE=postgresql` (`.ci/run` runs the suite both ways) every
test that opens the app's database through these helpers, `confidant` sub-processes included, uses PostgreSQL.
Each run creates fresh databases on the server named by `CONFIDANT_TEST_POSTGRES_URL` and drops them at the
end, so runs in other working copies on the same server never see each other's rows or locks.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from bot.storage.database import async_url
from bot.storage.models import Base

POSTGRES_SERVER = os.environ.get("CONFIDANT_TEST_POSTGRES_URL")
ON_POSTGRES = os.environ.get("CONFIDANT_TEST_DATABASE") == "postgresql"
# For tests about SQLite itself, and the few that run once, not once per database (the PostgreSQL pass of
# `.ci/run` skips them).
sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="about SQLite (the default pass runs it)")
once = pytest.mark.skipif(ON_POSTGRES, reason="runs once, in the default pass")
# Set by the suite (tests/conftest.py) to the migrated database of this run; sub-processes inherit it.
SUITE_DATABASE = "CONFIDANT_TEST_SUITE_DATABASE_URL"
# What the suite gives `confidant` on PostgreSQL, where a secret key must be set (64 hex digits: 32 bytes).
SUITE_SECRET_KEY = "5e" * 32


async def _execute(url: str, statement: str) -> None:
    """One statement outside a transaction (CREATE and DROP DATABASE refuse to run inside one)."""
    engine = create_async_engine(async_url(url), isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as connection:
            await connection.execute(text(statement))
    finally:
        await engine.dispose()


async def create_database(server_url: str, purpose: str) -> str:
    """A new, empty database beside the one in `server_url`; returns its URL."""
    name = f"confidant_{purpose}_{os.getpid()}_{secrets.token_hex(3)}"
    await _execute(server_url, f'CREATE DATABASE "{name}"')
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, url: str) -> None:
    await _execute(server_url, f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


async def clear(url: str) -> None:
    """Empty every table of the app (the schema stays), so each test starts from nothing."""
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    await _execute(url, f"TRUNCATE {tables} RESTART IDENTITY CASCADE")


def database_url(folder: Path) -> str:
    """The app's database for a test: the run's PostgreSQL database, or a SQLite file in `folder`."""
    if ON_POSTGRES:
        return os.environ[SUITE_DATABASE]
    return f"sqlite:///{folder / 'confidant.db'}"
