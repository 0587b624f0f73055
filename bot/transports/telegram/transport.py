"""Telegram as a `Transport`: python-telegram-bot's `Application` dispatches updates to our handlers, which
turn them into `Incoming` messages for the worker; our own loop (or webhook server) feeds it updates, and a
`TelegramSender` delivers the answers.

The `Application` is started and stopped by this code, never by `run_polling`/`run_webhook`: those install
their own signal handlers and close the event loop that Signal and the worker share.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from telegram import BotCommand, Update
from telegram.error import InvalidToken, TelegramError
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters
from telegram.request import BaseRequest, HTTPXRequest

from bot.core.messengers import Accept
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.transports.base import TransportStartupError
from bot.transports.telegram.poll import ALLOWED_UPDATES, Poller
from bot.transports.telegram.send import TelegramSender
from bot.transports.telegram.updates import NAME, BotIdentity, from_button, from_message
from bot.transports.telegram.webhook import WebhookServer

if TYPE_CHECKING:
    import httpx

    from bot.config import Settings

logger = logging.getLogger(__name__)

# Shown by Telegram's command menu (setMyCommands); the words after each are the brain's to read.
COMMANDS = (
    ("start", "What Confidant does, and how private this chat is"),
    ("help", "What you can ask"),
    ("room", "A private meeting room for a session"),
    ("list", "Every platform I have reviewed"),
    ("more", "The long version of my last answer"),
    ("privacy", "What I keep about you"),
    ("export", "What I hold about you, in words and as JSON"),
    ("forget", "Delete everything I hold about you"),
)

# PTB's Application is generic over six context types we never customise.
TelegramApp = Application[Any, Any, Any, Any, Any, Any]


def _request(http_transport: httpx.AsyncBaseTransport | None, *, read_timeout: float) -> BaseRequest:
    kwargs = {"transport": http_transport} if http_transport is not None else {}
    return HTTPXRequest(read_timeout=read_timeout, httpx_kwargs=kwargs)


def build_application(
    token: str,
    *,
    base_url: str,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> TelegramApp:
    """PTB's Application pointed at `base_url` (the real Bot API, or a fake in tests), with no Updater."""
    return (
        Application.builder()
        .token(token)
        .base_url(base_url)
        .request(_request(http_transport, read_timeout=10.0))
        .get_updates_request(_request(http_transport, read_timeout=10.0))
        .updater(None)
        .build()
    )


