"""The one writer: writes queued together share one commit on SQLite; a failing write fails only its caller."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.inbox import Inbox
from bot.storage.models import InboxMessage
from bot.storage.writer import Writer, writer_for

KEYER = Keyer(b"writer-test-secret-key-000000000")


def message(n: int) -> Incoming:
    return Incoming(
        transport="signal",
        sender=f"u{n}",
        chat=f"u{n}",
        text=f"text {n}",
        message_key=f"k{n}",
        received_at=datetime.now(UTC),
    )


async def test_writes_queued_together_share_one_commit_and_each_caller_gets_its_result(engine: AsyncEngine) -> None:
    writer = Writer(engine, batch=True)

    async def row_count(connection: AsyncConnection) -> int:
        return int(await connection.scalar(select(func.count()).select_from(InboxMessage)) or 0)

    results = await asyncio.gather(*(writer.write(row_count) for _ in range(10)))
    assert results == [0] * 10
    assert writer.transactions <= 2  # the first runs alone; the nine queued behind it share the next


async def test_a_failing_write_fails_only_its_caller(engine: AsyncEngine) -> None:
    inbox = Inbox(engine, KEYER)
    writer = writer_for(engine)

    async def broken(connection: AsyncConnection) -> None:
        await connection.execute(text("SELECT * FROM no_such_table"))

    first, bad, second = await asyncio.gather(
        inbox.add(message(1)), writer.write(broken), inbox.add(message(2)), return_exceptions=True
    )
    assert not isinstance(first, BaseException) and first is not None
    assert isinstance(bad, Exception)
    assert not isinstance(second, BaseException) and second is not None
    # In queue order on SQLite; on PostgreSQL each is a transaction of its own, as before the writer.
    assert sorted(item.message.text for item in await inbox.pending()) == ["text 1", "text 2"]


async def test_a_write_is_committed_when_it_returns(engine: AsyncEngine) -> None:
    inbox = Inbox(engine, KEYER)
    await inbox.add(message(3))
    async with engine.connect() as connection:  # another connection sees it at once
        assert await connection.scalar(select(func.count()).select_from(InboxMessage)) == 1
