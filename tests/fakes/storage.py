"""A real SQLite inbox in a temporary folder (tables from the models until migrations exist)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.shared.pseudonym import Keyer
from bot.storage.database import create_engine
from bot.storage.inbox import Inbox
from bot.storage.models import Base

TEST_SECRET = b"confidant-test-secret-key-000000"


async def open_inbox(folder: Path, *, secret: bytes = TEST_SECRET) -> tuple[Inbox, AsyncEngine]:
    engine = create_engine(f"sqlite:///{folder / 'confidant.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    return Inbox(engine, Keyer(secret)), engine
