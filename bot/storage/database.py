"""Engine creation: turns the user-facing URL into an async engine with the privacy pragmas SQLite needs."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine


def async_url(url: str) -> str:
    """`sqlite:///x.db` -> `sqlite+aiosqlite:///x.db`; `postgresql://…` -> `postgresql+asyncpg://…`."""
    parsed = make_url(url)
    if parsed.drivername == "sqlite":
        parsed = parsed.set(drivername="sqlite+aiosqlite")
    elif parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+asyncpg")
    return parsed.render_as_string(hide_password=False)


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    sqlite_pragmas(dbapi_connection)


def sqlite_pragmas(dbapi_connection: Any) -> None:
    """Every connection to the SQLite file gets these (secure_delete and synchronous are per connection)."""
    cursor = dbapi_connection.cursor()
    # Zero the bytes of deleted rows, so answered messages do not linger in free pages.
    cursor.execute("PRAGMA secure_delete=ON")
    # WAL for cheap commits; the inbox checkpoints with TRUNCATE after deleting text (see Inbox.complete).
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _private_file(path: Path) -> None:
    """Create the database file readable by its owner only; SQLite gives its -wal and -shm files the same mode.
    Its folder, if new, is owner-only too: waiting messages hold text and phone numbers."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))


def create_engine(url: str) -> AsyncEngine:
    path = sqlite_path(url)
    if path is not None:
        _private_file(path)
    # hide_parameters: a database error's text would otherwise quote the SQL parameters (message text, ids).
    # SQLite: enough pooled connections for the readers of a busy worker (50 conversations at once), so that
    # none is opened and closed per message (each aiosqlite connection is a thread of its own, set up with the
    # pragmas below). Writes go through one writer (bot.storage.writer) whatever the pool size.
    sizes = {"pool_size": 16, "max_overflow": 48} if path is not None else {}
    engine = create_async_engine(async_url(url), pool_pre_ping=path is None, hide_parameters=True, **sizes)
    if make_url(url).get_backend_name() == "sqlite":
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    return engine


def session_factory(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return async_sessionmaker(engine, expire_on_commit=False)


def as_utc(moment: datetime) -> datetime:
    """A stored time back as an aware UTC datetime: SQLite hands back naive ones (everything is stored in UTC)."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


async def scrub(engine: AsyncEngine) -> None:
    """Make deleted rows unrecoverable from the SQLite files (no-op elsewhere).

    secure_delete zeroes freed bytes in the main file, but the write-ahead log still holds the old page
    images until a checkpoint; TRUNCATE copies the pages back and empties the log file.
    """
    if engine.dialect.name != "sqlite":
        return
    async with engine.connect() as connection:
        await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
