"""The polling loop over real loopback HTTP (aiohttp serving the fake Bot API) and in process: offsets,
restarts, flood control, a second poller, shutdown."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from telegram import Update

from bot.transports.telegram.poll import Poller
from tests.fakes.telegram_api import USER, Failure, FakeBotApi, message
from tests.transports.telegram.harness import make_transport, running_bot, until


async def test_a_polled_update_is_stored_answered_and_then_confirmed(tmp_path: Path) -> None:
    api = FakeBotApi()
    async with api.serve() as base_url, running_bot(api, tmp_path, base_url=base_url) as bot:
        update_id = api.push(message("hello there"))
        await until(lambda: len(api.texts()) == 1)
        assert api.texts()[0].startswith("<b>re: hello there</b>")
        assert api.sent()[0]["chat_id"] == str(USER["id"])
        # Confirmed by the next getUpdates, which asks from the following offset.
        await until(lambda: update_id not in api.pending)
        assert bot.transport.health()["connected"] is True


async def test_the_offset_moves_only_after_the_update_is_stored() -> None:
    api = FakeBotApi()
    transport = make_transport(api)
    await transport.application.initialize()
    handed: list[int] = []
    storing_works = asyncio.Event()

    async def handle(update: Update) -> bool:
        handed.append(update.update_id)
        return storing_works.is_set()

    poller = Poller(transport.application.bot, handle, timeout=1)
    first = api.push(message("one"))
    running = asyncio.create_task(poller.run())
    await until(lambda: len(handed) >= 2)
    assert set(handed) == {first}  # handed again and again, never skipped
    assert first in api.pending and poller.offset is None
    storing_works.set()
    await until(lambda: poller.offset == first + 1)
    poller.stop()
    await asyncio.wait_for(running, 5)
    assert api.pending == []  # confirmed on the way out
    await transport.application.shutdown()


async def test_a_restart_neither_loses_nor_repeats_an_answer(tmp_path: Path) -> None:
    api = FakeBotApi()
    update = message("is zoom safe")
    async with running_bot(api, tmp_path):
        update_id = api.push(update)
        await until(lambda: len(api.texts()) == 1)
    # The process died after the inbox commit but before Telegram heard the offset: it sends the update again.
    api.push({"update_id": update_id, **update})
    api.push(message("and teams?"))
    async with running_bot(api, tmp_path) as bot:
        await until(lambda: len(api.texts()) == 2)
        await bot.worker.idle()
        await asyncio.sleep(0.1)
    assert [text.split("</b>")[0] for text in api.texts()] == ["<b>re: is zoom safe", "<b>re: and teams?"]


async def test_flood_control_on_polling_waits_then_goes_on(tmp_path: Path) -> None:
    api = FakeBotApi()
    api.fail("getUpdates", Failure(status=429, description="Too Many Requests: retry after 1", retry_after=1))
    started = time.monotonic()
    async with running_bot(api, tmp_path):
        api.push(message("hello"))
        await until(lambda: len(api.texts()) == 1)
    assert time.monotonic() - started >= 1.0


async def test_a_second_poller_is_reported_and_waited_out(tmp_path: Path) -> None:
    api = FakeBotApi()
    api.conflict = True
    transport = make_transport(api, conflict_pause=0.05)
    await transport.start()
    received = asyncio.create_task(transport.receive(_store_nothing))
    await until(lambda: transport.health()["conflict"] is True)
    assert transport.health()["connected"] is False  # /readyz says 503 while another program polls
    api.conflict = False
    await until(lambda: transport.health()["conflict"] is False)
    assert transport.health()["connected"] is True
    await transport.stop_receiving()
    await asyncio.wait_for(received, 5)
    await transport.close()


async def test_stopping_interrupts_a_long_poll_at_once() -> None:
    api = FakeBotApi(time_scale=1.0)  # a real 1-second long poll
    transport = make_transport(api)
    await transport.start()
    received = asyncio.create_task(transport.receive(_store_nothing))
    await until(lambda: any(name == "getUpdates" for name, _ in api.calls))
    started = time.monotonic()
    await transport.stop_receiving()
    await asyncio.wait_for(received, 5)
    assert time.monotonic() - started < 0.5
    await transport.close()


async def _store_nothing(message: object) -> bool:
    return True
