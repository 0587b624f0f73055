"""A whole Signal bot in the test's event loop: fake server, real client, transport, worker and SQLite inbox."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.worker import TELL_AFTER, Responder, Worker
from bot.shared.answer import Answer, Intent, Link, Section
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.alerts import OperatorAlerts
from bot.storage.stores import MessageInbox
from bot.transports.signal.client import SignalClient, Timeouts
from bot.transports.signal.transport import ReceiveMode, SignalTransport, Tuning
from tests.fakes.signal_api import FakeSignalApi
from tests.fakes.storage import TEST_SECRET, open_inbox

FAST = Tuning(
    ping_interval=0.2,
    ping_timeout=0.5,
    close_timeout=0.2,
    reconnect_base=0.01,
    reconnect_cap=0.05,
    poll_wait=1,
    typing_delay=5.0,
    startup_attempts=2,
    startup_base=0.01,
    startup_cap=0.02,
    rate_limit_pause=0.05,
    rate_limit_pause_cap=0.1,
    alerts_every=0.05,
)


class Echo:
    """Replies "re: <text>" with a room-like link, so privacy tests have a link to look for."""

    def __init__(self) -> None:
        self.seen: list[str] = []
        self.delay = 0.0

    async def respond(self, message: Incoming) -> Answer | None:
        self.seen.append(message.text)
        if self.delay:
            await asyncio.sleep(self.delay)
        return Answer(
            intent=Intent.HELP,
            title=f"re: {message.text}",
            sections=(Section("Details", ("line *one*",)),),
            links=(Link("Your room", "https://meet.example.org/SecretRoom42", sensitive=True),),
        )


@dataclass
class Bot:
    api: FakeSignalApi
    transport: SignalTransport
    worker: Worker
    inbox: MessageInbox
    engine: AsyncEngine
    alerts: OperatorAlerts
    receiving: asyncio.Task[None]


@contextlib.asynccontextmanager
async def running_bot(
    api: FakeSignalApi,
    folder: Path,
    *,
    assistant: Responder | None = None,
    tuning: Tuning = FAST,
    receive_mode: ReceiveMode = "auto",
    send_timeout: float = 60.0,
    shutdown_deadline: float = 2.0,
    tell_after: timedelta = TELL_AFTER,
) -> AsyncIterator[Bot]:
    inbox, engine = await open_inbox(folder)
    client = SignalClient(api.url, api.number, timeouts=Timeouts(send=send_timeout), retry_delay=0.01)
    keyer = Keyer(TEST_SECRET)
    alerts = OperatorAlerts(engine, keyer)
    transport = SignalTransport(
        client,
        receive_mode=receive_mode,
        keyer=keyer,
        alerts=alerts,
        tuning=tuning,
    )
    await transport.start()
    worker = Worker(
        inbox, assistant or Echo(), [transport], keyer=keyer, heartbeat_every=0.05, tell_after=tell_after
    )
    await worker.start()
    receiving = asyncio.create_task(transport.receive(worker.accept))
    bot = Bot(api, transport, worker, inbox, engine, alerts, receiving)
    try:
        if transport.receive_mode == "websocket":
            await api.wait_for_sockets()
        yield bot
    finally:
        await transport.stop_receiving()
        async with asyncio.timeout(5):
            await receiving
        await worker.shutdown(shutdown_deadline)
        await transport.close()
        await engine.dispose()


async def settle(bot: Bot, *, pause: float = 0.05) -> None:
    """Wait until frames already pushed are stored and answered."""
    await asyncio.sleep(pause)
    await bot.worker.idle()
    await asyncio.sleep(0)
