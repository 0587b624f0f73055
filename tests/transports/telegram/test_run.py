"""`confidant run` answering Telegram: the real program in a subprocess against the fake Bot API on
loopback, and in process beside Signal."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

from bot.config import Settings, load_settings
from bot.runner import run_transports
from tests.fakes import signal_envelopes as env
from tests.fakes.signal_api import FakeSignalApi
from tests.fakes.storage import open_inbox
from tests.fakes.telegram_api import STRANGER, TOKEN, USER, FakeBotApi, button, message
from tests.test_cli import clean_environment
from tests.test_runner import FakeApp
from tests.transports.telegram.harness import until


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_confidant_run_answers_telegram_and_stops_cleanly_on_sigterm(tmp_path: Path) -> None:
    api = FakeBotApi(time_scale=0.05)
    async with api.serve() as base_url:
        environment = clean_environment(
            {
                "CONFIDANT_TELEGRAM_TOKEN": TOKEN,
                "CONFIDANT_TELEGRAM_API_URL": base_url,
                "CONFIDANT_ADMINS": f"telegram:{USER['id']}",
                "CONFIDANT_HTTP_ADDR": f"127.0.0.1:{free_port()}",
                "CONFIDANT_LOG_LEVEL": "DEBUG",
            }
        )
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=environment, stderr=asyncio.subprocess.PIPE
        )
        try:
            api.push(message("/start"))
            api.push(message("is whatsapp safe?"))
            api.push(button("more"))  # the follow-up, from the same shared brain as on Signal
            api.push(message("/forget"))
            api.push(message("/start", user=STRANGER))
            await until(lambda: any(text.startswith("<b>Done</b>") for text in api.texts()), within=60)
            await until(lambda: len(api.texts()) >= 5, within=60)
            await until(lambda: api.pending == [], within=30)  # every update confirmed
        finally:
            process.send_signal(signal.SIGTERM)
            _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0
    # Conversations are answered at the same time, so only each chat's own order is fixed.
    # (The long version of an answer may take two messages.)
    welcome, whatsapp, more, *_, forgotten = [m["text"] for m in api.sent() if m["chat_id"] == str(USER["id"])]
    [stranger] = [m["text"] for m in api.sent() if m["chat_id"] == str(STRANGER["id"])]
    assert "not end-to-end encrypted" in welcome
    assert whatsapp.startswith("<b>WhatsApp")
    assert more.startswith("<b>WhatsApp: the details</b>")
    assert forgotten.startswith("<b>Done</b>")
    assert len(api.sent("answerCallbackQuery")) == 1
    assert stranger.startswith("<b>This Confidant is private</b>")
    assert "not end-to-end" not in stranger  # a stranger gets the private note only
    log = stderr.decode()
    for secret in (TOKEN, TOKEN.split(":")[1], "whatsapp safe", str(USER["id"]), str(STRANGER["id"])):
        assert secret not in log, secret
    assert "Telegram receiving by polling" in log


def both(signal_url: str, telegram_url: str, folder: Path) -> Settings:
    return load_settings(
        {
            "CONFIDANT_SIGNAL_URL": signal_url,
            "CONFIDANT_SIGNAL_NUMBER": env.BOT_NUMBER,
            "CONFIDANT_TELEGRAM_TOKEN": TOKEN,
            "CONFIDANT_TELEGRAM_API_URL": telegram_url,
            "CONFIDANT_DATA_DIR": str(folder),
            "CONFIDANT_HTTP_ADDR": f"127.0.0.1:{free_port()}",
        }
    )


async def test_signal_and_telegram_run_side_by_side_in_one_loop(tmp_path: Path) -> None:
    async def open_app(settings: Settings) -> FakeApp:
        inbox, engine = await open_inbox(tmp_path)
        return FakeApp(engine, inbox)

    stop = asyncio.Event()
    telegram = FakeBotApi()
    async with FakeSignalApi(mode="native") as signal_api, telegram.serve() as base_url:
        running = asyncio.create_task(
            run_transports(both(signal_api.url, base_url, tmp_path), stop=stop, open_app=open_app)
        )
        await signal_api.push(env.text_frame("from signal"))
        telegram.push(message("from telegram"))
        await signal_api.wait_for_sent(1, within=10)
        await until(lambda: len(telegram.texts()) == 1)
        stop.set()
        assert await asyncio.wait_for(running, 10) == 0
    assert signal_api.recorded.sent[0]["message"].startswith("**re: from signal**")
    assert telegram.texts()[0].startswith("<b>re: from telegram</b>")
