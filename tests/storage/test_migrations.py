"""Every migration runs up and down, one step at a time, on SQLite and PostgreSQL, and leaves the schema the
models describe."""

from __future__ import annotations

from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.migrate import _config, downgrade, head, upgrade
from bot.storage.models import Base


def _revisions() -> list[str]:
    """Oldest first."""
    script = ScriptDirectory.from_config(_config())
    return [revision.revision for revision in reversed(list(script.walk_revisions()))]


async def _tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names())) - {"alembic_version"}


async def test_head_is_the_newest_revision() -> None:
    assert head() == _revisions()[-1]


async def test_every_step_goes_down_and_up_again(engine: AsyncEngine) -> None:
    revisions = _revisions()
    assert await upgrade(engine) == revisions[-1]
    assert await _tables(engine) == set(Base.metadata.tables)
    for older in reversed(revisions[:-1]):
        assert await downgrade(engine, older) == older
    assert await downgrade(engine, "base") is None
    assert await _tables(engine) == set()
    assert await upgrade(engine) == revisions[-1]
    assert await _tables(engine) == set(Base.metadata.tables)
