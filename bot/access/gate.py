"""The access gate: who someone is by configuration (the terminal's user, an admin, a guest of an open bot), the
per-person rate limit and the message size, checked before the brain sees a message. Invited users are the
database's to say (bot/core/doorkeeper.py)."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Literal

from bot.shared.answer import Answer, Intent, Section
from bot.shared.incoming import Incoming

MAX_CHARACTERS = 2000
RATE_PER_MINUTE = 20
MAX_REMEMBERED = 10_000  # people kept in memory for rate limits; the least recent are forgotten first

# "local": typed at this machine (the terminal); "admin": named in CONFIDANT_ADMINS; "user": joined with an
# invitation; "guest": anyone, when CONFIDANT_ACCESS is open.
Role = Literal["local", "admin", "user", "guest"]


@dataclass
class _Bucket:
    """One sender's token bucket for the rate limit."""

    tokens: float
    updated: float
    warned: bool = False


@dataclass(frozen=True, slots=True)
class Refusal:
    """The gate stopped a message; `reply` is what to say instead (None: say nothing, e.g. repeated flooding)."""

    reply: Answer | None


def _refusal(title: str, line: str) -> Refusal:
    return Refusal(Answer(intent=Intent.REFUSED, title=title, sections=(Section(None, (line,)),)))


class AccessGate:
    def __init__(
        self,
        *,
        mode: str,
        admins: Iterable[str],
        local: Iterable[str] = (),
        clock: Callable[[], float] = time.monotonic,
        rate_per_minute: int = RATE_PER_MINUTE,
        max_characters: int = MAX_CHARACTERS,
    ) -> None:
        self._open = mode == "open"
        self._admins = frozenset(admins)
        # Transports whose user sits at this machine (the terminal): never refused, never rate limited.
        self._local = frozenset(local)
        self._clock = clock
        self._rate = rate_per_minute  # 0: no limit (CONFIDANT_RATE_PER_MINUTE=0)
        self._max = max_characters
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()

    def role(self, message: Incoming) -> Role | None:
        """The role configuration gives this sender; None means ask the database whether they were invited."""
        if message.transport in self._local:
            return "local"
        ids = (message.sender, *message.sender_aliases)
        if any(f"{message.transport}:{ident}" in self._admins for ident in ids):
            return "admin"
        return "guest" if self._open else None

    def throttle(self, message: Incoming, user_key: str) -> Refusal | None:
        """None while this person is within the rate limit; otherwise a Refusal ("one moment", then silence).

        It comes before anything else, for strangers too: replies to a flood would spend the bot's Signal
        sending budget and pause answers to the counsellors it serves."""
        if message.transport in self._local or self._rate <= 0 or self._take(user_key):
            return None
        if self._buckets[user_key].warned:
            return Refusal(None)
        self._buckets[user_key].warned = True
        return _refusal("One moment", "You are sending messages faster than I answer. Please wait a minute.")

    def oversized(self, message: Incoming) -> Refusal | None:
        if len(message.text) <= self._max:
            return None
        return _refusal(
            "That message is too long for me",
            f"It has {len(message.text):,} characters; I read up to {self._max:,}. "
            "Please ask one question at a time, like “is Zoom safe?”.",
        )

    def _take(self, user_key: str) -> bool:
        now = self._clock()
        bucket = self._buckets.get(user_key)
        if bucket is None:
            bucket = self._buckets[user_key] = _Bucket(tokens=float(self._rate), updated=now)
        bucket.tokens = min(float(self._rate), bucket.tokens + (now - bucket.updated) * self._rate / 60)
        bucket.updated = now
        self._buckets.move_to_end(user_key)
        while len(self._buckets) > MAX_REMEMBERED:
            self._buckets.popitem(last=False)
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            bucket.warned = False
            return True
        return False
