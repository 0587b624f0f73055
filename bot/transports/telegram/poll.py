"""Receiving by long polling, with our own loop over `getUpdates`.

PTB's `Updater` confirms an update (advances the offset) as soon as it has queued it, before our code has
stored it, so an update received just before the process dies would be lost. This loop advances the offset
only after the update is committed to the inbox: Telegram confirms every update below the offset at the next
`getUpdates` call, so a crash at any point means the update comes again, and the inbox's dedupe key drops
the copy if it was already stored.

Telegram allows one poller per token; a second gets 409 Conflict. That is reported, and the loop keeps
trying slowly, so the instance takes over when the other one stops.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError

from bot.transports.backoff import Backoff
from bot.transports.telegram.send import retry_after_seconds

logger = logging.getLogger(__name__)

# Store one update; True once it is safely in the inbox (or deliberately dropped), False to try it again.
Handle = Callable[[Update], Awaitable[bool]]
ALLOWED_UPDATES = ("message", "callback_query")


class Poller:
    def __init__(
        self,
        bot: Bot,
        handle: Handle,
        *,
        timeout: int = 30,
        backoff: Backoff | None = None,
        conflict_pause: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._handle = handle
        self._timeout = timeout
        self._backoff = backoff or Backoff(1.0, 30.0)
        self._storing = Backoff(self._backoff.base, self._backoff.cap)
        self._conflict_pause = conflict_pause
        self._clock = clock
        self._sleep = sleep
        self._stop = asyncio.Event()
        self.offset: int | None = None
        self._confirmed: int | None = None
        self.failing = False
        self.conflict = False
        self.last_poll_at: float | None = None

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        try:
            while not self._stop.is_set():
                updates = await self._poll()
                if updates is None:
                    continue
                self._confirmed = self.offset
                for update in updates:
                    if self._stop.is_set():
                        break
                    if not await self._handle(update):
                        # Not stored (the database is in trouble): the offset stays, so Telegram hands it
                        # over again after a pause that grows while the trouble lasts.
                        await self._pause(self._storing.next())
                        break
                    self._storing.reset()
                    self.offset = update.update_id + 1
        finally:
            await self._confirm()

    async def _poll(self) -> tuple[Update, ...] | None:
        request = asyncio.ensure_future(
            self._bot.get_updates(offset=self.offset, timeout=self._timeout, allowed_updates=ALLOWED_UPDATES)
        )
        stopped = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait({request, stopped}, return_when=asyncio.FIRST_COMPLETED)
        stopped.cancel()
        if not request.done():
            # Nothing was handed to us yet, so nothing is lost: the next start asks again from the same offset.
            request.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await request
            return None
        try:
            updates = request.result()
        except InvalidToken:
            raise  # CONFIDANT_TELEGRAM_TOKEN is wrong: retrying cannot help, and the runner says so
        except Conflict:
            if not self.conflict:
                logger.warning(
                    "another program is polling Telegram with this bot token (409 Conflict); "
                    "waiting for it to stop. Only one poller per token works: see README, Telegram"
                )
            self.conflict = self.failing = True
            await self._pause(self._conflict_pause)
            return None
        except RetryAfter as error:
            await self._pause(retry_after_seconds(error))
            return None
        except (NetworkError, ValueError, KeyError, TypeError) as error:
            # A network fault, or (rarely) an update PTB cannot parse: either way, back off and ask again.
            self.failing = True
            delay = self._backoff.next()
            logger.warning("Telegram polling failed (%s); again in %.1f s", type(error).__name__, delay)
            await self._pause(delay)
            return None
        self.failing = self.conflict = False
        self._backoff.reset()
        self.last_poll_at = self._clock()
        return updates

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)

    async def _confirm(self) -> None:
        """Tell Telegram which updates are stored before stopping, so the next start does not fetch them again
        (the inbox would drop them anyway; this saves the round trip). Best effort."""
        if self.offset is None or self.offset == self._confirmed:
            return
        with contextlib.suppress(TelegramError, asyncio.CancelledError):
            await asyncio.wait_for(
                self._bot.get_updates(offset=self.offset, timeout=0, limit=1, allowed_updates=ALLOWED_UPDATES),
                timeout=5,
            )
