from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings, load_settings
from bot.core.worker import Worker
from bot.logs import NOISY_LOGGERS, quiet_noisy_loggers
from bot.runner import run_transports
from bot.shared.pseudonym import Keyer
from bot.storage.stores import MessageInbox, message_stores
from bot.transports.base import Transport
from tests.fakes import signal_envelopes as env
from tests.fakes.databases import sqlite_only
from tests.fakes.signal_api import FakeSignalApi
from tests.fakes.storage import TEST_SECRET, open_inbox
from tests.transports.signal.harness import Echo


@dataclass
class FakeApp:
    engine: AsyncEngine
    inbox: MessageInbox
    keyer: Keyer = field(default_factory=lambda: Keyer(TEST_SECRET))
    assistant: Echo = field(default_factory=Echo)
    closed: bool = False
    tidied: int = 0

    async def tidy(self) -> int:
        self.tidied += 1
        return 0

    async def close(self) -> None:
        self.closed = True
        await self.engine.dispose()


def settings_for(api: FakeSignalApi, folder: Path) -> Settings:
    return load_settings(
        {
            "CONFIDANT_SIGNAL_URL": api.url,
            "CONFIDANT_SIGNAL_NUMBER": env.BOT_NUMBER,
            "CONFIDANT_DATA_DIR": str(folder),
        }
    )


async def test_runs_until_stopped_then_exits_zero(tmp_path: Path) -> None:
    apps: list[FakeApp] = []

    async def open_app(settings: Settings) -> FakeApp:
        inbox, engine = await open_inbox(tmp_path)
        apps.append(FakeApp(engine, inbox))
        return apps[-1]

    stop = asyncio.Event()
    ready: list[tuple[Worker, list[Transport]]] = []
    async with FakeSignalApi(mode="native") as api:
        running = asyncio.create_task(
            run_transports(
                settings_for(api, tmp_path),
                stop=stop,
                open_app=open_app,
                on_ready=lambda worker, transports: ready.append((worker, transports)),
            )
        )
        await api.push(env.text_frame("hello"))
        await api.wait_for_sent(1, within=10)
        [(worker, transports)] = ready
        await worker.idle()
        assert worker.health()["outcomes"] == {"answered": 1}
        assert transports[0].health()["receive"] == "poll"
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
    assert apps[0].closed
    assert api.recorded.sent[0]["message"].startswith("**re: hello**")


async def test_start_up_failure_exits_one_with_the_reason(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    apps: list[FakeApp] = []

    async def open_app(settings: Settings) -> FakeApp:
        inbox, engine = await open_inbox(tmp_path)
        apps.append(FakeApp(engine, inbox))
        return apps[-1]

    async with FakeSignalApi() as api:
        api.accounts = []
        code = await run_transports(settings_for(api, tmp_path), stop=asyncio.Event(), open_app=open_app)
    assert code == 1
    assert "number not registered or linked" in capsys.readouterr().err
    assert apps[0].closed


def test_library_loggers_stay_quiet_even_when_turned_up() -> None:
    quiet_noisy_loggers()
    for name in NOISY_LOGGERS:
        library = logging.getLogger(name)
        assert library.level == logging.WARNING
        library.setLevel(logging.DEBUG)
        try:
            record = library.makeRecord(name, logging.INFO, __file__, 1, "GET /v1/receive/+4930111111", (), None)
            assert not library.filter(record)
            warning = library.makeRecord(name, logging.WARNING, __file__, 1, "connection lost", (), None)
            assert library.filter(warning)
        finally:
            library.setLevel(logging.WARNING)


async def test_serves_health_and_metrics_while_running(tmp_path: Path) -> None:
    import socket

    import httpx

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def open_app(settings: Settings) -> FakeApp:
        inbox, engine = await open_inbox(tmp_path)
        return FakeApp(engine, inbox)

    stop = asyncio.Event()
    async with FakeSignalApi(mode="native") as api:
        settings = settings_for(api, tmp_path).model_copy(update={"http_addr": f"127.0.0.1:{port}"})
        running = asyncio.create_task(run_transports(settings, stop=stop, open_app=open_app))
        await api.push(env.text_frame("hello"))
        await api.wait_for_sent(1, within=10)
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}") as client:
            assert (await client.get("/healthz")).status_code == 200
            assert (await client.get("/readyz")).status_code == 200
            answered = 'confidant_messages_total{outcome="answered"} 1'
            for _ in range(100):  # the send reached the server; its outcome is recorded a moment later
                metrics = (await client.get("/metrics")).text
                if answered in metrics:
                    break
                await asyncio.sleep(0.05)
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
    assert answered in metrics
    assert env.BOT_NUMBER not in metrics


