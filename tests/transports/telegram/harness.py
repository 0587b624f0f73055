"""A whole Telegram bot in the test's event loop: the fake Bot API, PTB's real Application and HTTP stack,
our transport, the worker and a SQLite inbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine
from telegram import Update

from bot.core.worker import Responder, Worker
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.stores import MessageInbox
from bot.transports.backoff import Backoff
from bot.transports.telegram.send import TelegramSender
from bot.transports.telegram.transport import TelegramTransport, build_application
from tests.fakes.storage import TEST_SECRET, open_inbox
from tests.fakes.telegram_api import TOKEN, FakeBotApi
from tests.transports.signal.harness import Echo

BASE_URL = "http://bot-api.test/bot"


async def no_wait(seconds: float) -> None:
    await asyncio.sleep(0)


def make_transport(api: FakeBotApi, *, base_url: str | None = None, **options: Any) -> TelegramTransport:
    application = build_application(
        TOKEN, base_url=base_url or BASE_URL, http_transport=None if base_url else api.mock_transport()
    )
    sender = TelegramSender(
        application.bot, keyer=Keyer(TEST_SECRET), backoff=Backoff(0.01, 0.02), typing_delay=5.0
    )
    return TelegramTransport(application, keyer=Keyer(TEST_SECRET), sender=sender, poll_timeout=1, **options)


class Stored:
    """An `accept` that records what it was handed, and can be told to fail like a broken database."""

    def __init__(self) -> None:
        self.messages: list[Incoming] = []
        self.broken = False

    async def __call__(self, message: Incoming) -> bool:
        if self.broken:
            raise OSError("disk I/O error")
        self.messages.append(message)
        return True


async def feed(transport: TelegramTransport, update: dict[str, Any], update_id: int = 1) -> bool:
    """One update through PTB's dispatch, built from JSON like a polled one."""
    parsed = Update.de_json({"update_id": update_id, **update}, transport.application.bot)
    assert parsed is not None
    return await transport.process(parsed)


@dataclass
class Bot:
    api: FakeBotApi
    transport: TelegramTransport
    worker: Worker
    inbox: MessageInbox
    engine: AsyncEngine
    receiving: asyncio.Task[None]


@contextlib.asynccontextmanager
async def running_bot(
    api: FakeBotApi, folder: Path, *, assistant: Responder | None = None, base_url: str | None = None
) -> AsyncIterator[Bot]:
    inbox, engine = await open_inbox(folder)
    transport = make_transport(api, base_url=base_url)
    await transport.start()
    worker = Worker(inbox, assistant or Echo(), [transport.sender], keyer=Keyer(TEST_SECRET))
    await worker.start()
    receiving = asyncio.create_task(transport.receive(worker.accept))
    try:
        yield Bot(api, transport, worker, inbox, engine, receiving)
    finally:
        await transport.stop_receiving()
        async with asyncio.timeout(5):
            await receiving
        await worker.shutdown(2.0)
        await worker.idle()  # the inbox scrub that follows the last answer, before the engine goes
        await transport.close()
        await engine.dispose()


async def until(condition: Any, *, within: float = 5.0) -> None:
    """Wait for a condition the fake's HTTP handlers change (they set no event we could wait on)."""
    async with asyncio.timeout(within):
        while not condition():  # noqa: ASYNC110
            await asyncio.sleep(0.01)
