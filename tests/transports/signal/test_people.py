"""Invitations end to end on Signal without a restart: the operator runs `confidant invite` and `confidant users
remove` (subprocesses) beside a running bot (the fake signal-cli-rest-api, the real transport, worker and
assistant on one database), and an admin says "invite" in the chat."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import App, open_app
from bot.config import load_settings
from tests.fakes import signal_envelopes as env
from tests.fakes.databases import once
from tests.fakes.signal_api import FakeSignalApi
from tests.test_cli import confidant
from tests.transports.signal.harness import Bot, running_bot, settle

CODE = re.compile(r"join ([0-9A-Z]{4}(?:-[0-9A-Z]{4}){3})")
ADMINS = f"signal:{env.ANNA_NUMBER}"  # listed by number; her messages come from her UUID, with the number beside


@pytest.fixture
def data(tmp_path: Path) -> dict[str, str]:
    return {"CONFIDANT_DATA_DIR": str(tmp_path / "data"), "CONFIDANT_ADMINS": ADMINS}


@pytest.fixture
async def app(data: dict[str, str]) -> AsyncIterator[App]:
    opened = await open_app(load_settings(data))
    yield opened
    await opened.close()


class Chat:
    def __init__(self, api: FakeSignalApi, bot: Bot) -> None:
        self.api, self.bot = api, bot
        self._timestamp = 1767225600000

    async def say(self, text: str, person: int | None = None) -> str | None:
        """What the bot answers `person` (None: Anna, the admin); None when it stays silent."""
        number, uuid = (env.ANNA_NUMBER, env.ANNA_UUID) if person is None else env.person(person)
        self._timestamp += 1
        before = len(self.api.recorded.sent)
        await self.api.push(env.text_frame(text, number=number, uuid=uuid, timestamp=self._timestamp))
        await settle(self.bot, pause=0.1)
        sent = [body["message"] for body in self.api.recorded.sent[before:] if body["recipients"] == [uuid]]
        return sent[-1] if sent else None


@once  # the CLI subprocess keeps its own SQLite database
async def test_invitations_from_the_cli_and_the_chat_work_at_once(
    app: App, data: dict[str, str], tmp_path: Path
) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path, assistant=app.assistant) as bot:
        chat = Chat(api, bot)
        refusal = await chat.say("is whatsapp safe?", person=1)
        assert refusal is not None and refusal.startswith("**This Confidant is private**")

        invited = await asyncio.to_thread(confidant, "invite", "--json", env=data)
        code = json.loads(invited.stdout)["code"]
        welcome = await chat.say(f"join {code}", person=1)
        assert welcome is not None and welcome.startswith("**Welcome to Confidant**")
        answer = await chat.say("is whatsapp safe?", person=1)
        assert answer is not None and answer.startswith("**WhatsApp")

        from_chat = await chat.say("invite")
        assert from_chat is not None
        match = CODE.search(from_chat)
        assert match is not None
        assert (await chat.say(f"join {match.group(1)}", person=2) or "").startswith("**Welcome to Confidant**")

        listed = json.loads((await asyncio.to_thread(confidant, "users", "list", "--json", env=data)).stdout)
        assert [row["role"] for row in listed] == ["admin", "user", "user"]
        removed = await asyncio.to_thread(confidant, "users", "remove", listed[1]["id"], env=data)
        assert removed.returncode == 0, removed.stderr
        # Removing forgets everything, the earlier refusal too: they are a stranger told for the first time.
        again = await chat.say("is whatsapp safe?", person=1)
        assert again is not None and again.startswith("**This Confidant is private**")
        assert (await chat.say("is zoom safe?", person=2) or "").startswith("**Zoom")
