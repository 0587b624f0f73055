from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

import pytest

from bot.transports.backoff import Backoff
from bot.transports.signal.client import SignalClient
from bot.transports.signal.receive import PollReceiver, WebSocketReceiver, decode_poll_body
from tests.fakes import signal_envelopes as env
from tests.fakes.signal_api import FakeSignalApi, Reply


class Collector:
    def __init__(self) -> None:
        self.frames: list[object] = []
        self.changed = asyncio.Event()

    async def __call__(self, frame: object) -> None:
        self.frames.append(frame)
        self.changed.set()

    async def until(self, count: int, within: float = 5.0) -> None:
        async with asyncio.timeout(within):
            while len(self.frames) < count:
                self.changed.clear()
                await self.changed.wait()


@contextlib.asynccontextmanager
async def running(receiver: WebSocketReceiver | PollReceiver) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(receiver.run())
    try:
        yield task
    finally:
        receiver.stop()
        async with asyncio.timeout(5):
            await task


def ws_receiver(api: FakeSignalApi, sink: Collector, **kwargs: object) -> WebSocketReceiver:
    options: dict[str, object] = {
        "ping_interval": 0.1,
        "ping_timeout": 0.2,
        "close_timeout": 0.2,
        "backoff": Backoff(0.01, 0.05),
    }
    options.update(kwargs)
    url = f"ws://127.0.0.1:{api.port}/v1/receive/{api.number}"
    return WebSocketReceiver(url, sink, **options)  # type: ignore[arg-type]


async def test_frames_arrive_in_order_including_a_burst() -> None:
    sink = Collector()
    async with FakeSignalApi() as api, running(ws_receiver(api, sink)):
        await api.wait_for_sockets()
        for i in range(300):
            assert await api.push(env.text_frame(f"m{i}", timestamp=1000 + i)) == 1
        await sink.until(300)
    texts = [f["envelope"]["dataMessage"]["message"] for f in sink.frames]  # type: ignore[index]
    assert texts == [f"m{i}" for i in range(300)]


@pytest.mark.parametrize("how", ["clean", "abrupt", "silent"])
async def test_reconnects_after_any_end_of_the_socket(how: str) -> None:
    sink = Collector()
    async with FakeSignalApi() as api:
        receiver = ws_receiver(api, sink)
        async with running(receiver):
            await api.wait_for_sockets()
            await api.push(env.text_frame("before"))
            await sink.until(1)
            if how == "clean":
                await api.close_sockets(1000)
            elif how == "abrupt":
                api.drop_sockets()
            else:
                api.freeze_sockets()
            await api.wait_for(lambda: api.ws_connections >= 2 and api.sockets >= 1, within=5)
            api.freeze_sockets(False)
            await api.push(env.text_frame("after", timestamp=2))
            await sink.until(2)
            assert receiver.connected
    assert receiver.connections >= 2


