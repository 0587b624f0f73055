"""Who may talk to Confidant: its admins (CONFIDANT_ADMINS), the people they invited, and nobody else.

Membership lives in the database, so an invitation works the moment it is used, without a restart. A stranger
learns nothing: one short refusal a day (remembered across restarts, by keyed hash), never knowledge-base
content, rooms or a hint of who else uses it. "join CODE" with a wrong code gets the same refusal, or the same
silence, as any other message, and at most `MAX_WRONG_CODES` codes a person sends in an hour are even checked.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bot.access.gate import AccessGate, Role
from bot.access.invitations import grouped, join_argument, new_code, read_code
from bot.brain import replies
from bot.core.stores import InvitationStore, StrangerState, StrangerStore, UserStore
from bot.shared.answer import Answer
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer

REFUSE_EVERY = timedelta(hours=24)
CODE_WINDOW = timedelta(hours=1)
MAX_WRONG_CODES = 5
INVITATION_LIFETIME = timedelta(days=7)
MAX_REMEMBERED = 10_000


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Invitation:
    """A new invitation code, and until when it works."""

    code: str  # shown once, to whoever asked; the database keeps only its keyed hash
    expires_at: datetime

    @property
    def until(self) -> str:
        """The expiry in words: "8 December 2026, 09:00 UTC"."""
        moment = self.expires_at.astimezone(UTC)
        return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


class MemoryStrangers:
    """Strangers remembered in memory only, for an assistant without a database (tests, stateless use)."""

    def __init__(self) -> None:
        self._states: OrderedDict[str, StrangerState] = OrderedDict()

    async def state(self, user_key: str) -> StrangerState:
        return self._states.get(user_key, StrangerState())

    async def save(self, user_key: str, state: StrangerState) -> None:
        self._states[user_key] = state
        self._states.move_to_end(user_key)
        while len(self._states) > MAX_REMEMBERED:
            self._states.popitem(last=False)

    async def purge(self, refused_before: datetime, codes_before: datetime) -> int:
        return 0


class Doorkeeper:
    def __init__(
        self,
        gate: AccessGate,
        keyer: Keyer,
        *,
        users: UserStore | None = None,
        invitations: InvitationStore | None = None,
        strangers: StrangerStore | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self._gate = gate
        self._keyer = keyer
        self._users = users
        self._invitations = invitations
        self._strangers = strangers or MemoryStrangers()
        self._now = now

    async def role(self, message: Incoming) -> Role | None:
        """The sender's role, or None for a stranger."""
        role = self._gate.role(message)
        if role is not None or self._users is None:
            return role
        # Any of the sender's ids will do: a Signal user who joined by number is still known by their UUID.
        ids = (message.sender, *message.sender_aliases)
        stored = await self._users.role([self._keyer.user_key(message.transport, ident) for ident in ids])
        return "user" if stored == "user" else None

    async def stranger(self, message: Incoming, user_key: str) -> Answer | None:
        """The reply to someone with no role: the welcome if they joined, else the refusal once a day, else None."""
        now = self._now()
        state = await self._strangers.state(user_key)
        if state.codes_since is not None and now - state.codes_since >= CODE_WINDOW:
            state = replace(state, codes_since=None, wrong_codes=0)
        code = read_code(argument) if (argument := join_argument(message.text)) is not None else None
        if code is not None and state.wrong_codes < MAX_WRONG_CODES:
            if self._users is not None and await self._redeem(code, now):
                await self._users.join(user_key, message.transport, now)
                return replies.welcome_answer()
            state = replace(state, codes_since=state.codes_since or now, wrong_codes=state.wrong_codes + 1)
        told = state.refused_at is not None and now - state.refused_at < REFUSE_EVERY
        if not told:
            state = replace(state, refused_at=now)
        await self._strangers.save(user_key, state)
        return None if told else replies.private_answer()

    def already_in(self, message: Incoming) -> bool:
        """A member sending "join CODE" again: the code is left unused, and they are told they are in."""
        argument = join_argument(message.text)
        return argument is not None and read_code(argument) is not None

    async def invite(self) -> Invitation | None:
        """A new one-time code, or None without a database to keep it in."""
        if self._invitations is None:
            return None
        return await create_invitation(self._invitations, self._keyer, now=self._now())

    async def _redeem(self, code: str, now: datetime) -> bool:
        return self._invitations is not None and await self._invitations.redeem(self._keyer.invitation(code), now)


async def create_invitation(
    invitations: InvitationStore, keyer: Keyer, *, now: datetime, lifetime: timedelta = INVITATION_LIFETIME
) -> Invitation:
    """A new one-time code, stored as its keyed hash (for `confidant invite` and "invite" in a chat alike)."""
    code = new_code()
    expires_at = now + lifetime
    await invitations.create(keyer.invitation(code), now=now, expires_at=expires_at)
    return Invitation(grouped(code), expires_at)
