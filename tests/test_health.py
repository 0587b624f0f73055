from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Mapping

import httpx
import pytest

from bot.cli import main
from bot.health import HealthServer, check_ready, metrics, readiness
from tests.test_cli import confidant_in_background


class FakeWorker:
    def health(self) -> Mapping[str, object]:
        return {
            "queued": 2,
            "conversations": 1,
            "outcomes": {"answered": 5, "delivery-unknown": 1},
            "last_failure": None,
        }


class FakeTransport:
    name = "signal"

    def __init__(self, connected: bool) -> None:
        self.connected = connected

    def health(self) -> Mapping[str, object]:
        return {
            "mode": "json-rpc",
            "connected": self.connected,
            "seconds_since_activity": 3.5,
            "sends_paused_for": 0.0,
            "last_send_error": None,
        }


@pytest.fixture
async def served() -> AsyncIterator[tuple[httpx.AsyncClient, FakeTransport]]:
    transport = FakeTransport(connected=True)
    server = HealthServer(FakeWorker(), [transport])
    assert await server.start("127.0.0.1:0")
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{server.port}") as client:
        yield client, transport
    await server.close()


async def test_healthz(served: tuple[httpx.AsyncClient, FakeTransport]) -> None:
    client, _ = served
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_readyz_follows_the_transports(served: tuple[httpx.AsyncClient, FakeTransport]) -> None:
    client, transport = served
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["transports"]["signal"]["mode"] == "json-rpc"
    transport.connected = False
    assert (await client.get("/readyz")).status_code == 503


async def test_metrics_in_prometheus_text(served: tuple[httpx.AsyncClient, FakeTransport]) -> None:
    client, _ = served
    response = await client.get("/metrics")
    assert response.status_code == 200
    text = response.text
    assert 'confidant_messages_total{outcome="answered"} 5' in text
    assert "confidant_queued 2" in text
    assert 'confidant_transport_connected{transport="signal"} 1' in text
    assert 'confidant_transport_seconds_since_activity{transport="signal"} 3.5' in text
    assert "json-rpc" not in text  # only numbers become metrics


async def test_unknown_paths_and_methods(served: tuple[httpx.AsyncClient, FakeTransport]) -> None:
    client, _ = served
    assert (await client.get("/nope")).status_code == 404
    assert (await client.post("/healthz")).status_code == 405


async def test_a_taken_address_is_reported_not_fatal() -> None:
    first = HealthServer(FakeWorker(), [])
    assert await first.start("127.0.0.1:0")
    second = HealthServer(FakeWorker(), [])
    assert not await second.start(f"127.0.0.1:{first.port}")
    await first.close()


def test_readiness_and_metrics_without_transports() -> None:
    assert readiness([]) == (True, {})
    assert "confidant_conversations 1" in metrics(FakeWorker(), [])


# `confidant health`, against the real health server: the container's HEALTHCHECK.


async def confidant_health(address: str) -> tuple[int, str, str]:
    """The command as the HEALTHCHECK runs it: a process of its own, while this loop serves /readyz."""
    return await confidant_in_background("health", env={"CONFIDANT_HTTP_ADDR": address})


@pytest.fixture
async def server() -> AsyncIterator[tuple[HealthServer, FakeTransport]]:
    transport = FakeTransport(connected=True)
    health = HealthServer(FakeWorker(), [transport])
    assert await health.start("127.0.0.1:0")
    yield health, transport
    await health.close()


async def test_confidant_health_exits_0_when_ready_and_1_with_one_line_when_not(
    server: tuple[HealthServer, FakeTransport],
) -> None:
    health, transport = server
    status, out, err = await confidant_health(f"127.0.0.1:{health.port}")
    assert (status, out, err) == (0, "ready: signal connected\n", "")
    transport.connected = False
    status, out, err = await confidant_health(f"127.0.0.1:{health.port}")
    assert (status, out, err) == (1, "", "not ready: signal not connected\n")


async def test_confidant_health_reaches_a_server_on_every_interface_through_loopback(
    server: tuple[HealthServer, FakeTransport], monkeypatch: pytest.MonkeyPatch
) -> None:
    health, _ = server
    monkeypatch.setenv("CONFIDANT_HTTP_ADDR", f"0.0.0.0:{health.port}")
    assert await asyncio.to_thread(main, ["health"]) == 0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_confidant_health_when_nothing_listens(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    monkeypatch.setenv("CONFIDANT_HTTP_ADDR", f"127.0.0.1:{port}")
    assert main(["health"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    [line] = captured.err.splitlines()
    assert line.startswith(f"no answer from confidant run at 127.0.0.1:{port}: ")


async def test_confidant_health_when_something_else_answers(capsys: pytest.CaptureFixture[str]) -> None:
    async def not_confidant(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello")
        await writer.drain()
        writer.close()

    other = await asyncio.start_server(not_confidant, "127.0.0.1", 0)
    port = other.sockets[0].getsockname()[1]
    try:
        ready, line = await asyncio.to_thread(check_ready, f"127.0.0.1:{port}")
    finally:
        other.close()
        await other.wait_closed()
    assert not ready
    assert line == f"127.0.0.1:{port} answered /readyz with HTTP 200, not Confidant's readiness"