class TelegramTransport:
    name = NAME

    def __init__(
        self,
        application: TelegramApp,
        *,
        keyer: Keyer | None = None,
        sender: TelegramSender | None = None,
        webhook_url: str | None = None,
        webhook_addr: str = "127.0.0.1:8443",
        webhook_secret: str | None = None,
        poll_timeout: int = 30,
        conflict_pause: float = 30.0,
    ) -> None:
        self.application = application
        self._sender = sender or TelegramSender(application.bot, keyer=keyer)
        self._webhook_url = webhook_url
        self._webhook_addr = webhook_addr
        self._webhook_secret = webhook_secret
        self._poll_timeout = poll_timeout
        self._conflict_pause = conflict_pause
        self._accept: Accept | None = None
        self._unstored: set[int] = set()
        self._identity: BotIdentity | None = None
        self._poller: Poller | None = None
        self._webhook: WebhookServer | None = None
        self._webhook_stop = asyncio.Event()
        self._started = False
        self.ignored = 0
        self._add_handlers()

    @classmethod
    def from_settings(
        cls, settings: Settings, *, keyer: Keyer | None, http_transport: httpx.AsyncBaseTransport | None = None
    ) -> TelegramTransport:
        if settings.telegram_token is None:
            raise TransportStartupError(["Telegram needs CONFIDANT_TELEGRAM_TOKEN"])
        application = build_application(
            settings.telegram_token.get_secret_value(),
            base_url=settings.telegram_api_url,
            http_transport=http_transport,
        )
        secret = settings.telegram_webhook_secret
        return cls(
            application,
            keyer=keyer,
            webhook_url=settings.telegram_webhook_url,
            webhook_addr=settings.telegram_webhook_addr,
            webhook_secret=secret.get_secret_value() if secret is not None else None,
        )

    # -- start-up --

    async def start(self) -> None:
        try:
            await self.application.initialize()  # getMe: checks the token
        except InvalidToken:
            raise TransportStartupError(
                ["Telegram: CONFIDANT_TELEGRAM_TOKEN was refused by the Bot API; copy it again from @BotFather"]
            ) from None
        except TelegramError as error:
            raise TransportStartupError(
                [f"Telegram: cannot reach the Bot API at CONFIDANT_TELEGRAM_API_URL ({type(error).__name__})"]
            ) from None
        self._started = True
        me = self.application.bot
        self._identity = BotIdentity(id=me.id, username=me.username)
        bot = self.application.bot
        try:
            await bot.set_my_commands([BotCommand(command, text) for command, text in COMMANDS])
            if self._webhook_url is not None and self._webhook_secret is not None:  # the entry checked both
                # One connection at a time: Telegram then delivers updates in order, as polling does, so
                # "is zoom safe" and the "more" after it are stored (and answered) in the order they were sent.
                await bot.set_webhook(
                    self._webhook_url,
                    secret_token=self._webhook_secret,
                    allowed_updates=list(ALLOWED_UPDATES),
                    max_connections=1,
                )
            else:
                # A webhook left from an earlier set-up would make getUpdates fail; pending updates are kept.
                await bot.delete_webhook(drop_pending_updates=False)
        except TelegramError as error:
            refused = f"Telegram: the Bot API refused the set-up ({type(error).__name__})"
            raise TransportStartupError([refused]) from None
        logger.info("Telegram receiving by %s", "webhook" if self._webhook_url else "polling")

    # -- the two halves --

    @property
    def receiver(self) -> TelegramTransport:
        return self

    @property
    def sender(self) -> TelegramSender:
        return self._sender

    @property
    def one_receiver(self) -> bool:
        # Telegram allows one getUpdates poller per token (409 Conflict for a second); a webhook behind a load
        # balancer may reach any instance.
        return self._webhook_url is None

    # -- receiving --

    async def receive(self, accept: Accept) -> None:
        self._accept = accept
        if self._webhook_url is not None and self._webhook_secret is not None:
            self._webhook = WebhookServer(self.application.bot, self.process, secret=self._webhook_secret)
            await self._webhook.start(self._webhook_addr)
            await self._webhook_stop.wait()
            return
        self._poller = Poller(
            self.application.bot, self.process, timeout=self._poll_timeout, conflict_pause=self._conflict_pause
        )
        await self._poller.run()


    async def stop_receiving(self) -> None:
        if self._poller is not None:
            self._poller.stop()
        if self._webhook is not None:
            await self._webhook.close()
        self._webhook_stop.set()

    def accept_with(self, accept: Accept) -> None:
        """Where stored updates go; `receive` sets it, handler tests set it directly."""
        self._accept = accept

    async def process(self, update: Update) -> bool:
        """Dispatch one update to the handlers; True once it is stored (or deliberately not)."""
        await self.application.process_update(update)
        failed = update.update_id in self._unstored
        self._unstored.discard(update.update_id)
        return not failed

    def _add_handlers(self) -> None:
        app = self.application
        app.add_handler(CommandHandler([command for command, _ in COMMANDS], self._on_command))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, self._on_text))
        # Commands not in the menu (/join CODE, /invite, /settings…): in a private chat the brain answers them.
        app.add_handler(MessageHandler(filters.COMMAND & filters.ChatType.PRIVATE, self._on_text))
        app.add_handler(MessageHandler(~filters.TEXT & ~filters.StatusUpdate.ALL, self._on_text))
        app.add_handler(CallbackQueryHandler(self._on_button))
        app.add_error_handler(self._on_error)

    async def _on_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and self._identity is not None:
            await self._take(update, from_message(update.message, self._identity, command=True))

    async def _on_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.message is not None and self._identity is not None:
            await self._take(update, from_message(update.message, self._identity))

    async def _on_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        stored = await self._take(update, from_button(query))
        if stored:
            try:
                await query.answer()  # stops the spinner on the button
            except TelegramError as error:
                logger.debug("button press not acknowledged: %s", type(error).__name__)

    async def _take(self, update: Update, incoming: Incoming | None) -> bool:
        if incoming is None:
            self.ignored += 1
            return False
        if self._accept is None:
            self._unstored.add(update.update_id)
            return False
        try:
            await self._accept(incoming)
        except Exception as error:
            # Left unconfirmed, so Telegram hands it over again; logged without anything from the update.
            logger.error("could not store Telegram update %d: %s", update.update_id, type(error).__name__)
            self._unstored.add(update.update_id)
            return False
        return True

    async def _on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        # PTB's example sends the whole update and traceback to a developer chat; for us that would be a leak.
        update_id = update.update_id if isinstance(update, Update) else None
        logger.error("Telegram handler failed on update %s: %s", update_id, type(context.error).__name__)

    # -- the rest --

    def health(self) -> Mapping[str, object]:
        poller = self._poller
        return {
            "receive": "webhook" if self._webhook_url else "polling",
            "connected": None if poller is None else not poller.failing,
            "conflict": bool(poller and poller.conflict),
            "sends_paused_for": self._sender.paused_for,
            "send_retries": self._sender.retries,
            "last_send_error": self._sender.last_send_error,
            "ignored_updates": self.ignored,
        }

    async def close(self) -> None:
        if self._webhook is not None:
            await self._webhook.close()
        if self._started:
            self._started = False
            await self.application.shutdown()
