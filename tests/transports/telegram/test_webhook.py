"""Webhook mode: aiohttp serving on its own loopback address, the secret token checked on every request."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import httpx
import pytest

from bot.transports.telegram.transport import TelegramTransport
from bot.transports.telegram.webhook import SECRET_HEADER
from tests.fakes.telegram_api import FakeBotApi, message
from tests.transports.telegram.harness import Stored, make_transport, until

SECRET = "s3cret-token_for-webhook-tests"
URL = "https://bot.example.org/telegram"


@pytest.fixture
async def webhook() -> AsyncIterator[tuple[TelegramTransport, FakeBotApi, Stored, str]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    api = FakeBotApi()
    transport = make_transport(api, webhook_url=URL, webhook_addr=f"127.0.0.1:{port}", webhook_secret=SECRET)
    await transport.start()
    stored = Stored()
    receiving = asyncio.create_task(transport.receive(stored))
    base = f"http://127.0.0.1:{port}/"
    await until(lambda: _listening(port))
    try:
        yield transport, api, stored, base
    finally:
        await transport.stop_receiving()
        await asyncio.wait_for(receiving, 5)
        await transport.close()


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def update(text: str, update_id: int = 1) -> bytes:
    return json.dumps({"update_id": update_id, **message(text)}).encode()


async def test_start_registers_the_webhook_with_its_secret(
    webhook: tuple[TelegramTransport, FakeBotApi, Stored, str],
) -> None:
    _, api, _, _ = webhook
    [registered] = api.sent("setWebhook")
    assert registered["url"] == URL
    assert registered["secret_token"] == SECRET
    assert registered["allowed_updates"] == ["message", "callback_query"]
    assert registered["max_connections"] == "1"  # in order, like polling
    assert api.sent("deleteWebhook") == []


async def test_only_requests_with_the_secret_are_read(
    webhook: tuple[TelegramTransport, FakeBotApi, Stored, str],
) -> None:
    _, _, stored, base = webhook
    async with httpx.AsyncClient() as client:
        anonymous = await client.post(base, content=update("forged"))
        wrong = await client.post(base, content=update("forged"), headers={SECRET_HEADER: "guess"})
        right = await client.post(base, content=update("is zoom safe"), headers={SECRET_HEADER: SECRET})
    assert (anonymous.status_code, wrong.status_code, right.status_code) == (403, 403, 200)
    assert [m.text for m in stored.messages] == ["is zoom safe"]


async def test_an_update_that_cannot_be_stored_is_refused_so_telegram_sends_it_again(
    webhook: tuple[TelegramTransport, FakeBotApi, Stored, str],
) -> None:
    _, _, stored, base = webhook
    stored.broken = True
    async with httpx.AsyncClient() as client:
        failed = await client.post(base, content=update("is zoom safe", 1), headers={SECRET_HEADER: SECRET})
        stored.broken = False
        again = await client.post(base, content=update("is zoom safe", 1), headers={SECRET_HEADER: SECRET})
        junk = await client.post(base, content=b"not json", headers={SECRET_HEADER: SECRET})
    assert (failed.status_code, again.status_code, junk.status_code) == (503, 200, 400)
    assert [m.text for m in stored.messages] == ["is zoom safe"]
