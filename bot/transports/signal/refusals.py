"""What Signal refuses to deliver for now, as every instance knows it: a rate-limit pause (with its captcha
challenge) and people whose safety number changed.

Each refusal is written to the shared alert store (the database) when it happens, and every instance reads
the store back every few seconds (`refresh`), so a pause started by one instance pauses all, and a captcha
solved or a person trusted with `confidant signal …` on any host lets every instance send again. Between
refreshes the answer to "may this chat be sent to?" comes from memory: no database round trip per message.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from bot.core.stores import AlertStore

logger = logging.getLogger(__name__)


class Refusals:
    def __init__(self, store: AlertStore | None, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._store = store
        self._clock = clock
        self.paused_until = 0.0  # on `clock`
        self._untrusted: set[str] = set()

    @property
    def paused_for(self) -> float:
        return max(0.0, self.paused_until - self._clock())

    def blocked(self, conversation: str) -> bool:
        return self.paused_for > 0 or conversation in self._untrusted

    @property
    def any_untrusted(self) -> bool:
        return bool(self._untrusted)

    async def refresh(self) -> None:
        if self._store is None:
            return
        try:
            alerts = await self._store.load()
        except Exception as error:
            logger.warning("Signal alerts not read: %s", type(error).__name__)
            return
        # The store's pause is on the database's clock; ours on this process's. Another instance may have
        # started it, or the operator ended it.
        self.paused_until = self._clock() + alerts.paused_for
        self._untrusted = set(alerts.untrusted)

    async def rate_limited(self, seconds: float, challenge: str | None) -> None:
        self.paused_until = max(self.paused_until, self._clock() + seconds)
        if self._store is not None:
            try:
                await self._store.rate_limited(seconds, challenge)
            except Exception as error:
                logger.warning("Signal rate limit not shared: %s", type(error).__name__)

    async def untrusted(self, conversation: str, pseudonym: str) -> None:
        self._untrusted.add(conversation)
        if self._store is not None:
            try:
                await self._store.untrusted(conversation, pseudonym)
            except Exception as error:
                logger.warning("Signal identity alert not stored: %s", type(error).__name__)
