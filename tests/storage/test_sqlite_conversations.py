"""Conversations on SQLite, as `confidant run` keeps them there: in the file and in memory, ids only; a restart
continues them; `confidant users remove` (another process) and "forget" end them; so does a day."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.stores import Conversation
from bot.shared.pseudonym import Keyer
from bot.storage.database import create_engine
from bot.storage.migrate import upgrade
from bot.storage.sqlite_conversations import SqliteConversations
from bot.storage.sqlite_thread import SqliteThread
from bot.storage.users import Users
from tests.fakes.databases import sqlite_only

pytestmark = sqlite_only
KEYER = Keyer(b"s" * 32)
ZOOM = Conversation(platforms=("zoom",), aspects=("recording",), asked_region=True)


@pytest.fixture
async def path(tmp_path: Path) -> Path:
    engine = create_engine(f"sqlite:///{tmp_path / 'c.db'}")
    await upgrade(engine)
    await engine.dispose()
    return tmp_path / "c.db"


@pytest.fixture
async def thread(path: Path) -> AsyncIterator[SqliteThread]:
    thread = SqliteThread(path)
    yield thread
    await thread.close()


def rows(path: Path) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as other:
        return other.execute("SELECT user_key, platforms, aspects, asked_region FROM conversations").fetchall()


async def test_kept_in_the_file_so_a_restart_continues(path: Path, thread: SqliteThread) -> None:
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    await SqliteConversations(thread, now=lambda: now).save("someone", ZOOM)
    assert rows(path) == [("someone", "zoom", "recording", 1)]
    restarted = SqliteConversations(SqliteThread(path), now=lambda: now)
    assert await restarted.load("someone") == Conversation(
        platforms=("zoom",), aspects=("recording",), asked_region=True, at=now.timestamp()
    )
    assert await restarted.load("nobody") is None


async def test_answered_from_memory_once_known(path: Path, thread: SqliteThread) -> None:
    store = SqliteConversations(thread, monotonic=lambda: 0.0)
    assert await store.load("someone") is None  # read once: none
    await store.save("someone", ZOOM)
    writes = thread.counts.writes
    for _ in range(5):
        loaded = await store.load("someone")
        assert loaded is not None and loaded.platforms == ("zoom",)
    assert thread.counts.writes == writes  # no statement for the loads


async def test_users_remove_in_another_process_ends_it_within_the_check(path: Path, thread: SqliteThread) -> None:
    clock = [0.0]
    store = SqliteConversations(thread, monotonic=lambda: clock[0])
    key = KEYER.user_key("signal", "+447700900123")
    await store.save(key, ZOOM)
    assert await store.load(key) is not None
    engine = create_engine(f"sqlite:///{path}")
    try:
        users = Users(engine)
        await users.set(key, "region", "uk")
        assert await users.forget(key)  # what `confidant users remove` does, from its own process
    finally:
        await engine.dispose()
    clock[0] += 1.0  # past the check: the change counter moved
    assert await store.load(key) is None


async def test_forget_and_a_day_end_it(path: Path, thread: SqliteThread) -> None:
    clock = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    store = SqliteConversations(thread, now=lambda: clock[0])
    await store.save("old", ZOOM)
    await store.save("gone", ZOOM)
    await store.forget("gone")
    assert await store.load("gone") is None
    clock[0] += timedelta(hours=23)
    assert await store.load("old") is not None
    clock[0] += timedelta(hours=2)
    assert await store.load("old") is None
    await SqliteConversations(thread, now=lambda: clock[0]).save("new", ZOOM)  # tidies up the file too
    assert [row[0] for row in rows(path)] == ["new"]


async def test_anything_but_ids_is_refused(thread: SqliteThread) -> None:
    with pytest.raises(ValueError, match="ids only"):
        await SqliteConversations(thread).save("u", Conversation(platforms=("my client Jane",)))
