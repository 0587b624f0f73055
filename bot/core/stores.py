"""What the core needs from durable storage, owned here so that storage depends on the core and never the
other way round (`bot.storage.inbox.Inbox` and `bot.storage.users.Users` implement these)."""

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