async def test_a_sink_may_deal_with_a_frame_at_once_or_fail_without_ending_the_loop(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Frames the sink deals with there and then (it returns None) start no work; one whose sink raises is
    reported and skipped; the rest are stored in arrival order."""
    sink = Collector()

    def triage(frame: object) -> Coroutine[Any, Any, None] | None:
        text = frame["envelope"].get("dataMessage", {}).get("message")  # type: ignore[index]
        if text == "boom":
            raise ValueError("boom")
        return sink(frame) if text else None

    async with FakeSignalApi() as api:
        url = f"ws://127.0.0.1:{api.port}/v1/receive/{api.number}"
        async with running(WebSocketReceiver(url, triage, backoff=Backoff(0.01, 0.05))):
            await api.wait_for_sockets()
            await api.push(env.text_frame("one", timestamp=1))
            await api.push(env.typing_frame())
            await api.push(env.text_frame("boom", timestamp=2))
            await api.push(env.receipt_frame())
            await api.push(env.text_frame("two", timestamp=3))
            await sink.until(2)
    assert [f["envelope"]["timestamp"] for f in sink.frames] == [1, 3]  # type: ignore[index]
    assert "a received Signal frame was not handled: ValueError" in caplog.text


async def test_error_frames_and_garbage_do_not_end_the_loop() -> None:
    sink = Collector()
    async with FakeSignalApi() as api:
        receiver = ws_receiver(api, sink)
        async with running(receiver):
            await api.wait_for_sockets()
            await api.push(env.error_frame())
            await api.push_raw("{not json")
            await api.push(env.text_frame("still here"))
            await sink.until(2)
        assert receiver.connections == 1
    assert sink.frames[0] == env.error_frame()
    assert sink.frames[1] == env.text_frame("still here")


async def test_failed_deep_probe_replaces_the_socket_before_closing_the_old_one() -> None:
    sink = Collector()
    probes: list[bool] = []
    async with FakeSignalApi() as api:

        async def probe() -> bool:
            probes.append(False)
            return False

        receiver = ws_receiver(api, sink, probe=probe, idle_probe_after=0.05)
        async with running(receiver):
            await api.wait_for(lambda: api.ws_connections >= 3, within=5)
            await api.push(env.text_frame("x"))
            await sink.until(1)
    assert probes
    assert receiver.probe_failed
    assert api.max_sockets == 2, "the new socket should be open before the old one closes"


async def test_connect_failures_back_off_and_recover() -> None:
    sink = Collector()
    api = FakeSignalApi()
    await api.start()
    port = api.port
    await api.stop()
    receiver = ws_receiver(api, sink)
    async with running(receiver):
        await asyncio.sleep(0.1)
        assert not receiver.connected
        api2 = FakeSignalApi()
        await api2.start(port)
        try:
            await api2.wait_for_sockets()
            await api2.push(env.text_frame("back"))
            await sink.until(1)
        finally:
            await api2.stop()


async def test_poll_receiver_takes_small_batches_and_survives_errors() -> None:
    sink = Collector()
    async with FakeSignalApi(mode="native") as api:
        client = SignalClient(api.url, api.number)
        receiver = PollReceiver(client, sink, wait_seconds=1, max_messages=3, backoff=Backoff(0.01, 0.05))
        for i in range(7):
            await api.push(env.text_frame(f"m{i}", timestamp=10 + i))
        async with running(receiver):
            await sink.until(7)
            api.receive_failure = Reply(400, {"error": "signal-cli failed"})
            api_requests = len(api.recorded.requests)
            await asyncio.sleep(0.1)
            assert receiver.failing
            api.receive_failure = None
            await api.push(env.text_frame("late", timestamp=99))
            await sink.until(8)
        await client.aclose()
    assert len(api.recorded.requests) > api_requests
    polls = [r for r in api.recorded.requests if r[1].startswith("/v1/receive")]
    assert len(polls) >= 3  # 7 messages at most 3 at a time
    assert [f["envelope"]["timestamp"] for f in sink.frames] == [*range(10, 17), 99]  # type: ignore[index]


def test_poll_body_with_a_stray_line_is_salvaged() -> None:
    body = '[{"envelope": {"timestamp": 1}},Exception in thread main,{"envelope": {"timestamp": 2}}]'
    frames, damaged = decode_poll_body(body)
    assert damaged
    assert frames == [{"envelope": {"timestamp": 1}}, {"envelope": {"timestamp": 2}}]
    assert decode_poll_body("[]") == ([], False)


async def test_websocket_in_normal_mode_fails_cleanly_and_keeps_trying() -> None:
    sink = Collector()
    async with FakeSignalApi(mode="normal") as api:
        receiver = ws_receiver(api, sink)
        async with running(receiver):
            await asyncio.sleep(0.2)
            assert not receiver.connected
            assert api.recorded.requests == [] or all(r[1].startswith("/v1/receive") for r in api.recorded.requests)


def test_reply_type_is_importable() -> None:
    assert Reply().status == 201
