"""The database fixture: every storage test runs on SQLite, and on PostgreSQL when CONFIDANT_TEST_POSTGRES_URL is
set (CI sets it)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import create_engine
from bot.storage.migrate import upgrade

POSTGRES = os.environ.get("CONFIDANT_TEST_POSTGRES_URL")


async def _drop_everything(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        tables = ("inbox", "processed_messages", "user_settings", "users", "invitations", "strangers")
        for table in (*tables, "alembic_version"):
            await connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        if not POSTGRES:
            pytest.skip("CONFIDANT_TEST_POSTGRES_URL is not set")
        engine = create_engine(POSTGRES)
        await _drop_everything(engine)
    await upgrade(engine)
    yield engine
    if request.param != "sqlite":
        await _drop_everything(engine)
    await engine.dispose()


