"""Migrations, the inbox and user settings, on SQLite always and on PostgreSQL when
CONFIDANT_TEST_POSTGRES_URL is set (CI sets it)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

import bot.storage.users as users_module
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.database import async_url, create_engine
from bot.storage.migrate import head, upgrade
from bot.storage.models import Base, InboxMessage, ProcessedMessage, User, UserSetting
from bot.storage.stores import message_stores
from bot.storage.users import Users

KEYER = Keyer(b"k" * 32)
SECRET_TEXT = "is WhatsApp safe for my client Jane Example?"


def message(text: str = SECRET_TEXT, key: str = "signal:+447700900123:1") -> Incoming:
    return Incoming(transport="signal", sender="+447700900123", chat="+447700900123", text=text, message_key=key)


def _schema_differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, Base.metadata))


async def test_migrations_create_exactly_the_models(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        assert await connection.run_sync(_schema_differences) == []


async def test_upgrade_twice_is_harmless(engine: AsyncEngine) -> None:
    assert await upgrade(engine) == head()


async def test_inbox_dedupes_and_resumes_in_order(engine: AsyncEngine) -> None:
    inbox = message_stores(engine, KEYER).inbox
    first = await inbox.add(message(key="a"))
    second = await inbox.add(message(text="second", key="b"))
    assert first is not None and second is not None
    assert await inbox.add(message(key="a")) is None  # the same message again
    pending = await inbox.pending("signal")
    assert [item.message.text for item in pending] == [SECRET_TEXT, "second"]
    assert await inbox.backlog() == 2
    await inbox.mark_sending([first.id])
    assert [item.state for item in await inbox.pending()] == ["sending", "pending"]
    await inbox.complete([(first.id, "answered")])
    assert await inbox.add(message(key="a")) is None  # still a duplicate once answered
    assert [item.message.text for item in await inbox.pending()] == ["second"]


async def test_database_holds_only_hashes_of_keys_and_no_text_once_answered(engine: AsyncEngine) -> None:
    inbox = message_stores(engine, KEYER).inbox
    item = await inbox.add(message(key="signal:+447700900123:uuid:1:data"))
    assert item is not None
    await inbox.complete([(item.id, "answered")])
    async with engine.connect() as connection:
        keys = (await connection.execute(select(ProcessedMessage.key, ProcessedMessage.outcome))).all()
        assert await connection.scalar(select(InboxMessage.id)) is None
    assert keys == [(KEYER.message_key("signal:+447700900123:uuid:1:data"), "answered")]
    assert "+44" not in keys[0][0]


async def test_purge_forgets_old_keys(engine: AsyncEngine) -> None:
    inbox = message_stores(engine, KEYER).inbox
    old = Incoming(
        transport="signal",
        sender="x",
        chat="x",
        text="t",
        message_key="old",
        received_at=datetime.now(UTC) - timedelta(days=10),
    )
    await inbox.add(old)
    await inbox.add(message(key="new"))
    assert await inbox.purge_processed(datetime.now(UTC) - timedelta(days=7)) == 1


async def test_user_settings_and_forget(engine: AsyncEngine) -> None:
    users = Users(engine)
    key = KEYER.user_key("signal", "+447700900123")
    assert await users.settings(key) == {}
    await users.set(key, "region", "uk")
    await users.set(key, "region", "eu")
    await users.set(key, "name", "Dr Lee")
    assert await users.settings(key) == {"region": "eu", "name": "Dr Lee"}
    assert await users.forget(key)
    assert await users.settings(key) == {}
    assert not await users.forget(key)
    async with engine.connect() as connection:
        assert await connection.scalar(select(User.id)) is None


async def test_deleted_text_does_not_linger_in_sqlite_files(tmp_path: Path) -> None:
    path = tmp_path / "private.db"
    engine = create_engine(f"sqlite:///{path}")
    await upgrade(engine)
    inbox = message_stores(engine, KEYER).inbox
    items = [await inbox.add(message(text=f"{SECRET_TEXT} #{n}", key=str(n))) for n in range(50)]
    for item in items:
        assert item is not None
        await inbox.complete([(item.id, "answered")])
    files = [candidate for candidate in tmp_path.glob("private.db*")]  # noqa: ASYNC240 - a test, after the work
    assert path in files
    for candidate in files:
        content = candidate.read_bytes()
        assert b"Jane Example" not in content, candidate.name
        assert b"+447700900123" not in content, candidate.name
    await engine.dispose()


def test_urls_get_async_drivers() -> None:
    assert async_url("sqlite:////tmp/x.db") == "sqlite+aiosqlite:////tmp/x.db"
    assert async_url("postgresql://me:pw@db:5432/app") == "postgresql+asyncpg://me:pw@db:5432/app"


async def test_sql_parameters_never_reach_the_logs_even_at_debug(tmp_path: Path) -> None:
    import io
    import logging

    from bot.logs import setup_logging

    stream = io.StringIO()
    handler = setup_logging("DEBUG", "text", stream)
    engine = create_engine(f"sqlite:///{tmp_path / 'logged.db'}")
    try:
        await upgrade(engine)
        inbox = message_stores(engine, KEYER).inbox
        item = await inbox.add(message())
        assert item is not None
        await inbox.complete([(item.id, "answered")])
        logging.getLogger("bot.storage").debug("inbox used")
    finally:
        logging.getLogger().removeHandler(handler)
        await engine.dispose()
    logged = stream.getvalue()
    assert "inbox used" in logged  # DEBUG really was on
    assert "Jane Example" not in logged
    assert "+447700900123" not in logged


async def test_sender_aliases_survive_a_restart(engine: AsyncEngine) -> None:
    inbox = message_stores(engine, KEYER).inbox
    uuid_sender = Incoming(
        transport="signal",
        sender="6f1c8e2a-3b7d-4a55-9c0e-1d2f3a4b5c6d",
        sender_aliases=("+447700900123",),
        chat="6f1c8e2a-3b7d-4a55-9c0e-1d2f3a4b5c6d",
        text="hi",
        message_key="k",
    )
    await inbox.add(uuid_sender)
    [resumed] = await message_stores(engine, KEYER).inbox.pending()
    assert resumed.message.sender_aliases == ("+447700900123",)


async def test_completing_many_records_each_outcome(engine: AsyncEngine) -> None:
    inbox = message_stores(engine, KEYER).inbox
    items = [await inbox.add(message(key=f"m{n}")) for n in range(3)]
    assert all(item is not None for item in items)
    ids = [item.id for item in items if item is not None]
    await inbox.mark_sending(ids[:2])
    await inbox.complete([(ids[0], "answered"), (ids[1], "delivery-unknown"), (ids[2], "dropped")])
    async with engine.connect() as connection:
        outcomes = dict((await connection.execute(select(ProcessedMessage.key, ProcessedMessage.outcome))).all())
    assert sorted(outcomes.values()) == ["answered", "delivery-unknown", "dropped"]
    assert await inbox.backlog() == 0


async def test_adding_many_dedupes_within_and_across_batches(engine: AsyncEngine) -> None:
    inbox = message_stores(engine, KEYER).inbox
    first = await inbox.add_many([message(key="a"), message(key="b"), message(key="a")])
    assert [item is not None for item in first] == [True, True, False]
    second = await inbox.add_many([message(key="b"), message(key="c")])
    assert [item is not None for item in second] == [False, True]
    assert await inbox.backlog() == 3


async def test_settings_cached_and_another_process_change_seen_within_the_check(engine: AsyncEngine) -> None:
    now = [0.0]
    here, there = Users(engine, clock=lambda: now[0]), Users(engine, clock=lambda: now[0])
    key = KEYER.user_key("signal", "+447700900123")
    assert await here.settings(key) == {}
    await there.set(key, "region", "uk")  # another instance (or a command) changes them
    now[0] += 1.0  # past the check: the change counter moved, so the cache is dropped
    assert await here.settings(key) == {"region": "uk"}
    await here.set(key, "region", "eu")  # written through: no wait for its own change
    assert await here.settings(key) == {"region": "eu"}
    assert await there.forget(key)
    now[0] += 1.0
    assert await here.settings(key) == {}


async def test_settings_served_from_memory(engine: AsyncEngine) -> None:
    users = Users(engine, clock=lambda: 0.0)
    key = KEYER.user_key("signal", "+447700900123")
    assert await users.settings(key) == {}  # the counter read, everyone's rows loaded
    await users.set(key, "region", "uk")
    async with engine.begin() as connection:  # behind its back, without the counter: not seen until it moves
        await connection.execute(delete(UserSetting))
    assert await users.settings(key) == {"region": "uk"}


async def test_roles_follow_join_and_forget_on_every_instance(engine: AsyncEngine) -> None:
    """Roles are kept in memory with the settings: a join or a removal by another process holds here after the
    check, and this process's own at once."""
    now = [0.0]
    here, there = Users(engine, clock=lambda: now[0]), Users(engine, clock=lambda: now[0])
    key = KEYER.user_key("signal", "+447700900123")
    assert await here.role([key]) is None
    await there.join(key, "signal", datetime.now(UTC))
    assert await here.role([key]) is None  # not yet checked again: the counter is read every half second
    now[0] += 1.0
    assert await here.role(["someone-else", key]) == "user"
    await here.set(key, "region", "uk")  # a setting keeps the role
    assert (await here.role([key]), await here.settings(key)) == ("user", {"region": "uk"})
    assert await there.forget(key)  # `confidant users remove`
    now[0] += 1.0
    assert (await here.role([key]), await here.settings(key)) == (None, {})
    await here.join(key, "signal", datetime.now(UTC))
    assert await here.role([key]) == "user"  # its own change: at once


async def test_people_read_one_by_one_when_too_many_to_keep(
    engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(users_module, "MAX_CACHED", 1)
    users = Users(engine, clock=lambda: 0.0)
    first, second = KEYER.user_key("signal", "+447700900001"), KEYER.user_key("signal", "+447700900002")
    await users.set(first, "region", "uk")
    await users.set(second, "region", "eu")
    fresh = Users(engine, clock=lambda: 0.0)
    assert (await fresh.settings(first), await fresh.settings(second)) == ({"region": "uk"}, {"region": "eu"})
    assert await fresh.settings(KEYER.user_key("signal", "+447700900003")) == {}
