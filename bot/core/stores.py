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


@dataclass(frozen=True, slots=True)
class Member:
    """Someone with a role: an invited user from the database, or an admin from CONFIDANT_ADMINS (`since` None)."""

    key: str
    role: str  # "admin" or "user"
    transport: str
    since: datetime | None


@dataclass(frozen=True, slots=True)
class StrangerState:
    """What is remembered about someone who may not use this Confidant (all times UTC)."""

    refused_at: datetime | None = None  # when they were last told "this Confidant is private"
    codes_since: datetime | None = None  # when the current hour of invitation-code attempts began
    wrong_codes: int = 0


class UserStore(Protocol):
    """People by their keyed hash: settings, and the role of those who joined with an invitation."""

    async def settings(self, user_key: str) -> dict[str, str]: ...

    async def set(self, user_key: str, name: str, value: str) -> None: ...

    async def forget(self, user_key: str) -> bool:
        """Delete every row about this person (settings, membership, what was noted about them as a stranger)."""
        ...

    async def role(self, user_keys: Sequence[str]) -> str | None:
        """The stored role of the first of these keys (one person's ids) that has one."""
        ...

    async def join(self, user_key: str, transport: str, now: datetime) -> None: ...

    async def member(self, user_key: str) -> Member | None: ...

    async def members(self) -> list[Member]: ...


class InvitationStore(Protocol):
    """One-time invitations, known by the keyed hash of their code."""

    async def create(self, code_key: str, *, now: datetime, expires_at: datetime) -> None: ...

    async def redeem(self, code_key: str, now: datetime) -> bool:
        """Use the invitation up: True exactly once for a code that exists and has not expired."""
        ...

    async def purge(self, now: datetime) -> int: ...


class StrangerStore(Protocol):
    """What is remembered, by keyed hash, about people who may not use this Confidant."""

    async def state(self, user_key: str) -> StrangerState: ...

    async def save(self, user_key: str, state: StrangerState) -> None: ...

    async def purge(self, refused_before: datetime, codes_before: datetime) -> int: ...
