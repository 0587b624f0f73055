"""The access gate: allowlist, per-user rate limit and message size, checked before the brain sees a message."""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.shared.answer import Answer, Intent, Section
from bot.shared.incoming import Incoming

MAX_CHARACTERS = 2000
RATE_PER_MINUTE = 20
PRIVATE_NOTE_EVERY = 3600.0  # seconds between two "this Confidant is private" notes to one stranger
MAX_REMEMBERED = 10_000  # users kept in memory for rate limits; the least recent are forgotten first


@dataclass
class _Bucket:
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
        # Transports whose user sits at this machine (the terminal): neither allowlisted nor rate limited.
        self._local = frozenset(local)
        self._clock = clock
        self._rate = rate_per_minute
        self._max = max_characters
        self._buckets: OrderedDict[str, _Bucket] = OrderedDict()
        self._strangers: OrderedDict[str, float] = OrderedDict()

    def allowed(self, message: Incoming) -> bool:
        if self._open or message.transport in self._local:
            return True
        ids = (message.sender, *message.sender_aliases)
        return any(f"{message.transport}:{ident}" in self._admins for ident in ids)

    def check(self, message: Incoming, user_key: str) -> Refusal | None:
        """None to let the message through; otherwise a Refusal."""
        # The rate limit comes first, for strangers too: replies to a flood would spend the bot's Signal
        # sending budget and pause answers to the counsellors it serves.
        if message.transport not in self._local and not self._take(user_key):
            return Refusal(None) if self._buckets[user_key].warned else self._warn(user_key)
        if not self.allowed(message):
            if self._told_private(user_key):
                return Refusal(None)  # said once an hour is enough
            return _refusal(
                "This Confidant is private",
                "It answers only the people its operator has listed. Ask them for access.",
            )
        if len(message.text) > self._max:
            return _refusal(
                "That message is too long for me",
                f"It has {len(message.text):,} characters; I read up to {self._max:,}. "
                "Please ask one question at a time, like “is Zoom safe?”.",
            )
        return None

    def _told_private(self, user_key: str) -> bool:
        """True if this stranger was told within the last hour; otherwise remember telling them now."""
        now = self._clock()
        told = self._strangers.get(user_key)
        if told is not None and now - told < PRIVATE_NOTE_EVERY:
            return True
        self._strangers[user_key] = now
        self._strangers.move_to_end(user_key)
        while len(self._strangers) > MAX_REMEMBERED:
            self._strangers.popitem(last=False)
        return False

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

    def _warn(self, user_key: str) -> Refusal:
        self._buckets[user_key].warned = True
        return _refusal("One moment", "You are sending messages faster than I answer. Please wait a minute.")
