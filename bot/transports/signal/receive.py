"""The two ways signal-cli-rest-api delivers messages, behind one shape: a loop that hands every decoded
JSON object to a sink until stopped.

* `WebSocketReceiver` (json-rpc mode): the server pushes each message to every socket attached *at that
  moment* and drops it if none is, so the loop reconnects on any end of the socket (a clean close too), pings
  the server itself (the server never checks pongs, so a half-open socket would otherwise hang forever), and
  keeps reading without ever waiting on slow work.
* `PollReceiver` (normal/native mode): `GET /v1/receive/{number}` in small batches; messages wait on Signal's
  servers while we are away, so nothing is lost across restarts.

The sink is the transport's frame handler. It deals with a frame there and then (most frames are typing
indicators and receipts, ignored) or returns the work that persists it. The WebSocket loop does not wait for
that work: each frame's work starts as a task, in arrival order, and reaches the inbox writer's queue before it
first waits, so the writer commits everything that arrived meanwhile in one transaction and keeps the order
within a conversation. A socket's loop ends only after every frame it read is stored (or failed loudly).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

import orjson
import websockets
from websockets.asyncio.client import ClientConnection

from bot.transports.backoff import Backoff
from bot.transports.signal.client import SignalClient
from bot.transports.signal.errors import SignalError

logger = logging.getLogger(__name__)

# Handles a frame at once (returns None) or returns the coroutine that stores it; an `async def` is a sink too.
FrameSink = Callable[[object], Coroutine[Any, Any, None] | None]
Probe = Callable[[], Awaitable[bool]]
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class _NoWireLogs(logging.LoggerAdapter[logging.Logger]):
    """Given to `websockets` so it never logs frames or handshakes: at DEBUG it would print message JSON and
    the URL with our number. Warnings and errors (no payloads) still get through."""

    def isEnabledFor(self, level: int) -> bool:
        return level >= logging.WARNING and self.logger.isEnabledFor(level)

    def log(self, level: int, msg: object, *args: Any, **kwargs: Any) -> None:
        if level >= logging.WARNING:
            super().log(level, msg, *args, **kwargs)


_WIRE_LOGGER = _NoWireLogs(logging.getLogger(__name__ + ".wire"), {})

# Frames read but not yet stored, per socket, before the loop waits for some to be: bounds memory in a burst.
MAX_UNSTORED = 1000


def decode_frame(raw: str | bytes) -> object | None:
    # orjson: a third of json's CPU per frame, and every typing indicator and receipt is a frame.
    try:
        frame: object = orjson.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return frame


def decode_poll_body(body: str) -> tuple[list[object], bool]:
    """The polled array, plus whether anything had to be skipped.

    The server builds the array by joining signal-cli's output lines with commas, so one stray output line
    makes the whole body invalid JSON; then every well-formed object in it is still recovered.
    """
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        pass
    else:
        if isinstance(data, list):
            return data, False
        return [], True
    decoder = json.JSONDecoder()
    frames: list[object] = []
    position = body.find("{")
    while position != -1:
        try:
            frame, end = decoder.raw_decode(body, position)
        except json.JSONDecodeError:
            position = body.find("{", position + 1)
            continue
        frames.append(frame)
        position = body.find("{", end)
    return frames, True


def _stored(unstored: set[asyncio.Task[None]]) -> Callable[[asyncio.Task[None]], None]:
    def done(task: asyncio.Task[None]) -> None:
        unstored.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            _not_handled(error)

    return done


def _not_handled(error: BaseException) -> None:
    logger.error("a received Signal frame was not handled: %s", type(error).__name__)


def _work_for(sink: FrameSink, frame: object) -> Coroutine[Any, Any, None] | None:
    try:
        return sink(frame)
    except Exception as error:
        _not_handled(error)
        return None


class WebSocketReceiver:
    def __init__(
        self,
        url: str,
        sink: FrameSink,
        *,
        ping_interval: float = 20.0,
        ping_timeout: float = 20.0,
        open_timeout: float = 10.0,
        close_timeout: float = 2.0,
        backoff: Backoff | None = None,
        stable_after: float = 60.0,
        probe: Probe | None = None,
        idle_probe_after: float = 120.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._url = url
        self._sink = sink
        self._ping_interval = ping_interval
        self._ping_timeout = ping_timeout
        self._open_timeout = open_timeout
        self._close_timeout = close_timeout
        self._backoff = backoff or Backoff(1.0, 30.0)
        self._stable_after = stable_after
        self._probe = probe
        self._idle_probe_after = idle_probe_after
        self._clock = clock
        self._sleep = sleep
        self._stopping = asyncio.Event()
        self._recycle = asyncio.Event()
        self.connections = 0
        self._live: set[ClientConnection] = set()
        self._retiring: set[ClientConnection] = set()
        self.last_frame_at: float | None = None
        self.probe_failed = False

    @property
    def connected(self) -> bool:
        return bool(self._live)

    def stop(self) -> None:
        self._stopping.set()

    def recycle(self) -> None:
        """Replace the socket: the new one is opened before the old one is closed (make-before-break)."""
        self._recycle.set()

    async def run(self) -> None:
        current: tuple[ClientConnection, asyncio.Task[None]] | None = None
        try:
            while not self._stopping.is_set():
                socket = await self._connect()
                if socket is None:
                    return
                # Make-before-break: on a recycle the old socket kept reading until the new one was open.
                if current is not None:
                    await self._retire(*current)
                current = (socket, asyncio.create_task(self._pump(socket)))
                opened_at = self._clock()
                ended = await self._wait_for(current[1])
                if ended == "stop":
                    return
                if ended == "recycle":
                    self._recycle.clear()
                    logger.info("replacing the Signal websocket")
                    continue
                current = None
                if self._clock() - opened_at >= self._stable_after:
                    self._backoff.reset()
                await self._pause(self._backoff.next())
        finally:
            if current is not None:
                await self._retire(*current)

    async def _retire(self, socket: ClientConnection, pump: asyncio.Task[None]) -> None:
        """Close a socket and let its pump finish the frame in hand: cancelling it mid-persist could lose
        a frame the server will never send again."""
        self._retiring.add(socket)
        await socket.close()
        # asyncio.wait, not wait_for: on time-out it leaves the pump running instead of cancelling it.
        await asyncio.wait({pump}, timeout=5)

    async def _connect(self) -> ClientConnection | None:
        while not self._stopping.is_set():
            try:
                socket = await websockets.connect(
                    self._url,
                    ping_interval=self._ping_interval,
                    ping_timeout=self._ping_timeout,
                    open_timeout=self._open_timeout,
                    close_timeout=self._close_timeout,
                    # The server pushes without flow control; a deep buffer keeps bursts from backing up
                    # into it (a blocked server-side writer skips frames).
                    max_queue=4096,
                    max_size=4 * 1024 * 1024,
                    compression=None,
                    proxy=None,
                    logger=_WIRE_LOGGER,
                )
            except (OSError, TimeoutError, websockets.InvalidHandshake, websockets.InvalidURI) as error:
                logger.warning("Signal websocket connect failed (%s); retrying", type(error).__name__)
                await self._pause(self._backoff.next())
                continue
            self.connections += 1
            self._live.add(socket)
            logger.info("Signal websocket connected (connection %d)", self.connections)
            return socket
        return None

    async def _pump(self, socket: ClientConnection) -> None:
        watchdog = asyncio.create_task(self._watch(socket)) if self._probe is not None else None
        unstored: set[asyncio.Task[None]] = set()
        stored = _stored(unstored)
        try:
            async for raw in socket:
                self.last_frame_at = self._clock()
                frame = decode_frame(raw)
                if frame is None:
                    logger.warning("skipped an unreadable Signal frame (%d bytes)", len(raw))
                    continue
                work = _work_for(self._sink, frame)
                if work is None:
                    continue
                if len(unstored) >= MAX_UNSTORED:
                    await asyncio.wait(unstored, return_when=asyncio.FIRST_COMPLETED)
                # Not awaited: the next frame is read while this one is stored (tasks start in creation order).
                task = asyncio.create_task(work)
                unstored.add(task)
                task.add_done_callback(stored)
            if socket not in self._retiring:
                code = socket.close_code
                logger.warning("Signal websocket closed by the server (code %s); reconnecting", code)
        except websockets.ConnectionClosed as closed:
            # Abrupt drops and missed pongs (half-open sockets) end up here.
            code = closed.rcvd.code if closed.rcvd is not None else None
            logger.warning("Signal websocket lost (code %s); reconnecting", code)
        finally:
            self._live.discard(socket)
            self._retiring.discard(socket)
            if watchdog is not None:
                watchdog.cancel()
            if unstored:
                # Every frame read from this socket is stored before the loop is over.
                await asyncio.wait(set(unstored))

    async def _watch(self, socket: ClientConnection) -> None:
        """Silence is normal for a quiet bot, so after a quiet spell ask the daemon (`/v1/accounts`) whether
        it still works: the socket's own pings only prove the REST process is alive (upstream #481)."""
        assert self._probe is not None
        while True:
            await self._sleep(self._idle_probe_after)
            quiet_since = self.last_frame_at or 0.0
            if self._clock() - quiet_since < self._idle_probe_after:
                continue
            healthy = await self._probe()
            if healthy != (not self.probe_failed):
                logger.warning("Signal deep probe %s", "recovered" if healthy else "failed")
            self.probe_failed = not healthy
            if not healthy:
                self.recycle()

    async def _wait_for(self, pump: asyncio.Task[None]) -> str:
        stop = asyncio.create_task(self._stopping.wait())
        recycle = asyncio.create_task(self._recycle.wait())
        try:
            done, _ = await asyncio.wait({pump, stop, recycle}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop.cancel()
            recycle.cancel()
        if pump in done:
            return "closed"
        return "stop" if stop in done else "recycle"

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()


class PollReceiver:
    def __init__(
        self,
        client: SignalClient,
        sink: FrameSink,
        *,
        wait_seconds: int = 5,
        max_messages: int = 50,
        backoff: Backoff | None = None,
        clock: Clock = time.monotonic,
    ) -> None:
        self._client = client
        self._sink = sink
        self._wait_seconds = wait_seconds
        # Small batches: signal-cli acknowledges what it prints, so a batch cut off mid-way is lost (#365).
        self._max_messages = max_messages
        self._backoff = backoff or Backoff(1.0, 30.0)
        self._clock = clock
        self._stopping = asyncio.Event()
        self.last_poll_at: float | None = None
        self.failing = False

    def stop(self) -> None:
        self._stopping.set()

    async def run(self) -> None:
        while not self._stopping.is_set():
            try:
                body = await self._client.receive(wait_seconds=self._wait_seconds, max_messages=self._max_messages)
            except SignalError as error:
                self.failing = True
                logger.warning("Signal poll failed (%s); retrying", error)
                await self._pause(self._backoff.next())
                continue
            self.failing = False
            self._backoff.reset()
            self.last_poll_at = self._clock()
            frames, damaged = decode_poll_body(body)
            if damaged:
                logger.warning("Signal poll body was not clean JSON; recovered %d message(s)", len(frames))
            # Every frame of the batch is persisted (in one transaction, under load) before the next poll
            # acknowledges more; gather starts the sinks in order, so the order within a conversation holds.
            work = [w for frame in frames if (w := _work_for(self._sink, frame)) is not None]
            if work:
                await asyncio.gather(*work)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(seconds):
                await self._stopping.wait()
