"""What the core needs from durable storage, owned here so that storage depends on the core and never the
other way round (`bot.storage.inbox.Inbox`, `bot.storage.users.Users` and `bot.storage.conversations.Conversations`
implement these; `bot.core.conversations.ConversationsInMemory` is the store of a single process)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from bot.shared.incoming import Incoming


@dataclass(frozen=True, slots=True)
class InboxItem:
    """A message kept in the inbox until its answer is sent."""

    id: int
    message: Incoming
    # "pending": not yet sent; "sending": a send was started before a crash, so delivery is unknown.
    state: str
    # The conversation's keyed hash: the unit one instance at a time answers.
    conversation: str = ""
    # Whether this instance holds the conversation's lease (else another instance answers this row).
    leased: bool = True
    # When the messenger first refused its answer (None: never), for telling the person about the wait.
    held_since: datetime | None = None


class InboxStore(Protocol):
    """Messages persisted before processing and deleted once answered, deduplicated by message key, and
    shared between instances conversation by conversation, under leases."""

    async def add_many(self, messages: Sequence[Incoming]) -> list[InboxItem | None]:
        """One transaction; None for each message seen before. Takes the lease of each new row's conversation
        where no other instance holds it."""
        ...

    async def pending(self, transport: str | None = None) -> list[InboxItem]: ...

    async def heartbeat(self, transports: Collection[str] | None = None) -> list[InboxItem]:
        """Renew this instance's leases; take conversations nobody holds and return their rows, oldest first."""
        ...

    async def release(self, conversation: str) -> list[InboxItem]:
        """Give up a conversation; if rows arrived meanwhile, keep it and return them instead."""
        ...

    async def rows_of(self, conversation: str) -> list[InboxItem]: ...

    async def release_all(self) -> None: ...

    async def forget_leases(self) -> None: ...

    async def mark_sending(self, ids: Iterable[int]) -> set[int]:
        """Pending -> sending; returns the ids that were still pending (only those may be sent)."""
        ...

    async def hold(self, item_id: int) -> None:
        """Sending -> pending again, after a refusal that certainly delivered nothing; notes since when."""
        ...

    async def complete(
        self, results: Sequence[tuple[int, str]], *, scrub: bool = True, release: Collection[str] = ()
    ) -> dict[str, list[InboxItem]]:
        """Delete answered rows, recording outcomes; give up the conversations in `release` in the same
        transaction (returning the rows of those kept because rows arrived meanwhile)."""
        ...

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
    # When the conversation was last about something (seconds since the epoch): a follow-up much later starts
    # afresh.
    at: float = 0.0


class ConversationStore(Protocol):
    """Conversations by the user's keyed hash. A database store forgets a conversation after a day."""

    async def load(self, user_key: str) -> Conversation | None: ...

    async def save(self, user_key: str, conversation: Conversation) -> None: ...

    async def forget(self, user_key: str) -> None: ...


@dataclass(frozen=True, slots=True)
class Alerts:
    """What waits for the operator, as every instance sees it."""

    # Seconds until a messenger's rate-limit pause ends (0: none), and the challenge a solved captcha answers.
    paused_for: float = 0.0
    challenge: str | None = None
    # Conversations (keyed hashes) whose person's safety number changed -> (pseudonym, when).
    untrusted: dict[str, tuple[str, datetime]] = field(default_factory=dict)


class AlertStore(Protocol):
    """Operator alerts shared by every instance and the operator's commands; holds no numbers or ids."""

    async def load(self) -> Alerts: ...

    async def rate_limited(self, seconds: float, challenge: str | None) -> None:
        """Pause every instance's sends for `seconds`; keep the newest challenge for the operator."""
        ...

    async def challenge_solved(self) -> None: ...

    async def untrusted(self, conversation: str, pseudonym: str) -> None: ...

    async def trusted(self, conversation: str) -> None: ...


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
