"""The durable inbox on SQLite: the same promises as `bot.storage.inbox.Inbox`, in plain SQL on one thread.

A message is stored, with its hashed dedupe key, before anything else happens to it; a second copy of it is
recognised in that same transaction; a row is marked `sending` (committed) before its answer is sent, and a row
found in that state after a crash is never sent again; an answered row is deleted and its text scrubbed from
the files. What differs from the PostgreSQL inbox: SQLite is one machine's file, used by one `confidant run` at
a time (the instance lock in `bot.storage.lock`), so there are no leases to take, renew or give up: every
conversation is this process's. Writes go through `SqliteThread`, which commits what is queued together.

The SQL here writes what SQLAlchemy would for the same tables (times as UTC text, booleans as 0/1), so the
schema's other readers (migrations, `confidant health`, backups, the tests) see the same rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from bot.core.stores import InboxItem
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.inbox import item_from_row
from bot.storage.sqlite_thread import SqliteThread

# Whole rows, in the order `_item` reads them. Lists of ids or keys are passed as one JSON array parameter
# (`json_each`), so each statement's text is fixed and SQLite prepares it once (the driver caches statements).
NAMES = (
    "id", "key", "transport", "sender", "sender_aliases", "chat", "text", "is_group", "addressed", "received_at",
    "state", "conversation", "held_since",
)  # fmt: skip
ROWS = (
    "SELECT id, key, transport, sender, sender_aliases, chat, text, is_group, addressed, received_at, state, "
    "conversation, held_since FROM inbox"
)
ALL_ROWS = ROWS + " ORDER BY id"
ROWS_OF_TRANSPORT = ROWS + " WHERE transport = ? ORDER BY id"
ROWS_OF_CONVERSATIONS = (
    "SELECT id, key, transport, sender, sender_aliases, chat, text, is_group, addressed, received_at, state, "
    "conversation, held_since FROM inbox WHERE conversation IN (SELECT value FROM json_each(?)) ORDER BY id"
)
MARK_SENDING = (
    "UPDATE inbox SET state = 'sending' WHERE state = 'pending' AND id IN (SELECT value FROM json_each(?)) "
    "RETURNING id"
)
DELETE_FINISHED = "DELETE FROM inbox WHERE id IN (SELECT value FROM json_each(?)) RETURNING id, key"
CLAIM = (
    "INSERT INTO processed_messages (key, transport, received_at, outcome) VALUES (?, ?, ?, 'received') "
    "ON CONFLICT (key) DO NOTHING"
)
STORE = (
    "INSERT INTO inbox (key, transport, sender, sender_aliases, chat, text, is_group, addressed, received_at, "
    "state, conversation) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?)"
)


def stored_time(moment: datetime) -> str:
    """A time as SQLAlchemy stores it in SQLite: UTC, without its zone."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def read_time(stored: str | None) -> datetime | None:
    return None if stored is None else datetime.fromisoformat(stored).replace(tzinfo=UTC)


def _item(row: tuple[Any, ...]) -> InboxItem:
    values = dict(zip(NAMES, row, strict=True))
    values["received_at"] = read_time(values["received_at"])
    values["held_since"] = read_time(values["held_since"])
    return item_from_row(values)


def _rows_of(connection: sqlite3.Connection, conversations: Collection[str]) -> list[InboxItem]:
    return [_item(row) for row in connection.execute(ROWS_OF_CONVERSATIONS, (json.dumps(sorted(conversations)),))]