async def test_a_stop_during_start_up_is_honoured_at_once(tmp_path: Path) -> None:
    import socket
    import time

    with socket.socket() as probe:  # a port nobody listens on: start-up keeps retrying
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async def open_app(settings: Settings) -> FakeApp:
        inbox, engine = await open_inbox(tmp_path)
        return FakeApp(engine, inbox)

    settings = load_settings(
        {
            "CONFIDANT_SIGNAL_URL": f"http://127.0.0.1:{port}",
            "CONFIDANT_SIGNAL_NUMBER": env.BOT_NUMBER,
            "CONFIDANT_DATA_DIR": str(tmp_path),
        }
    )
    stop = asyncio.Event()
    running = asyncio.create_task(run_transports(settings, stop=stop, open_app=open_app))
    await asyncio.sleep(0.5)
    began = time.monotonic()
    stop.set()
    assert await asyncio.wait_for(running, 5) == 0
    assert time.monotonic() - began < 2


@sqlite_only
async def test_a_second_instance_waits_for_the_first_to_stop(tmp_path: Path) -> None:
    async def open_app(settings: Settings) -> FakeApp:
        inbox, engine = await open_inbox(tmp_path)
        return FakeApp(engine, inbox)

    ready = {"first": asyncio.Event(), "second": asyncio.Event()}
    stops = {"first": asyncio.Event(), "second": asyncio.Event()}

    async with FakeSignalApi(mode="native") as api:
        settings = settings_for(api, tmp_path)

        def start(name: str) -> asyncio.Task[int]:
            def on_ready(worker: Worker, transports: list[Transport]) -> None:
                ready[name].set()

            return asyncio.create_task(run_transports(settings, stop=stops[name], open_app=open_app, on_ready=on_ready))

        first = start("first")
        await asyncio.wait_for(ready["first"].wait(), 10)
        second = start("second")
        await asyncio.sleep(1.0)
        assert not ready["second"].is_set()  # waiting: it must not resume what the first is answering
        stops["first"].set()
        assert await asyncio.wait_for(first, 10) == 0
        await asyncio.wait_for(ready["second"].wait(), 10)
        stops["second"].set()
        assert await asyncio.wait_for(second, 10) == 0


async def test_on_postgresql_both_run_and_one_polls_until_it_stops(postgres_url: str, tmp_path: Path) -> None:
    from sqlalchemy import text

    from bot.storage.database import create_engine
    from bot.storage.migrate import upgrade
    from bot.storage.models import Base

    async def open_app(settings: Settings) -> FakeApp:
        engine = create_engine(postgres_url)
        return FakeApp(engine, message_stores(engine, Keyer(TEST_SECRET)).inbox)

    setup = create_engine(postgres_url)
    async with setup.begin() as connection:
        for table in [*reversed(Base.metadata.sorted_tables), "alembic_version"]:
            await connection.execute(text(f"DROP TABLE IF EXISTS {table} CASCADE"))
    await upgrade(setup)
    await setup.dispose()

    ready: dict[str, list[Transport]] = {}
    stops = {"first": asyncio.Event(), "second": asyncio.Event()}
    async with FakeSignalApi(mode="native") as api:
        settings = settings_for(api, tmp_path)

        def start(name: str) -> asyncio.Task[int]:
            def on_ready(worker: Worker, transports: list[Transport]) -> None:
                ready[name] = transports

            return asyncio.create_task(run_transports(settings, stop=stops[name], open_app=open_app, on_ready=on_ready))

        first = start("first")
        async with asyncio.timeout(10):
            while "first" not in ready or ready["first"][0].health()["connected"] is not True:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        second = start("second")
        async with asyncio.timeout(10):
            while "second" not in ready:  # noqa: ASYNC110 - on_ready is a plain callback
                await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        assert ready["second"][0].health()["connected"] is None  # running, answering, but not polling
        await api.push(env.text_frame("hello"))
        await api.wait_for_sent(1, within=10)
        stops["first"].set()
        assert await asyncio.wait_for(first, 10) == 0
        async with asyncio.timeout(10):  # the lock passes on: the second polls now
            while ready["second"][0].health()["connected"] is not True:  # noqa: ASYNC110
                await asyncio.sleep(0.05)
        await api.push(env.text_frame("again", timestamp=2))
        await api.wait_for_sent(2, within=10)
        stops["second"].set()
        assert await asyncio.wait_for(second, 10) == 0
    assert [body["message"].split("\n")[0] for body in api.recorded.sent] == ["**re: hello**", "**re: again**"]
