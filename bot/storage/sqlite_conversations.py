"""What each conversation is about, on SQLite: in the file (so a restart keeps follow-ups working) and in memory.

One process at a time uses a SQLite file (the instance lock), so after a conversation was read or written once,
memory knows it as well as the file does, including "no conversation": every message is answered without a read.
Writes go through `SqliteThread` and share a commit with the inbox's. The one change made behind this process's
back is `confidant users remove` deleting someone's row; it bumps the change counter (`settings_version`), which
is read here at most every `check_every` seconds: when it moved, memory starts afresh from the file.

Kept in memory: knowledge-base ids and two flags per person's keyed hash, as in the file; never text.
"""

from __future__ import annotations

import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from bot.core.stores import Conversation
from bot.storage.conversations import LIFETIME, TIDY_EVERY, from_row, row_values
from bot.storage.sqlite_inbox import read_time, stored_time
from bot.storage.sqlite_thread import SqliteThread

CHECK_EVERY = 0.5  # seconds between two reads of the change counter
MAX_KEPT = 50_000  # people whose conversation (or its absence) is kept in memory; the least recent go first

UPSERT = (
    "INSERT INTO conversations (user_key, platforms, topic, suggestion, aspects, asked_region, after_room, "
    "updated_at) VALUES (:user_key, :platforms, :topic, :suggestion, :aspects, :asked_region, :after_room, "
    ":updated_at) ON CONFLICT (user_key) DO UPDATE SET platforms = excluded.platforms, topic = excluded.topic, "
    "suggestion = excluded.suggestion, aspects = excluded.aspects, asked_region = excluded.asked_region, "
    "after_room = excluded.after_room, updated_at = excluded.updated_at"
)
SELECT = (
    "SELECT platforms, topic, suggestion, aspects, asked_region, after_room, updated_at FROM conversations "
    "WHERE user_key = ?"
)
VERSION = "SELECT version FROM settings_version WHERE id = 1"


def _version(connection: sqlite3.Connection) -> int:
    # fetchall, not fetchone: a statement left unfinished would keep the batch's next savepoint from opening.
    rows = connection.execute(VERSION).fetchall()
    return int(rows[0][0]) if rows else 0


class SqliteConversations:
    """Implements `bot.core.stores.ConversationStore` for the one process that uses a SQLite file."""

    def __init__(
        self,
        database: SqliteThread,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
        check_every: float = CHECK_EVERY,
    ) -> None:
        self._database = database
        self._now = now
        self._monotonic = monotonic
        self._check_every = check_every
        self._checked_at = float("-inf")
        self._version: int | None = None
        # user key -> their conversation, or None when the file has none
        self._kept: OrderedDict[str, Conversation | None] = OrderedDict()
        self._tidied_at: float | None = None

    async def load(self, user_key: str) -> Conversation | None:
        if self._monotonic() - self._checked_at >= self._check_every:
            self._checked_at = self._monotonic()  # one check at a time; meanwhile, memory answers
            try:
                await self._check()
            except BaseException:
                self._checked_at = float("-inf")
                raise
        if user_key in self._kept:
            conversation = self._kept[user_key]
            self._kept.move_to_end(user_key)
        else:
            conversation = await self._database.write(lambda connection: self._read(connection, user_key))
            self._keep(user_key, conversation)
        if conversation is not None and self._now().timestamp() - conversation.at > LIFETIME.total_seconds():
            return None  # over: older than a day
        return conversation

    @staticmethod
    def _read(connection: sqlite3.Connection, user_key: str) -> Conversation | None:
        rows = connection.execute(SELECT, (user_key,)).fetchall()
        if not rows:
            return None
        [row] = rows
        names = ("platforms", "topic", "suggestion", "aspects", "asked_region", "after_room", "updated_at")
        values: dict[str, Any] = dict(zip(names, row, strict=True))
        values["updated_at"] = read_time(values["updated_at"])
        return from_row(values)

    async def _check(self) -> None:
        version = await self._database.write(_version)
        if version != self._version:
            self._kept.clear()
            self._version = version

    def _keep(self, user_key: str, conversation: Conversation | None) -> None:
        self._kept[user_key] = conversation
        self._kept.move_to_end(user_key)
        while len(self._kept) > MAX_KEPT:
            self._kept.popitem(last=False)

    async def save(self, user_key: str, conversation: Conversation) -> None:
        now = self._now()
        values = row_values(conversation, now) | {"user_key": user_key, "updated_at": stored_time(now)}
        tidy = self._tidied_at is None or self._monotonic() - self._tidied_at >= TIDY_EVERY
        if tidy:
            self._tidied_at = self._monotonic()
        expired = stored_time(now - LIFETIME)

        def work(connection: sqlite3.Connection) -> None:
            connection.execute(UPSERT, values)
            if tidy:
                connection.execute("DELETE FROM conversations WHERE updated_at < ?", (expired,))

        await self._database.write(work)
        self._keep(user_key, replace(conversation, at=now.timestamp()))

    async def forget(self, user_key: str) -> None:
        await self._database.write(
            lambda connection: connection.execute("DELETE FROM conversations WHERE user_key = ?", (user_key,)).rowcount
        )
        self._keep(user_key, None)
