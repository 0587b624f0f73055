"""`confidant signal link`: linking a dedicated number on a server with no screen, against the fake API."""

from __future__ import annotations

import asyncio
import io

import segno

from bot.transports.signal.admin import _link, terminal_qr
from bot.transports.signal.client import SignalClient
from tests.fakes.signal_api import FakeSignalApi
from tests.fakes.signal_envelopes import BOT_NUMBER
from tests.test_cli import confidant_in_background

LIGHT = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


def modules(text: str) -> list[list[bool]]:
    """The printed code read back: True where a module is dark (two rows per line of half blocks)."""
    rows: list[list[bool]] = []
    for line in text.splitlines():
        top, bottom = zip(*(LIGHT[char] for char in line), strict=True)
        rows += [[not light for light in top], [not light for light in bottom]]
    return rows


def test_the_terminal_code_is_the_qr_code_of_the_uri() -> None:
    uri = "sgnl://linkdevice?uuid=Xq3kW9nB7vPz0001Lm2Rt&pub_key=BTq8v0Yw3%2BjK5nZp7sQ1xR4uV6yA9cE2gH4kM"
    printed = modules(terminal_qr(uri))
    code = segno.make(uri, error="m", micro=False)
    expected = [[bool(module) for module in row] for row in code.matrix_iter(border=2)]
    assert printed[: len(expected)] == expected
    assert len(printed) - len(expected) in (0, 1)  # an odd size leaves half a line of terminal below
    assert len(printed[0]) == code.symbol_size(border=2)[0]


async def test_link_prints_the_code_and_waits_for_the_scan() -> None:
    async with FakeSignalApi() as fake:
        fake.accounts = []
        client = SignalClient(fake.url, BOT_NUMBER, connect_attempts=1)
        out = io.StringIO()

        async def phone_scans() -> None:
            await fake.wait_for(lambda: bool(fake.recorded.link_requests))
            await asyncio.sleep(0.2)
            fake.accounts.append(BOT_NUMBER)

        scanning = asyncio.create_task(phone_scans())
        try:
            status = await _link(client, out, "confidant", wait=10, as_uri=False, poll_every=0.05)
        finally:
            await client.aclose()
            await scanning
    text = out.getvalue()
    assert status == 0
    assert fake.recorded.link_requests == ["confidant"]
    assert "█" in text and "Linked Devices".casefold() in text.casefold()
    assert text.rstrip().endswith(f"Linked: {BOT_NUMBER} is ready. Start Confidant (docker compose up -d).")


async def test_link_gives_up_with_a_plain_sentence_and_prints_the_uri_on_request() -> None:
    async with FakeSignalApi() as fake:
        fake.accounts = []
        client = SignalClient(fake.url, BOT_NUMBER, connect_attempts=1)
        out = io.StringIO()
        try:
            status = await _link(client, out, "office", wait=0.2, as_uri=True, poll_every=0.05)
        finally:
            await client.aclose()
    first, *rest = out.getvalue().splitlines()
    assert status == 1
    assert first.startswith("sgnl://linkdevice?uuid=")
    assert rest[-1].startswith(f"{BOT_NUMBER} is not linked after 0.2 s.")
    assert fake.recorded.link_requests == ["office"]


async def test_link_does_nothing_for_a_number_already_there() -> None:
    async with FakeSignalApi() as fake:
        client = SignalClient(fake.url, BOT_NUMBER, connect_attempts=1)
        out = io.StringIO()
        try:
            status = await _link(client, out, "confidant", wait=5, as_uri=False)
        finally:
            await client.aclose()
    assert status == 0
    assert out.getvalue() == f"{BOT_NUMBER} is already registered or linked here: nothing to do.\n"
    assert fake.recorded.link_requests == []


async def test_confidant_signal_link_as_an_operator_runs_it() -> None:
    async with FakeSignalApi() as fake:
        fake.accounts = []
        env = {"CONFIDANT_SIGNAL_URL": fake.url, "CONFIDANT_SIGNAL_NUMBER": BOT_NUMBER}
        running = asyncio.create_task(confidant_in_background("signal", "link", "--wait", "30", env=env))
        await fake.wait_for(lambda: bool(fake.recorded.link_requests), within=30)
        fake.accounts.append(BOT_NUMBER)
        status, text, err = await running
    assert status == 0, err
    assert err == ""
    assert "▄" in text
    assert f"Linked: {BOT_NUMBER} is ready." in text
