"""What the core needs from durable storage, owned here so that storage depends on the core and never the
other way round (`bot.storage.inbox.Inbox`, `bot.storage.users.Users` and `bot.storage.conversations.Conversations`
implement these; `bot.core.conversations.ConversationsInMemory` is the store of a single process)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.shared.incoming import Incoming


@dataclass(frozen=True, slots=True)
class InboxItem:
    id: int
    message: Incoming
    # "pending": not yet sent; "sending": a send was started before a crash, so delivery is unknown.
    state: str


class InboxStore(Protocol):
    """Messages persisted before processing and deleted once answered, deduplicated by message key."""

    async def add_many(self, messages: Sequence[Incoming]) -> list[InboxItem | None]:
        """One transaction; None for each message seen before."""
        ...

    async def pending(self, transport: str | None = None) -> list[InboxItem]: ...

    async def mark_sending(self, ids: Iterable[int]) -> None: ...

    async def complete(self, results: Sequence[tuple[int, str]], *, scrub: bool = True) -> None: ...

    async def scrub(self) -> None: ...

    async def purge_processed(self, older_than: datetime) -> int: ...


class UserStore(Protocol):
    """Per-user settings, keyed by the user's keyed hash."""

    async def settings(self, user_key: str) -> dict[str, str]: ...

    async def set(self, user_key: str, name: str, value: str) -> None: ...

    async def forget(self, user_key: str) -> bool: ...


@dataclass(frozen=True, slots=True)
class Conversation:
    """What a conversation with one user is about, so that "more", "yes" and follow-ups work whichever instance
    answers the next message. Knowledge-base ids and flags only: never text, numbers or links."""

    # Platform, topic and aspect ids of the last answer; `suggestion` the platform of a pending "Did you mean …?".
    platforms: tuple[str, ...] = ()
    topic: str | None = None
    suggestion: str | None = None
    aspects: tuple[str, ...] = ()
    # Already asked which rules (region) apply to them: asked once per conversation.
    asked_region: bool = False
    # The last answer was a meeting room: "more" means the room checklist.
    after_room: bool = False


class ConversationStore(Protocol):
    """Conversations by the user's keyed hash. A database store forgets a conversation after a day."""

    async def load(self, user_key: str) -> Conversation | None: ...

    async def save(self, user_key: str, conversation: Conversation) -> None: ...

    async def forget(self, user_key: str) -> None: ...
