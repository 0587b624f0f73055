"""`confidant run`: every configured messenger transport in one process until SIGINT/SIGTERM.

Order of events: open the app (database, assistant), start-up checks of each transport (clear errors,
non-zero exit), resume unfinished inbox rows, receive. On SIGINT/SIGTERM: start no new answers, give the ones
in hand a deadline while still storing what arrives, then stop receiving, close connections, exit 0.

On PostgreSQL any number of instances run side by side: they share the inbox under leases (bot/core/worker.py),
every instance receives where every receiver gets every message (Signal's WebSocket), and where only one may
(polling), one receives under a lock and the others wait to take over, answering meanwhile. On SQLite one
instance runs at a time, and a second waits until the first has stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from bot.config import Settings, data_dir, database_url
from bot.core.messengers import Receiver
from bot.core.worker import Worker
from bot.health import HealthServer
from bot.logs import quiet_noisy_loggers
from bot.storage.alerts import OperatorAlerts
from bot.storage.lock import InstanceLock
from bot.transports import registry
from bot.transports.base import Transport, TransportStartupError
from bot.transports.messenger import Wiring

if TYPE_CHECKING:
    import httpx

logger = logging.getLogger(__name__)

Result = TypeVar("Result")

SHUTDOWN_DEADLINE = 20.0
HOUSEKEEPING_EVERY = 3600.0


async def run_transports(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    open_app: Callable[[Settings], Awaitable[Any]] | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
    shutdown_deadline: float = SHUTDOWN_DEADLINE,
    on_ready: Callable[[Worker, list[Transport]], None] | None = None,
) -> int:
    """Run until SIGINT/SIGTERM (or `stop` is set). 0 after a graceful shutdown, 1 if start-up failed.

    `on_ready` is called once everything runs, with the worker and the transports. Their `health()` snapshots
    are served on CONFIDANT_HTTP_ADDR as /healthz, /readyz and /metrics (bot/health.py).
    """
    quiet_noisy_loggers()
    if open_app is None:
        from bot.app import open_app as default_open_app

        open_app = default_open_app
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(signum, stop.set)

    try:
        opened, app = await _unless_stopped(open_app(settings), stop)
        if not opened or app is None:
            return 0
        # What is loaded now (knowledge base, brain indexes, libraries) lives as long as the process: out of the
        # garbage collector's sight, so that its full collections stop walking it while answers wait.
        gc.freeze()
        shared = app.engine.dialect.name == "postgresql"
        lock = None if shared else InstanceLock(app.engine, database_url(settings))
        try:
            if lock is not None:
                locked, _ = await _unless_stopped(lock.wait(on_wait=_say_waiting), stop)
                if not locked:
                    return 0
            return await _serve(
                settings,
                app,
                stop,
                http_transport=http_transport,
                shutdown_deadline=shutdown_deadline,
                on_ready=on_ready,
            )
        finally:
            if lock is not None:
                await lock.release()
            await app.close()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.remove_signal_handler(signum)


async def _serve(
    settings: Settings,
    app: Any,
    stop: asyncio.Event,
    *,
    http_transport: httpx.AsyncBaseTransport | None,
    shutdown_deadline: float,
    on_ready: Callable[[Worker, list[Transport]], None] | None,
) -> int:
    """Start the transports, receive and answer until `stop`, then shut down in order."""
    wiring = Wiring(
        keyer=app.keyer,
        state_dir=data_dir(settings),
        engine=app.engine,
        alerts=OperatorAlerts(app.engine, app.keyer),
        http_transport=http_transport,
    )
    transports = registry.build(settings, wiring)
    try:
        try:
            for transport in transports:
                started, _ = await _unless_stopped(transport.start(), stop)
                if not started:
                    return 0  # stopped while waiting for the server: nothing was received yet
        except TransportStartupError as error:
            for line in error.lines:
                print(line, file=sys.stderr)
            return 1
        shared = app.engine.dialect.name == "postgresql"
        worker = Worker(app.inbox, app.assistant, [t.sender for t in transports], keyer=app.keyer, sole=not shared)
        await worker.start()
        receiving = [(t, receiver) for t in transports if (receiver := t.receiver) is not None]
        stopping = asyncio.Event()
        receivers = [
            asyncio.create_task(
                _receive(receiver, worker, stopping, alone=_alone(app, settings, t) if shared else None),
                name=f"receive-{t.name}",
            )
            for t, receiver in receiving
        ]
        upkeep = asyncio.create_task(_housekeeping(worker, app))
        health = HealthServer(worker, transports)
        await health.start(settings.http_addr)
        if on_ready is not None:
            on_ready(worker, transports)
        logger.info("running: %s", ", ".join(t.name for t in transports))
        stopped = asyncio.create_task(stop.wait())
        done, _ = await asyncio.wait([stopped, *receivers], return_when=asyncio.FIRST_COMPLETED)
        crashed = [task for task in done if task is not stopped]
        for task in crashed:
            failure = task.exception()
            logger.error("%s stopped receiving unexpectedly: %s", task.get_name(), type(failure).__name__)
        logger.info("shutting down")
        await health.close()
        upkeep.cancel()
        stopped.cancel()
        # Answers in hand first, while the receivers keep storing whatever still arrives (json-rpc drops what
        # reaches a closed socket; stored messages are answered at the next start). Receiving stops last.
        all_sent = await worker.shutdown(shutdown_deadline)
        stopping.set()
        for _, receiver in receiving:
            await receiver.stop_receiving()
        await asyncio.gather(*receivers, return_exceptions=True)
        logger.info("stopped (%s)", "all answers sent" if all_sent else "unfinished answers kept for next start")
        return 1 if crashed else 0
    finally:
        for transport in transports:
            with contextlib.suppress(Exception):
                await transport.close()


def _alone(app: Any, settings: Settings, transport: Transport) -> InstanceLock | None:
    """The lock to hold while receiving, for a messenger only one instance may receive from."""
    if not transport.one_receiver:
        return None
    return InstanceLock(app.engine, database_url(settings), name=f"receive-{transport.name}")


async def _receive(receiver: Receiver, worker: Worker, stopping: asyncio.Event, *, alone: InstanceLock | None) -> None:
    if alone is not None:

        def standing_by() -> None:
            logger.info("another instance receives; this one answers, and takes over receiving if it stops")

        locked, _ = await _unless_stopped(alone.wait(on_wait=standing_by), stopping)
        if not locked:
            return
    try:
        await receiver.receive(worker.accept)
    finally:
        if alone is not None:
            await alone.release()


def _say_waiting() -> None:
    logger.warning("another confidant run is using this database; waiting for it to stop")


async def _unless_stopped(work: Awaitable[Result], stop: asyncio.Event) -> tuple[bool, Result | None]:
    """(True, result) when `work` finishes first; (False, None) when SIGTERM/SIGINT comes first, since
    start-up retries can take a minute and `docker stop` waits only ten seconds."""
    task = asyncio.ensure_future(work)
    stopped = asyncio.ensure_future(stop.wait())
    await asyncio.wait({task, stopped}, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    if task.done():
        return True, task.result()
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
    return False, None


async def _housekeeping(worker: Worker, app: Any) -> None:
    while True:
        with contextlib.suppress(Exception):
            purged = await worker.purge()
            if purged:
                logger.info("forgot %d old dedupe key(s)", purged)
            tidied = await app.tidy()
            if tidied:
                logger.info("forgot %d expired invitation(s) and stranger(s)", tidied)
        await asyncio.sleep(HOUSEKEEPING_EVERY)
