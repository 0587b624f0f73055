from __future__ import annotations

from collections.abc import AsyncIterator, Mapping

import httpx
import pytest

from bot.health import HealthServer, metrics, readiness


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
