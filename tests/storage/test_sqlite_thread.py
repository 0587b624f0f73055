"""The SQLite connection's own thread: writes queued together share one commit, each caller resumes after the
commit that holds its write, and a failing write fails only its caller."""

from __future__ import annotations

import asyncio
import gc
import sqlite3
import threading
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.storage.sqlite_thread import SqliteThread
from tests.fakes.databases import sqlite_only

pytestmark = sqlite_only


@pytest.fixture
async def database(tmp_path: Path) -> AsyncIterator[SqliteThread]:
    with sqlite3.connect(tmp_path / "t.db") as setup:
        setup.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    thread = SqliteThread(tmp_path / "t.db")
    yield thread
    await thread.close()


def insert(body: str | None) -> Callable[[sqlite3.Connection], int | None]:
    def work(connection: sqlite3.Connection) -> int | None:
        return connection.execute("INSERT INTO notes (body) VALUES (?)", (body,)).lastrowid

    return work


def bodies(path: Path) -> list[str]:
    with sqlite3.connect(path) as other:  # another connection: sees only what was committed
        return [body for (body,) in other.execute("SELECT body FROM notes ORDER BY id")]


async def test_writes_queued_together_share_a_commit_and_each_gets_its_result(
    database: SqliteThread, tmp_path: Path
) -> None:
    ids = await asyncio.gather(*(database.write(insert(f"n{n}")) for n in range(50)))
    assert ids == list(range(1, 51))  # in queue order
    assert bodies(tmp_path / "t.db") == [f"n{n}" for n in range(50)]  # committed when the callers resumed
    assert database.counts.writes == 50
    assert database.counts.transactions < 50


async def test_a_failing_write_fails_only_its_caller(database: SqliteThread, tmp_path: Path) -> None:
    first, bad, second = await asyncio.gather(
        database.write(insert("before")),
        database.write(insert(None)),  # NOT NULL
        database.write(insert("after")),
        return_exceptions=True,
    )
    assert isinstance(bad, sqlite3.IntegrityError)
    assert isinstance(first, int) and isinstance(second, int)
    assert bodies(tmp_path / "t.db") == ["before", "after"]


async def test_a_write_that_fails_half_way_through_a_read_does_not_block_the_next(database: SqliteThread) -> None:
    await asyncio.gather(*(database.write(insert(f"n{n}")) for n in range(5)))

    def reads_then_fails(connection: sqlite3.Connection) -> None:
        for _ in connection.execute("SELECT body FROM notes"):
            raise ValueError("stopped after one row")

    with pytest.raises(ValueError, match="after one row"):
        await database.write(reads_then_fails)
    assert await database.write(insert("still writable")) == 6


async def test_a_checkpoint_runs_between_transactions(database: SqliteThread, tmp_path: Path) -> None:
    def checkpoint(connection: sqlite3.Connection) -> list[tuple[int, int, int]]:
        return connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()

    results = await asyncio.gather(
        database.write(insert("a")),
        database.alone(checkpoint),
        database.write(insert("b")),
    )
    [(busy, _, _)] = results[1]
    assert busy == 0  # no transaction of ours was open around it
    assert (tmp_path / "t.db-wal").stat().st_size > 0  # "b" came after the log was emptied
    assert bodies(tmp_path / "t.db") == ["a", "b"]


async def test_closing_finishes_what_was_queued(database: SqliteThread, tmp_path: Path) -> None:
    writes = [asyncio.ensure_future(database.write(insert(f"n{n}"))) for n in range(20)]
    await asyncio.sleep(0)
    await database.close()
    await asyncio.gather(*writes)
    assert len(bodies(tmp_path / "t.db")) == 20
    with pytest.raises(RuntimeError, match="closed"):
        await database.write(insert("too late"))


async def test_a_dropped_owner_ends_its_thread(tmp_path: Path) -> None:
    with sqlite3.connect(tmp_path / "t.db") as setup:
        setup.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL)")
    owner = SqliteThread(tmp_path / "t.db")
    await owner.write(insert("x"))
    [thread] = [t for t in threading.enumerate() if t.name == "confidant-sqlite" and t.is_alive()][-1:]
    del owner
    gc.collect()
    await asyncio.to_thread(thread.join, 5)
    assert not thread.is_alive()


async def test_a_caller_cancelled_while_waiting_still_has_its_write_committed(
    database: SqliteThread, tmp_path: Path
) -> None:
    waiting = asyncio.ensure_future(database.write(insert("kept")))
    await asyncio.sleep(0)  # queued
    waiting.cancel()
    assert await database.write(insert("next")) == 2  # in queue order, after the cancelled caller's write
    assert bodies(tmp_path / "t.db") == ["kept", "next"]


async def test_a_database_that_cannot_be_opened_fails_each_write_instead_of_hanging(tmp_path: Path) -> None:
    unopenable = SqliteThread(tmp_path / "no such folder" / "t.db")
    for _ in range(2):
        with pytest.raises(sqlite3.OperationalError):
            await asyncio.wait_for(unopenable.write(insert("lost")), 5)
    await unopenable.close()
