"""Applies the Alembic migrations shipped with Confidant to a database."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.bundled import bundled


def migrations_dir() -> Path:
    return bundled("migrations")


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    command.upgrade(_config(connection), "head")


def head() -> str:
    """The newest revision shipped."""
    revision = ScriptDirectory.from_config(_config()).get_current_head()
    assert revision is not None
    return revision


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


async def downgrade(engine: AsyncEngine, revision: str) -> str | None:
    """Undo migrations down to `revision` ("base": an empty database), to go back to an older Confidant."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.downgrade(_config(sync), revision))
        return await connection.run_sync(_current)


# Names "migrating Confidant's schema" among PostgreSQL's advisory locks.
MIGRATION_LOCK = 0x636F6E666D6967


async def upgrade(engine: AsyncEngine) -> str | None:
    """Bring the schema to the newest revision; returns that revision."""
    async with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            # Instances started together would otherwise each create the same tables; the second waits, then
            # finds the schema new. The lock ends with the transaction.
            await connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        await connection.run_sync(_upgrade)
        return await connection.run_sync(_current)
