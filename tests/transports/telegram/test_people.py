"""Invitations, join and /export on Telegram, end to end: the fake Bot API, PTB, the worker, and the real
assistant on its own database, as `confidant run` wires it."""

from __future__ import annotations

import html
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.config import load_settings
from bot.render.telegram import TELEGRAM_NOTE
from tests.fakes.telegram_api import STRANGER, USER, FakeBotApi, message
from tests.transports.telegram.harness import running_bot, until

CODE = re.compile(r"join ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})")


@pytest.fixture
async def app(tmp_path: Path) -> AsyncIterator[App]:
    admins = f"telegram:{USER['id']}"
    settings = load_settings({"CONFIDANT_DATA_DIR": str(tmp_path / "data"), "CONFIDANT_ADMINS": admins})
    opened = await open_app(settings)
    yield opened
    await opened.close()


def to(user: dict[str, object], api: FakeBotApi) -> list[str]:
    """What `user` was sent, as they read it (tags gone, entities decoded)."""
    return [html.unescape(re.sub(r"<[^>]+>", "", m["text"])) for m in api.sent() if m["chat_id"] == str(user["id"])]


async def test_invite_join_and_export_on_telegram(app: App, tmp_path: Path) -> None:
    api = FakeBotApi()
    async with running_bot(api, tmp_path, assistant=app.assistant) as bot:

        async def say(user: dict[str, object], text: str) -> str:
            before = len(to(user, api))
            api.push(message(text, user=user))
            await until(lambda: len(to(user, api)) > before)
            await bot.worker.idle()
            return to(user, api)[-1]

        refusal = await say(STRANGER, "/start")
        assert refusal.startswith("This Confidant is private") and TELEGRAM_NOTE not in refusal
        match = CODE.search(await say(USER, "/invite"))
        assert match is not None
        welcome = await say(STRANGER, f"/start {match.group(1)}")  # t.me/<bot>?start=CODE
        assert welcome.startswith("Welcome to Confidant") and TELEGRAM_NOTE in welcome
        answer = await say(STRANGER, "is signal safe?")
        assert answer.startswith("Signal")
        export = await say(STRANGER, "/export")
        [line] = [line for line in export.splitlines() if line.startswith("{")]
        record = json.loads(line)
        assert (record["role"], record["transport"]) == ("user", "telegram")
        assert record["in_memory"]["platforms"] == ["signal"]
        assert str(STRANGER["id"]) not in export
        assert (await say(STRANGER, f"join {match.group(1)}")).startswith("You are already in")
