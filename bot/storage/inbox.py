"""The durable inbox: messages are written here before any processing and deleted once answered.

Adding a message also records its (hashed) key in `processed_messages` in the same transaction, so a second copy
of the same message (overlapping sockets, two instances, a restart) is recognised and dropped.

SQLAlchemy Core rather than ORM sessions: every message passes through here three times, and the ORM's unit of
work costed more than the SQL itself (bench/signal_throughput.py).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.stores import InboxItem
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.database import scrub
from bot.storage.models import InboxMessage, ProcessedMessage

inbox = cast(Table, InboxMessage.__table__)
processed = cast(Table, ProcessedMessage.__table__)


def _insert_ignoring_conflicts(dialect: str) -> Callable[[Table], Any]:
    """INSERT that can skip rows whose key exists: the dialect's own construct (both spell it the same)."""
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as postgresql_insert

        return postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert


def _inbox_row(key: str, message: Incoming) -> dict[str, object]:
    return {
        "key": key,
        "transport": message.transport,
        "sender": message.sender,
        "sender_aliases": " ".join(message.sender_aliases),
        "chat": message.chat,
        "text": message.text,
        "is_group": message.is_group,
        "addressed": message.addressed,
        "received_at": message.received_at,
        "state": "pending",
    }


class Inbox:
    """Implements `bot.core.stores.InboxStore`."""

    def __init__(self, engine: AsyncEngine, keyer: Keyer) -> None:
        self._engine = engine
        self._keyer = keyer

    async def add(self, message: Incoming) -> InboxItem | None:
        """Persist a received message; None if this message was seen before (a duplicate)."""
        [item] = await self.add_many([message])
        return item

    async def add_many(self, messages: Sequence[Incoming]) -> list[InboxItem | None]:
        """Persist received messages in one transaction; None for each one seen before (also within the batch).

        The dedupe key is claimed with INSERT … ON CONFLICT DO NOTHING, so one duplicate does not fail the
        others; only messages whose key was new get an inbox row.
        """
        keys = [self._keyer.message_key(message.message_key) for message in messages]
        claim = _insert_ignoring_conflicts(self._engine.dialect.name)
        async with self._engine.begin() as connection:
            claimed = set(
                (
                    await connection.execute(
                        claim(processed)
                        .values(
                            [
                                {
                                    "key": key,
                                    "transport": message.transport,
                                    "received_at": message.received_at,
                                    "outcome": "received",
                                }
                                for key, message in zip(keys, messages, strict=True)
                            ]
                        )
                        .on_conflict_do_nothing(index_elements=["key"])
                        .returning(processed.c.key)
                    )
                ).scalars()
            )
            fresh: dict[str, Incoming] = {}
            for key, message in zip(keys, messages, strict=True):
                if key in claimed and key not in fresh:
                    fresh[key] = message
            ids: dict[str, int] = {}
            if fresh:
                rows = await connection.execute(
                    insert(inbox)
                    .values([_inbox_row(key, message) for key, message in fresh.items()])
                    .returning(inbox.c.key, inbox.c.id)
                )
                ids = {key: row_id for key, row_id in rows.all()}
        items: list[InboxItem | None] = []
        for key, message in zip(keys, messages, strict=True):
            if key in ids and fresh.get(key) is message:
                items.append(InboxItem(id=ids[key], message=message, state="pending"))
            else:
                items.append(None)
        return items

    async def pending(self, transport: str | None = None) -> list[InboxItem]:
        """Unfinished messages in the order they were received (resumed after a crash or restart)."""
        query = select(inbox).order_by(inbox.c.id)
        if transport is not None:
            query = query.where(inbox.c.transport == transport)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [
            InboxItem(
                id=row["id"],
                state=row["state"],
                message=Incoming(
                    transport=row["transport"],
                    sender=row["sender"],
                    sender_aliases=tuple(row["sender_aliases"].split()),
                    chat=row["chat"],
                    text=row["text"],
                    message_key=row["key"],
                    is_group=row["is_group"],
                    addressed=row["addressed"],
                    received_at=row["received_at"],
                ),
            )
            for row in rows
        ]

    async def mark_sending(self, ids: Iterable[int]) -> None:
        """Record that sends are about to start: after a crash, such rows are not sent again."""
        async with self._engine.begin() as connection:
            await connection.execute(update(inbox).where(inbox.c.id.in_(list(ids))).values(state="sending"))

    async def complete(self, results: Sequence[tuple[int, str]], *, scrub: bool = True) -> None:
        """Delete finished messages (text and address) and record how each ended, in one transaction.

        With `scrub=False` the caller promises to call `scrub()` soon (the worker does, whenever it goes idle).
        """
        outcomes = dict(results)
        async with self._engine.begin() as connection:
            deleted = await connection.execute(
                delete(inbox).where(inbox.c.id.in_(list(outcomes))).returning(inbox.c.id, inbox.c.key)
            )
            keys_by_outcome: defaultdict[str, list[str]] = defaultdict(list)
            for item_id, key in deleted.all():
                keys_by_outcome[outcomes[item_id]].append(key)
            for outcome, keys in keys_by_outcome.items():
                await connection.execute(update(processed).where(processed.c.key.in_(keys)).values(outcome=outcome))
        if scrub:
            await self.scrub()

    async def scrub(self) -> None:
        """Make deleted text unrecoverable from the SQLite files (see `bot.storage.database.scrub`)."""
        await scrub(self._engine)

    async def purge_processed(self, older_than: datetime) -> int:
        """Forget dedupe keys older than the window in which a duplicate can still arrive."""
        async with self._engine.begin() as connection:
            result = await connection.execute(delete(processed).where(processed.c.received_at < older_than))
        return int(result.rowcount or 0)

    async def backlog(self) -> int:
        async with self._engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(inbox)) or 0)
