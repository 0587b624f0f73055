"""The durable inbox: messages are written here before any processing and deleted once answered.

Adding a message also records its (hashed) key in `processed_messages` in the same transaction, so a second copy
of the same message (overlapping sockets, two instances, a restart) is recognised and dropped.

Several instances may share one database (PostgreSQL). Each conversation is answered by one of them at a time,
the holder of its lease (`bot.storage.leases`): the instance that stores a conversation's first message takes
it, rows another instance stores meanwhile are picked up by the holder when it has finished what it holds, and
an instance's `heartbeat` renews its leases and takes over conversations nobody holds (their holder was killed).
Marking a row `sending` succeeds only for a row still pending, so even two instances that both believed they
held a conversation would not send one answer twice.

SQLAlchemy Core rather than ORM sessions: every message passes through here three times, and the ORM's unit of
work costed more than the SQL itself (bench/signal_throughput.py).
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.stores import InboxItem
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage import leases
from bot.storage.database import as_utc
from bot.storage.dialect import insert_for
from bot.storage.models import InboxMessage, ProcessedMessage
from bot.storage.writer import writer_for

inbox = cast(Table, InboxMessage.__table__)
processed = cast(Table, ProcessedMessage.__table__)


# Seconds a conversation stays with an instance that stopped renewing (killed): take-over comes within this
# plus one heartbeat.
LEASE_SECONDS = 6.0


def _inbox_row(key: str, conversation: str, message: Incoming) -> dict[str, object]:
    return {
        "key": key,
        "conversation": conversation,
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

    def __init__(self, engine: AsyncEngine, keyer: Keyer, *, lease_seconds: float = LEASE_SECONDS) -> None:
        self._engine = engine
        # Every write goes through the database's one writer: on SQLite, writes queued meanwhile share a commit.
        self._writer = writer_for(engine)
        # Read by the worker: concurrent writes here share a transaction (SQLite), so it need not serialise them.
        self.merges_writes = self._writer.batches
        self._keyer = keyer
        self.lease_seconds = lease_seconds
        # This process among the instances sharing the database (new at every start, never reused).
        self.holder = secrets.token_hex(8)
        self._old_rows_keyed = False

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
        fresh: dict[str, Incoming] = {}
        ids: dict[str, int] = {}
        conversations: dict[str, str] = {}
        held: set[str] = set()

        async def work(connection: AsyncConnection) -> None:
            nonlocal held
            fresh.clear()
            ids.clear()
            claimed = set(
                (
                    await connection.execute(
                        insert_for(self._engine.dialect.name, processed)
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
            for key, message in zip(keys, messages, strict=True):
                if key in claimed and key not in fresh:
                    fresh[key] = message
            conversations.update({key: self._conversation(message) for key, message in fresh.items()})
            held = set()
            if fresh:
                rows = await connection.execute(
                    insert(inbox)
                    .values([_inbox_row(key, conversations[key], message) for key, message in fresh.items()])
                    .returning(inbox.c.key, inbox.c.id)
                )
                ids.update({key: row_id for key, row_id in rows.all()})
                held = await leases.take(connection, self.holder, conversations.values(), self.lease_seconds)

        await self._writer.write(work)
        items: list[InboxItem | None] = []
        for key, message in zip(keys, messages, strict=True):
            if key in ids and fresh.get(key) is message:
                conversation = conversations[key]
                items.append(
                    InboxItem(
                        id=ids[key],
                        message=message,
                        state="pending",
                        conversation=conversation,
                        leased=conversation in held,
                    )
                )
            else:
                items.append(None)
        return items

    def _conversation(self, message: Incoming) -> str:
        return self._keyer.conversation_key(message.transport, message.chat)

    async def pending(self, transport: str | None = None) -> list[InboxItem]:
        """Unfinished messages in the order they were received (resumed after a crash or restart)."""
        query = select(inbox).order_by(inbox.c.id)
        if transport is not None:
            query = query.where(inbox.c.transport == transport)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).mappings().all()
        return [item_from_row(row, leased=False) for row in rows]

    # -- sharing the work between instances --

    async def heartbeat(self, transports: Collection[str] | None = None) -> list[InboxItem]:
        """Renew this instance's leases and take every conversation nobody holds (new, or its holder was
        killed); returns the rows of the conversations taken, oldest first. `transports`: only conversations
        of these messengers (an instance answers only what it can send)."""

        async def work(connection: AsyncConnection) -> list[InboxItem]:
            await leases.renew(connection, self.holder, self.lease_seconds)
            if not self._old_rows_keyed:
                await self._key_old_rows(connection)
            free = await leases.unheld(connection, inbox, transports)
            taken = await leases.take(connection, self.holder, free, self.lease_seconds)
            return await self._rows_of(connection, taken)

        rows = await self._writer.write(work)
        self._old_rows_keyed = True
        return rows

    async def release(self, conversation: str) -> list[InboxItem]:
        """Give up a conversation whose rows this instance has answered; if rows arrived meanwhile (stored by
        another instance), keep it and return them, oldest first.

        The lease is deleted before the rows are looked at, each statement seeing what others committed
        before it began: another instance storing a row meanwhile either took its lease row's lock first (the
        delete waits for it, and the look then sees its row) or finds the lease gone and takes the
        conversation itself. Either way no row is left with nobody to answer it.
        """
        return await self._writer.write(lambda connection: self._release(connection, conversation))

    async def _release(self, connection: AsyncConnection, conversation: str) -> list[InboxItem]:
        await leases.give_up(connection, self.holder, conversation)
        if not await connection.scalar(select(inbox.c.id).where(inbox.c.conversation == conversation).limit(1)):
            return []
        taken = await leases.take(connection, self.holder, [conversation], self.lease_seconds)
        return await self._rows_of(connection, taken)

    async def _release_many(
        self, connection: AsyncConnection, conversations: Collection[str]
    ) -> dict[str, list[InboxItem]]:
        """`_release` for many conversations in a few statements (the leases first, then the look, as there)."""
        if not conversations:
            return {}
        wanted = sorted(set(conversations))
        await leases.give_up_many(connection, self.holder, wanted)
        query = select(inbox.c.conversation).distinct().where(inbox.c.conversation.in_(wanted))
        busy = list((await connection.execute(query)).scalars())
        kept: dict[str, list[InboxItem]] = {conversation: [] for conversation in wanted}
        if busy:
            taken = await leases.take(connection, self.holder, busy, self.lease_seconds)
            for item in await self._rows_of(connection, taken):
                kept[item.conversation].append(item)
        return kept

    async def release_all(self) -> None:
        """Give up every conversation (at shutdown): other instances take what is left at their next heartbeat."""
        await self._writer.write(lambda connection: leases.give_up(connection, self.holder))

    async def rows_of(self, conversation: str) -> list[InboxItem]:
        """The unfinished rows of a conversation this instance holds, oldest first."""
        async with self._engine.connect() as connection:
            return await self._rows_of(connection, {conversation})

    async def forget_leases(self) -> None:
        """For a database only this process uses (SQLite under the instance lock): leases left by an earlier
        run of it need not run out first."""
        await self._writer.write(leases.clear)

    async def _rows_of(self, connection: AsyncConnection, conversations: Collection[str]) -> list[InboxItem]:
        if not conversations:
            return []
        query = select(inbox).where(inbox.c.conversation.in_(list(conversations))).order_by(inbox.c.id)
        return [item_from_row(row) for row in (await connection.execute(query)).mappings().all()]

    async def _key_old_rows(self, connection: AsyncConnection) -> None:
        """Rows stored before conversations had keys (migration 0004) get theirs: it needs the secret key."""
        query = select(inbox.c.id, inbox.c.transport, inbox.c.chat).where(inbox.c.conversation == "")
        for row_id, transport, chat in (await connection.execute(query)).all():
            key = self._keyer.conversation_key(transport, chat)
            await connection.execute(update(inbox).where(inbox.c.id == row_id).values(conversation=key))

    # -- one message --

    async def mark_sending(self, ids: Iterable[int]) -> set[int]:
        """Record that sends are about to start: after a crash, such rows are not sent again. Returns the ids
        that were still pending: only those may be sent (another instance took the others)."""
        wanted = list(ids)

        async def work(connection: AsyncConnection) -> set[int]:
            marked = await connection.execute(
                update(inbox)
                .where(inbox.c.id.in_(wanted), inbox.c.state == "pending")
                .values(state="sending")
                .returning(inbox.c.id)
            )
            return set(marked.scalars())

        return await self._writer.write(work)

    async def hold(self, item_id: int) -> None:
        """Back to pending after a refusal that certainly delivered nothing, noting when the wait began."""
        query = (
            update(inbox)
            .where(inbox.c.id == item_id)
            .values(state="pending", held_since=func.coalesce(inbox.c.held_since, datetime.now(UTC)))
        )
        await self._writer.write(lambda connection: connection.execute(query))

    async def complete(
        self, results: Sequence[tuple[int, str]], *, scrub: bool = True, release: Collection[str] = ()
    ) -> dict[str, list[InboxItem]]:
        """Delete finished messages (text and address) and record how each ended, in one transaction; in the
        same transaction give up the conversations in `release` as `release` does, returning the rows found
        for those kept.

        With `scrub=False` the caller promises to call `scrub()` soon (the worker does, whenever it goes idle).
        """
        outcomes = dict(results)

        async def work(connection: AsyncConnection) -> dict[str, list[InboxItem]]:
            deleted = await connection.execute(
                delete(inbox).where(inbox.c.id.in_(list(outcomes))).returning(inbox.c.id, inbox.c.key)
            )
            keys_by_outcome: defaultdict[str, list[str]] = defaultdict(list)
            for item_id, key in deleted.all():
                keys_by_outcome[outcomes[item_id]].append(key)
            for outcome, keys in keys_by_outcome.items():
                await connection.execute(update(processed).where(processed.c.key.in_(keys)).values(outcome=outcome))
            return await self._release_many(connection, release)

        kept = await self._writer.write(work)
        if scrub:
            await self.scrub()
        return kept

    async def scrub(self) -> None:
        """Make deleted text unrecoverable from the SQLite files (see `bot.storage.database.scrub`); run by the
        writer between its transactions, so a checkpoint never waits on (or is blocked by) a batch in flight."""
        if self._engine.dialect.name != "sqlite":
            return
        await self._writer.alone(lambda connection: connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)")))

    async def purge_processed(self, older_than: datetime) -> int:
        """Forget dedupe keys older than the window in which a duplicate can still arrive."""
        query = delete(processed).where(processed.c.received_at < older_than)
        result = await self._writer.write(lambda connection: connection.execute(query))
        return int(result.rowcount or 0)

    async def backlog(self) -> int:
        async with self._engine.connect() as connection:
            return int(await connection.scalar(select(func.count()).select_from(inbox)) or 0)


def item_from_row(row: Mapping[Any, Any], *, leased: bool = True) -> InboxItem:
    """An inbox row (its columns by name, times as datetimes) as the item the worker answers."""
    return InboxItem(
        id=row["id"],
        state=row["state"],
        conversation=row["conversation"],
        leased=leased,
        held_since=None if row["held_since"] is None else as_utc(row["held_since"]),
        message=Incoming(
            transport=row["transport"],
            sender=row["sender"],
            sender_aliases=tuple(row["sender_aliases"].split()),
            chat=row["chat"],
            text=row["text"],
            message_key=row["key"],
            is_group=bool(row["is_group"]),
            addressed=bool(row["addressed"]),
            received_at=as_utc(row["received_at"]),
        ),
    )
