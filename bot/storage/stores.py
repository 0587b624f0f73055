"""Which inbox and conversation store a database gets.

PostgreSQL (several instances, leases between them): `Inbox` and `Conversations` on the async engine. A SQLite
file (one `confidant run` at a time): `SqliteInbox` and `SqliteConversations`, sharing one connection on a
thread of its own (`SqliteThread`), which costs a fraction of the CPU per message. An in-memory SQLite database
(tests) has no file another connection could open, so it keeps the engine's stores.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.stores import ConversationStore
from bot.shared.pseudonym import Keyer
from bot.storage.conversations import Conversations
from bot.storage.database import sqlite_path
from bot.storage.inbox import Inbox
from bot.storage.sqlite_conversations import SqliteConversations
from bot.storage.sqlite_inbox import SqliteInbox
from bot.storage.sqlite_thread import SqliteThread

# Either inbox has, beside the store protocol, `add` (one message) and `backlog` (rows waiting), for tests.
MessageInbox = Inbox | SqliteInbox


@dataclass
class MessageStores:
    inbox: MessageInbox
    conversations: ConversationStore
    # The SQLite connection's thread, closed with the stores (None: the engine's stores, closed with it).
    thread: SqliteThread | None = None

    async def close(self) -> None:
        if self.thread is not None:
            await self.thread.close()


def message_stores(engine: AsyncEngine, keyer: Keyer) -> MessageStores:
    path = sqlite_path(engine.url.render_as_string(hide_password=False))
    if path is None:
        return MessageStores(Inbox(engine, keyer), Conversations(engine))
    thread = SqliteThread(path)
    return MessageStores(SqliteInbox(thread, keyer), SqliteConversations(thread), thread)
