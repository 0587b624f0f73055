"""Real processes, killed for real: what was received is answered exactly once, or never twice. On SQLite (it
reads the database file); tests/test_instances.py kills instances on PostgreSQL."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from tests.fakes import signal_envelopes as env
from tests.fakes.databases import sqlite_only
from tests.fakes.signal_api import FakeSignalApi
from tests.fakes.signal_bot import start_bot_process

pytestmark = sqlite_only


@asynccontextmanager
async def bot_process(api: FakeSignalApi, folder: Path, *args: str) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await start_bot_process(api.url, folder, *args, stderr=asyncio.subprocess.PIPE)
    try:
        yield process
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


def inbox_rows(folder: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(folder / "confidant.db") as db:
        return db.execute("SELECT text, state FROM inbox").fetchall()


async def wait_until(condition: object, within: float = 10.0) -> None:
    async with asyncio.timeout(within):
        # Another process writes the database, so there is no event to wait on: poll it.
        while not condition():  # type: ignore[operator]  # noqa: ASYNC110
            await asyncio.sleep(0.02)


async def test_killed_between_receipt_and_reply_answers_once_after_restart(tmp_path: Path) -> None:
    async with FakeSignalApi() as api:
        async with bot_process(api, tmp_path, "--hang-on", "stuck") as first:
            await api.wait_for_sockets(within=15)
            assert await api.push(env.text_frame("stuck")) == 1
            await wait_until(
                lambda: (tmp_path / "confidant.db").exists() and inbox_rows(tmp_path) == [("stuck", "pending")]
            )
            first.kill()
            await first.wait()
        assert api.recorded.sent == []
        # json-rpc never replays a message: only our inbox remembers it
        async with bot_process(api, tmp_path) as second:
            await api.wait_for_sent(1, within=15)
            await wait_until(lambda: inbox_rows(tmp_path) == [])
            await asyncio.sleep(0.2)
            second.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(second.wait(), 10) == 0
    assert [body["message"].split("\n")[0] for body in api.recorded.sent] == ["**re stuck**"]


async def test_killed_during_a_send_never_sends_again(tmp_path: Path) -> None:
    async with FakeSignalApi() as api:
        in_flight = asyncio.Event()
        release = asyncio.Event()

        async def hold(body: object) -> None:
            in_flight.set()
            await release.wait()

        api.on_send = hold
        async with bot_process(api, tmp_path) as first:
            await api.wait_for_sockets(within=15)
            await api.push(env.text_frame("maybe delivered"))
            await asyncio.wait_for(in_flight.wait(), 10)
            first.kill()
            await first.wait()
        api.on_send = None
        release.set()
        assert inbox_rows(tmp_path) == [("maybe delivered", "sending")]
        async with bot_process(api, tmp_path) as second:
            await wait_until(lambda: inbox_rows(tmp_path) == [])
            await api.wait_for_sockets(within=15)
            second.send_signal(signal.SIGINT)
            assert await asyncio.wait_for(second.wait(), 10) == 0
    assert len(api.recorded.send_attempts) == 1
    with sqlite3.connect(tmp_path / "confidant.db") as db:
        assert db.execute("SELECT outcome FROM processed_messages").fetchall() == [("delivery-unknown",)]


async def test_sigterm_finishes_the_answer_in_hand_and_exits_zero(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, bot_process(api, tmp_path, "--delay", "0.5") as bot:
        await api.wait_for_sockets(within=15)
        await api.push(env.text_frame("in hand"))
        await wait_until(lambda: (tmp_path / "confidant.db").exists() and len(inbox_rows(tmp_path)) == 1)
        bot.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(bot.wait(), 10) == 0
        assert bot.stderr is not None
        log = (await bot.stderr.read()).decode()
    assert [body["message"].split("\n")[0] for body in api.recorded.sent] == ["**re in hand**"]
    assert "all answers sent" in log
