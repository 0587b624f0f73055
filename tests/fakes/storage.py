"""A real inbox: a SQLite file in a temporary folder, or the run's PostgreSQL database (tests/fakes/databases.py)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.shared.pseudonym import Keyer
from bot.storage.database import create_engine
from bot.storage.models import Base
from bot.storage.stores import MessageInbox, message_stores
from tests.fakes.databases import ON_POSTGRES, database_url

TEST_SECRET = b"confidant-test-secret-key-000000"


async def open_inbox(folder: Path, *, secret: bytes = TEST_SECRET) -> tuple[MessageInbox, AsyncEngine]:
    """The inbox `confidant run` uses on this database (on SQLite, its own connection's thread)."""
    engine = create_engine(database_url(folder))
    if not ON_POSTGRES:  # the PostgreSQL database of the run is migrated once, at its start
        async with engine.begin() as connection:
            await connection.run_sync(Base.metadata.create_all)
    return message_stores(engine, Keyer(secret)).inbox, engine