class SqliteInbox:
    """Implements `bot.core.stores.InboxStore` for the one process that uses a SQLite file."""

    # Writes queued at once share a transaction here: the worker need not serialise them.
    merges_writes = True

    def __init__(self, database: SqliteThread, keyer: Keyer) -> None:
        self._database = database
        self._keyer = keyer
        self._old_rows_keyed = False

    async def add(self, message: Incoming) -> InboxItem | None:
        [item] = await self.add_many([message])
        return item

    async def add_many(self, messages: Sequence[Incoming]) -> list[InboxItem | None]:
        """Store received messages in one transaction; None for each one seen before (also within the batch)."""
        keyer = self._keyer
        prepared = [
            (
                keyer.message_key(message.message_key),
                keyer.conversation_key(message.transport, message.chat),
                stored_time(message.received_at),
                message,
            )
            for message in messages
        ]

        def work(connection: sqlite3.Connection) -> list[int | None]:
            ids: list[int | None] = []
            for key, conversation, received, message in prepared:
                claimed = connection.execute(CLAIM, (key, message.transport, received)).rowcount == 1
                if not claimed:  # seen before, or earlier in this batch
                    ids.append(None)
                    continue
                values = (
                    key,
                    message.transport,
                    message.sender,
                    " ".join(message.sender_aliases),
                    message.chat,
                    message.text,
                    message.is_group,
                    message.addressed,
                    received,
                    conversation,
                )
                ids.append(connection.execute(STORE, values).lastrowid)
            return ids

        ids = await self._database.write(work)
        return [
            None
            if row_id is None
            else InboxItem(id=row_id, message=message, state="pending", conversation=conversation)
            for row_id, (_, conversation, _, message) in zip(ids, prepared, strict=True)
        ]

    async def pending(self, transport: str | None = None) -> list[InboxItem]:
        """Unfinished messages in the order they were received (resumed after a crash or restart)."""

        def work(connection: sqlite3.Connection) -> list[InboxItem]:
            if transport is None:
                rows = connection.execute(ALL_ROWS)
            else:
                rows = connection.execute(ROWS_OF_TRANSPORT, (transport,))
            return [_item(row) for row in rows]

        return await self._database.write(work)

    # -- conversations: all of them this process's --

    async def heartbeat(self, transports: Collection[str] | None = None) -> list[InboxItem]:
        """Every unfinished row of these messengers (no other instance can hold one)."""
        wanted = None if transports is None else set(transports)

        def work(connection: sqlite3.Connection) -> list[InboxItem]:
            if not self._old_rows_keyed:
                self._key_old_rows(connection)
            rows = [_item(row) for row in connection.execute(ALL_ROWS)]
            return [item for item in rows if wanted is None or item.message.transport in wanted]

        rows = await self._database.write(work)
        self._old_rows_keyed = True
        return rows

    def _key_old_rows(self, connection: sqlite3.Connection) -> None:
        """Rows stored before conversations had keys (migration 0004) get theirs: it needs the secret key."""
        old = connection.execute("SELECT id, transport, chat FROM inbox WHERE conversation = ''").fetchall()
        for row_id, transport, chat in old:
            key = self._keyer.conversation_key(transport, chat)
            connection.execute("UPDATE inbox SET conversation = ? WHERE id = ?", (key, row_id))

    async def release(self, conversation: str) -> list[InboxItem]:
        return await self.rows_of(conversation)

    async def rows_of(self, conversation: str) -> list[InboxItem]:
        return await self._database.write(lambda connection: _rows_of(connection, [conversation]))

    async def release_all(self) -> None:
        """Nothing to give up: no other instance shares a SQLite file."""

    async def forget_leases(self) -> None:
        """Leases written by an earlier release (or by the shared inbox on this file) mean nothing here."""
        await self._database.write(lambda connection: connection.execute("DELETE FROM inbox_leases").rowcount)

    # -- one message --

    async def mark_sending(self, ids: Iterable[int]) -> set[int]:
        """Pending -> sending, committed before any send starts; returns the ids that were still pending."""
        wanted = json.dumps(list(ids))

        def work(connection: sqlite3.Connection) -> set[int]:
            return {row_id for (row_id,) in connection.execute(MARK_SENDING, (wanted,))}

        return await self._database.write(work)

    async def hold(self, item_id: int) -> None:
        """Back to pending after a refusal that certainly delivered nothing, noting when the wait began."""
        now = stored_time(datetime.now(UTC))
        query = "UPDATE inbox SET state = 'pending', held_since = coalesce(held_since, ?) WHERE id = ?"
        await self._database.write(lambda connection: connection.execute(query, (now, item_id)).rowcount)

    async def complete(
        self, results: Sequence[tuple[int, str]], *, scrub: bool = True, release: Collection[str] = ()
    ) -> dict[str, list[InboxItem]]:
        """Delete finished rows (text and address) and record how each ended, in one transaction; returns the
        rows still waiting in the conversations of `release` (rows that arrived while these were answered)."""
        outcomes = dict(results)
        ids = json.dumps(list(outcomes))

        def work(connection: sqlite3.Connection) -> dict[str, list[InboxItem]]:
            deleted = connection.execute(DELETE_FINISHED, (ids,)).fetchall()
            finished = [(outcomes[row_id], key) for row_id, key in deleted]
            connection.executemany("UPDATE processed_messages SET outcome = ? WHERE key = ?", finished)
            kept: dict[str, list[InboxItem]] = {conversation: [] for conversation in release}
            for item in _rows_of(connection, release) if release else ():
                kept[item.conversation].append(item)
            return kept

        kept = await self._database.write(work)
        if scrub:
            await self.scrub()
        return kept

    async def scrub(self) -> None:
        """Make deleted text unrecoverable from the files (see `bot.storage.database.scrub`): run between
        transactions, so the checkpoint is never blocked by a batch of this process in flight."""
        # fetchall: the checkpoint answers with a row, and a statement left unfinished would keep the next
        # transaction's savepoints from opening.
        await self._database.alone(lambda connection: connection.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall())

    async def purge_processed(self, older_than: datetime) -> int:
        """Forget dedupe keys older than the window in which a duplicate can still arrive."""
        query = "DELETE FROM processed_messages WHERE received_at < ?"
        cutoff = stored_time(older_than)
        return await self._database.write(lambda connection: connection.execute(query, (cutoff,)).rowcount)

    async def backlog(self) -> int:
        return await self._database.write(
            lambda connection: int(connection.execute("SELECT count(*) FROM inbox").fetchall()[0][0])
        )
