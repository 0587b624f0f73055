"""What each conversation is about, in the database, so that any instance can answer the next message.

Only knowledge-base ids (checked here, so that no text can slip in) and two flags, by the user's keyed hash.
A conversation older than a day is treated as over: `load` ignores it, and `save` deletes such rows now and
then (at most once an hour), so nothing lingers without a housekeeping job.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.stores import Conversation
from bot.storage.database import as_utc
from bot.storage.dialect import insert_for
from bot.storage.models import ConversationState
from bot.storage.writer import writer_for

LIFETIME = timedelta(days=1)
TIDY_EVERY = 3600.0  # seconds between two deletions of expired conversations by one process

table = cast(Table, ConversationState.__table__)
_ID = re.compile(r"[a-z0-9][a-z0-9._-]{0,99}")


def _ids(values: Iterable[str]) -> str:
    joined = []
    for value in values:
        if not _ID.fullmatch(value):
            raise ValueError("a conversation holds knowledge-base ids only")
        joined.append(value)
    return " ".join(joined)


def _id(value: str | None) -> str | None:
    return None if value is None else _ids([value])


def row_values(conversation: Conversation, updated_at: datetime) -> dict[str, Any]:
    """The columns of a conversation's row (ids checked: no text can slip in)."""
    return {
        "platforms": _ids(conversation.platforms),
        "topic": _id(conversation.topic),
        "suggestion": _id(conversation.suggestion),
        "aspects": _ids(conversation.aspects),
        "asked_region": conversation.asked_region,
        "after_room": conversation.after_room,
        "updated_at": updated_at,
    }


def from_row(row: Mapping[Any, Any]) -> Conversation:
    return Conversation(
        platforms=tuple(row["platforms"].split()),
        topic=row["topic"],
        suggestion=row["suggestion"],
        aspects=tuple(row["aspects"].split()),
        asked_region=bool(row["asked_region"]),
        after_room=bool(row["after_room"]),
        at=as_utc(row["updated_at"]).timestamp(),
    )


class Conversations:
    """Implements `bot.core.stores.ConversationStore`."""

    def __init__(
        self,
        engine: AsyncEngine,
        *,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._engine = engine
        self._writer = writer_for(engine)
        self._now = now
        self._monotonic = monotonic
        self._tidied_at: float | None = None

    async def load(self, user_key: str) -> Conversation | None:
        query = select(table).where(table.c.user_key == user_key, table.c.updated_at >= self._now() - LIFETIME)
        async with self._engine.connect() as connection:
            row = (await connection.execute(query)).mappings().first()
        return None if row is None else from_row(row)

    async def save(self, user_key: str, conversation: Conversation) -> None:
        values = row_values(conversation, self._now())
        upsert = insert_for(self._engine.dialect.name, table).values(user_key=user_key, **values)
        tidy = self._tidied_at is None or self._monotonic() - self._tidied_at >= TIDY_EVERY
        if tidy:
            self._tidied_at = self._monotonic()

        async def work(connection: AsyncConnection) -> None:
            await connection.execute(upsert.on_conflict_do_update(index_elements=["user_key"], set_=values))
            if tidy:
                await connection.execute(delete(table).where(table.c.updated_at < self._now() - LIFETIME))

        # Through the database's one writer: on SQLite it shares a commit with the inbox writes queued meanwhile.
        await self._writer.write(work)

    async def forget(self, user_key: str) -> None:
        query = delete(table).where(table.c.user_key == user_key)
        await self._writer.write(lambda connection: connection.execute(query))
