"""Sending answers to Telegram, at most once each.

Telegram, like Signal, has no way to say "deliver this only once", so the rule is the same: a send is
repeated only when Telegram certainly did not take it. That is the case for a flood-control answer (429,
`RetryAfter`: wait as told, and pause every send meanwhile), a server error it answered with (5xx), and a
connection that was never made. A timeout or a dropped connection after the request went out may have
delivered the message: it is recorded as "delivery unknown" and never sent again.
"""

from __future__ import annotations

import asyncio
import logging
import time
import warnings
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta

import httpx
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions
from telegram.constants import ChatAction, ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.warnings import PTBDeprecationWarning

from bot.core.messengers import DeliveryError, FailureOutcome
from bot.render.telegram import buttons_for, render_telegram
from bot.shared.answer import Answer, Intent, Section
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.transports.alongside import alongside
from bot.transports.backoff import Backoff
from bot.transports.telegram.updates import NAME

logger = logging.getLogger(__name__)

NON_TEXT = Answer(
    intent=Intent.HELP,
    title="I can read text only",
    sections=(Section(None, ("Please type your question, like “is Zoom safe?”.",)),),
)
# httpx errors raised before a single byte of the request left: Telegram cannot have the message.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)

Sleep = Callable[[float], Awaitable[None]]


def retry_after_seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        # PTB 22 warns while `retry_after` moves from int to timedelta; either is read correctly here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def never_arrived(error: TelegramError) -> bool:
    """True when Telegram certainly did not take the request, so sending it again cannot duplicate it."""
    if isinstance(error, RetryAfter):
        return True
    cause = error.__cause__
    if isinstance(error, TimedOut):
        return isinstance(cause, _NEVER_SENT)
    if isinstance(error, NetworkError) and not isinstance(error, BadRequest | Forbidden):
        # No httpx cause: Telegram answered, with a server error (5xx), and did not take the message.
        return cause is None or isinstance(cause, _NEVER_SENT)
    return False


class TelegramSender:
    name = NAME

    def __init__(
        self,
        bot: Bot,
        *,
        keyer: Keyer | None = None,
        attempts: int = 5,
        backoff: Backoff | None = None,
        typing_delay: float = 1.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._bot = bot
        self._keyer = keyer
        self._attempts = attempts
        self._backoff = backoff or Backoff(1.0, 30.0)
        self._typing_delay = typing_delay
        self._clock = clock
        self._sleep = sleep
        self._paused_until = 0.0
        self.last_send_error: str | None = None
        self.retries = 0

    @property
    def paused_for(self) -> float:
        return max(0.0, self._paused_until - self._clock())

    async def ready(self) -> None:
        while (remaining := self._paused_until - self._clock()) > 0:
            await self._sleep(min(remaining, 5.0))

    def blocked(self, message: Incoming) -> bool:
        return False  # flood control is waited out in `ready`; Telegram holds nothing back for longer

    def working(self, message: Incoming) -> AbstractAsyncContextManager[None]:
        return alongside(self._typing(message.chat))

    async def _typing(self, chat: str) -> None:
        await self._sleep(self._typing_delay)
        try:
            await self._bot.send_chat_action(int(chat), ChatAction.TYPING)
        except TelegramError as error:
            logger.debug("typing indicator not shown: %s", type(error).__name__)

    async def deliver(self, message: Incoming, answer: Answer) -> None:
        if not message.text and answer.intent is not Intent.REFUSED:
            answer = NON_TEXT  # a photo, sticker or voice note: its content was never kept
        parts = render_telegram(answer)
        buttons = buttons_for(answer)
        markup = (
            InlineKeyboardMarkup([[InlineKeyboardButton(b.label, callback_data=b.data) for b in buttons]])
            if buttons
            else None
        )
        for index, text in enumerate(parts):
            last = index == len(parts) - 1
            try:
                await self._send(int(message.chat), text, markup if last else None)
            except TelegramError as error:
                raise self._failed(message, error, first=index == 0) from None
        self.last_send_error = None

    async def _send(self, chat: int, text: str, markup: InlineKeyboardMarkup | None) -> None:
        self._backoff.reset()
        for attempt in range(1, self._attempts + 1):
            await self.ready()
            try:
                await self._bot.send_message(
                    chat,
                    text,
                    parse_mode=ParseMode.HTML,
                    link_preview_options=LinkPreviewOptions(is_disabled=True),
                    reply_markup=markup,
                )
                return
            except RetryAfter as error:
                # Flood control pauses every send, not just this one: the limit is the bot's.
                self._paused_until = self._clock() + retry_after_seconds(error)
                logger.warning("Telegram flood control: sends paused for %.0f s", retry_after_seconds(error))
                if attempt == self._attempts:
                    raise
            except TelegramError as error:
                if not never_arrived(error) or attempt == self._attempts:
                    raise
                self.retries += 1
                delay = self._backoff.next()
                logger.info("Telegram send not taken (%s); retrying in %.1f s", type(error).__name__, delay)
                await self._sleep(delay)

    def _failed(self, message: Incoming, error: TelegramError, *, first: bool) -> DeliveryError:
        kind = type(error).__name__
        self.last_send_error = kind
        # After a first part went out, the person has a partial answer whatever happens next.
        outcome: FailureOutcome = "failed" if first and never_arrived(error) else "delivery-unknown"
        if isinstance(error, BadRequest | Forbidden | ChatMigrated):
            # Telegram refused it outright (the person blocked the bot, the HTML was rejected, the group became
            # a supergroup with a new id): not sent.
            outcome = "failed" if first else "delivery-unknown"
        pseudonym = self._keyer.conversation(NAME, message.chat) if self._keyer else "-"
        logger.warning("Telegram send to %s failed: %s", pseudonym, kind)
        return DeliveryError(outcome, kind)
