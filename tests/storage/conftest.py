"""The `engine` fixture: a migrated database, SQLite always and PostgreSQL when CONFIDANT_TEST_POSTGRES_URL is
set (a database of the run's own, emptied before and after each test)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import create_engine
from bot.storage.migrate import upgrade
from bot.storage.models import Base


async def _drop_everything(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        for table in [*reversed(Base.metadata.sorted_tables), "alembic_version"]:
            await connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))


@pytest.fixture(params=["sqlite", "postgresql"])
async def engine(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'test.db'}")
    else:
        engine = create_engine(request.getfixturevalue("postgres_url"))
        await _drop_everything(engine)
    await upgrade(engine)
    yield engine
    if request.param != "sqlite":
        await _drop_everything(engine)
    await engine.dispose()


