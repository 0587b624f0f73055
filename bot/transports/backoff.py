"""Jittered exponential backoff, shared by every reconnecting loop.

Jitter matters because several bot instances (or one bot's several loops) that lose the same server at the
same moment would otherwise all come back at the same instant and knock it over again.
"""

from __future__ import annotations

import random


class Backoff:
    """Delays `base`, 2·base, 4·base … capped at `cap`, each scaled by a random factor in [0.5, 1]."""

    def __init__(self, base: float = 1.0, cap: float = 30.0, *, rng: random.Random | None = None) -> None:
        if base <= 0 or cap < base:
            raise ValueError("need 0 < base <= cap")
        self.base = base
        self.cap = cap
        self._rng = rng or random.Random()
        self._attempt = 0

    @property
    def attempt(self) -> int:
        return self._attempt

    def next(self) -> float:
        ceiling: float = min(self.cap, self.base * 2.0 ** min(self._attempt, 32))
        self._attempt += 1
        return ceiling * self._rng.uniform(0.5, 1.0)

    def reset(self) -> None:
        self._attempt = 0
