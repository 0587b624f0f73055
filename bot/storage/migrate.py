"""Applies the Alembic migrations shipped with Confidant to a database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bundled import bundled


def migrations_dir() -> Path:
    return bundled("migrations")


def _upgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def upgrade(engine: AsyncEngine) -> str | None:
    """Bring the schema to the newest revision; returns that revision."""
    async with engine.begin() as connection:
        await connection.run_sync(_upgrade)
        return await connection.run_sync(_current)
