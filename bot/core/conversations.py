"""The conversation store of a single process: `confidant chat`, `confidant ask` and tests.

`confidant run` uses the database's (`bot.storage.conversations`), since with several instances the next
message of a conversation may be answered by another process.
"""

from __future__ import annotations

from collections import OrderedDict

from bot.core.stores import Conversation

MAX_USERS = 10_000  # conversations kept; the least recent are forgotten first


class ConversationsInMemory:
    """Implements `bot.core.stores.ConversationStore` in this process's memory, until it exits."""

    def __init__(self, size: int = MAX_USERS) -> None:
        self._size = size
        self._kept: OrderedDict[str, Conversation] = OrderedDict()

    async def load(self, user_key: str) -> Conversation | None:
        return self._kept.get(user_key)

    async def save(self, user_key: str, conversation: Conversation) -> None:
        self._kept[user_key] = conversation
        self._kept.move_to_end(user_key)
        while len(self._kept) > self._size:
            self._kept.popitem(last=False)

    async def forget(self, user_key: str) -> None:
        self._kept.pop(user_key, None)
