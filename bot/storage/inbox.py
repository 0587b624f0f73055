"""The durable inbox: messages are written here before any processing and deleted once answered.

Adding a message also records its (hashed) key in `processed_messages` in the same transaction, so a second copy
of the same message (overlapping sockets, two instances, a restart) is recognised and dropped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.identity import Keyer
from bot.core.messages import Incoming
from bot.storage.database import session_factory
from bot.storage.models import InboxMessage, ProcessedMessage


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int
    message: Incoming
    # "pending": not yet sent; "sending": a send was started before a crash, so delivery is unknown.
    state: str


class Inbox:
    def __init__(self, engine: AsyncEngine, keyer: Keyer) -> None:
        self._engine = engine
        self._sessions = session_factory(engine)
        self._keyer = keyer

    async def add(self, message: Incoming) -> InboxItem | None:
        """Persist a received message; None if this message was seen before (a duplicate)."""
        key = self._keyer.message_key(message.message_key)
        row = InboxMessage(
            key=key,
            transport=message.transport,
            sender=message.sender,
            chat=message.chat,
            text=message.text,
            is_group=message.is_group,
            addressed=message.addressed,
            received_at=message.received_at,
            state="pending",
        )
        try:
            async with self._sessions.begin() as session:
                session.add(
                    ProcessedMessage(
                        key=key,
                        transport=message.transport,
                        received_at=message.received_at,
                        outcome="received",
                    )
                )
                session.add(row)
        except IntegrityError:
            return None
        return InboxItem(id=row.id, message=message, state="pending")

    async def pending(self, transport: str | None = None) -> list[InboxItem]:
        """Unfinished messages in the order they were received (resumed after a crash or restart)."""
        query = select(InboxMessage).order_by(InboxMessage.id)
        if transport is not None:
            query = query.where(InboxMessage.transport == transport)
        async with self._sessions() as session:
            rows = (await session.scalars(query)).all()
        return [
            InboxItem(
                id=row.id,
                state=row.state,
                message=Incoming(
                    transport=row.transport,
                    sender=row.sender,
                    chat=row.chat,
                    text=row.text,
                    message_key=row.key,
                    is_group=row.is_group,
                    addressed=row.addressed,
                    received_at=row.received_at,
                ),
            )
            for row in rows
        ]

    async def mark_sending(self, item_id: int) -> None:
        """Record that a send is about to start: after a crash, such a row is not sent again."""
        async with self._sessions.begin() as session:
            await session.execute(update(InboxMessage).where(InboxMessage.id == item_id).values(state="sending"))

    async def complete(self, item_id: int, outcome: str) -> None:
        """Delete the message (text and address) and record how it ended."""
        async with self._sessions.begin() as session:
            key = await session.scalar(select(InboxMessage.key).where(InboxMessage.id == item_id))
            if key is None:
                return
            await session.execute(delete(InboxMessage).where(InboxMessage.id == item_id))
            await session.execute(update(ProcessedMessage).where(ProcessedMessage.key == key).values(outcome=outcome))
        await self.scrub()

    async def scrub(self) -> None:
        """Make deleted text unrecoverable from the SQLite files (no-op elsewhere).

        secure_delete zeroes freed bytes in the main file, but the write-ahead log still holds the old page
        images until a checkpoint; TRUNCATE copies the pages back and empties the log file.
        """
        if self._engine.dialect.name != "sqlite":
            return
        async with self._engine.connect() as connection:
            await connection.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))

    async def purge_processed(self, older_than: datetime) -> int:
        """Forget dedupe keys older than the window in which a duplicate can still arrive."""
        async with self._sessions.begin() as session:
            result = await session.execute(delete(ProcessedMessage).where(ProcessedMessage.received_at < older_than))
        return int(getattr(result, "rowcount", 0) or 0)

    async def backlog(self) -> int:
        async with self._sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(InboxMessage)) or 0)
