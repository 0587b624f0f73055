"""Optional contract test against a real signal-cli-rest-api (run by hand; skipped otherwise).

    CONFIDANT_TEST_SIGNAL_URL=http://127.0.0.1:8080 CONFIDANT_TEST_SIGNAL_NUMBER=+44… \
    [CONFIDANT_TEST_SIGNAL_RECIPIENT=+44…|uuid] .venv/bin/pytest tests/transports/signal/test_contract.py

Use a test number. With a recipient set, one styled message is really sent to it.
"""

from __future__ import annotations

import asyncio
import os

import pytest

from bot.shared.answer import Answer, Intent, Section
from bot.shared.incoming import Incoming
from bot.transports.signal.client import SignalClient
from bot.transports.signal.receive import PollReceiver, WebSocketReceiver
from bot.transports.signal.transport import TESTED_VERSIONS, SignalTransport

# Read at import: the suite's autouse fixture clears CONFIDANT_* variables before each test.
URL = os.environ.get("CONFIDANT_TEST_SIGNAL_URL")
NUMBER = os.environ.get("CONFIDANT_TEST_SIGNAL_NUMBER")
RECIPIENT = os.environ.get("CONFIDANT_TEST_SIGNAL_RECIPIENT")

pytestmark = pytest.mark.skipif(not (URL and NUMBER), reason="no real signal-cli-rest-api configured")


async def test_start_up_checks_against_the_real_server() -> None:
    assert URL is not None and NUMBER is not None
    transport = SignalTransport(SignalClient(URL, NUMBER))
    try:
        await transport.start()
        assert transport.about is not None
        assert transport.about.mode in ("normal", "native", "json-rpc")
        if transport.about.version not in TESTED_VERSIONS:
            pytest.xfail(f"server runs untested version {transport.about.version}")
    finally:
        await transport.close()


async def test_receiving_connects_and_stops_cleanly() -> None:
    assert URL is not None and NUMBER is not None
    client = SignalClient(URL, NUMBER)
    frames: list[object] = []

    async def sink(frame: object) -> None:
        frames.append(frame)

    about = await client.about()
    receiver: WebSocketReceiver | PollReceiver
    if about.mode.startswith("json-rpc"):
        receiver = WebSocketReceiver(client.websocket_url, sink)
    else:
        receiver = PollReceiver(client, sink, wait_seconds=1)
    task = asyncio.create_task(receiver.run())
    await asyncio.sleep(3)
    receiver.stop()
    await asyncio.wait_for(task, 30)
    await client.aclose()
    if isinstance(receiver, WebSocketReceiver):
        assert receiver.connections >= 1
    else:
        assert receiver.last_poll_at is not None


@pytest.mark.skipif(not RECIPIENT, reason="no test recipient configured")
async def test_a_styled_answer_is_delivered() -> None:
    assert URL is not None and NUMBER is not None and RECIPIENT is not None
    transport = SignalTransport(SignalClient(URL, NUMBER))
    try:
        await transport.start()
        message = Incoming(transport="signal", sender=RECIPIENT, chat=RECIPIENT, text="contract", message_key="c")
        answer = Answer(
            intent=Intent.HELP,
            title="Confidant contract test",
            sections=(Section("Escaping", ("*not italic* ~not struck~ `not mono` a\\b",)),),
        )
        await transport.deliver(message, answer)
    finally:
        await transport.close()
