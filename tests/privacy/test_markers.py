"""Proof at scale: 1,000 conversations through the terminal and 1,000 through Signal (the fake
signal-cli-rest-api and the real `confidant run` wiring) carry a marker phrase, phone numbers, meeting tokens and
invitation codes. Afterwards no log line (DEBUG included, before any redaction) and no database row holds any of
them, nor do the SQLite files on disk (main file, write-ahead log, free pages); and the people who said `forget`
or were removed with `users remove` leave no row at all."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select, text

from bot.app import open_database
from bot.cli import _chat
from bot.config import Settings, load_settings
from bot.core.doorkeeper import create_invitation
from bot.core.worker import Worker
from bot.keys import keyer_for
from bot.runner import run_transports
from bot.storage.invitations import Invitations
from bot.storage.models import Base
from bot.storage.users import Users
from tests.fakes import signal_envelopes as env
from tests.fakes.databases import sqlite_only
from tests.fakes.logs import Everything, everything_logged
from tests.fakes.signal_api import FakeSignalApi
from tests.rooms.helpers import APP_ID, SECRET, XMPP_DOMAIN
from tests.transports.telegram.test_run import free_port

# The full 1,000 run in the slow set (`pytest -m slow`, which .ci/run runs); every default run repeats the same
# conversations at a smaller scale, so a leak is caught there too.
SCALES = [pytest.param(25, id="25"), pytest.param(1_000, id="1000", marks=pytest.mark.slow)]
MARKER = "marigold otter"
# A meeting token someone pastes into a question, besides the real ones the bot's room replies carry.
PASTED_TOKEN = "eyJhbGciOiJIUzI1NiJ9.eyJtYXJrZXIiOiJtYXJpZ29sZCJ9.bWFyaWdvbGQtb3R0ZXItc2lnbmF0dXJl"
JWT = re.compile(r"eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
FORGETS, REMOVED = 0, 1  # conversation n with n % 10 == FORGETS says "forget"; REMOVED is removed by the operator


def phone(n: int) -> str:
    return f"+44 7700 9{n:05d}"


def question(n: int) -> str:
    return f"is zoom safe for {MARKER} {n}? call me on {phone(n)}, the token is {PASTED_TOKEN}"


@dataclass
class Secrets:
    """Every private string the run produced, to look for afterwards."""

    strings: set[str] = field(default_factory=lambda: {MARKER, PASTED_TOKEN, MARKER.replace(" ", "")})

    def add(self, *values: str) -> None:
        self.strings.update(value for value in values if value)


@pytest.fixture
def everything() -> Iterator[Everything]:
    with everything_logged() as handler:
        yield handler


def settings_for(folder: Path, **extra: str) -> Settings:
    return load_settings(
        {
            "CONFIDANT_DATA_DIR": str(folder),
            "CONFIDANT_ADMINS": f"signal:{env.ANNA_NUMBER}",
            "CONFIDANT_LOG_LEVEL": "DEBUG",
            "CONFIDANT_REGION": "uk",
            # Self-hosted rooms, so every room reply carries a real meeting token.
            "CONFIDANT_JITSI_URL": "https://meet.example.org",
            "CONFIDANT_JITSI_APP_ID": APP_ID,
            "CONFIDANT_JITSI_APP_SECRET": SECRET,
            "CONFIDANT_JITSI_XMPP_DOMAIN": XMPP_DOMAIN,
            **extra,
        }
    )


async def rows(settings: Settings) -> str:
    """Every row of every table, as text."""
    engine = await open_database(settings)
    try:
        async with engine.connect() as connection:
            dumped = [
                repr(row) for table in Base.metadata.sorted_tables for row in await connection.execute(select(table))
            ]
            integrity = await connection.scalar(text("PRAGMA secure_delete"))
    finally:
        await engine.dispose()
    assert integrity == 1  # deleted rows are zeroed, not left in free pages
    return "\n".join(dumped)


def files(folder: Path) -> bytes:
    """The raw bytes of the database and its write-ahead log and shared-memory files. Read while Confidant still
    runs: closing the last connection checkpoints the log by itself, which would hide a missing scrub."""
    return b"".join(path.read_bytes() for path in sorted(folder.glob("confidant.db*")))


class ThenLook(io.StringIO):
    """Typed lines for `confidant chat` that, once read to the end, look at the database files while the chat
    still has its database open."""

    def __init__(self, lines: list[str], folder: Path) -> None:
        super().__init__("\n".join(lines) + "\n")
        self.folder = folder
        self.on_disk: bytes | None = None

    def readline(self, size: int = -1, /) -> str:  # type: ignore[override]  # StringIO's own signature
        line = super().readline(size)
        if not line and self.on_disk is None:
            self.on_disk = files(self.folder)
            assert (self.folder / "confidant.db-wal").exists()  # the chat's connection is still open
        return line


def assert_nowhere(secrets: Secrets, *, logged: str, stored: str, on_disk: bytes) -> None:
    assert len(logged.splitlines()) > 100, "DEBUG logging was on, so an empty log proves nothing"
    for secret in sorted(secrets.strings):
        forms = {secret, secret.replace(" ", ""), secret.replace("-", "")}
        for form in forms:
            assert form not in logged, f"{form!r} in a log line"
            assert form not in stored, f"{form!r} in a database row"
            assert form.encode() not in on_disk, f"{form!r} in the database files"


@sqlite_only  # reads the SQLite files for what lingers on disk
@pytest.mark.parametrize("conversations", SCALES)
def test_terminal_conversations_leave_nothing(tmp_path: Path, everything: Everything, conversations: int) -> None:
    settings = settings_for(tmp_path)
    lines: list[str] = []
    for n in range(conversations):
        lines += [question(n), f"name Dr Marigold{n}", "export"]
        if n % 10 == 0:
            lines += ["room for 3pm", "more"]
        lines.append("forget")
    out, typed = io.StringIO(), ThenLook(lines, tmp_path)
    assert _chat(settings, typed, out) == 0
    assert typed.on_disk is not None
    replies = out.getvalue()
    assert replies.count("Zoom") >= conversations and replies.count("Done") == conversations
    secrets = Secrets()
    secrets.add(*(phone(n) for n in range(conversations)), *(f"Marigold{n}" for n in range(conversations)))
    tokens = set(JWT.findall(replies)) - {PASTED_TOKEN}
    assert len(tokens) == len(range(0, conversations, 10))  # a real meeting token in every room reply
    secrets.add(*tokens)
    assert_nowhere(
        secrets,
        logged=everything.text,
        stored=asyncio.run(rows(settings)),
        on_disk=typed.on_disk,
    )


@sqlite_only  # reads the SQLite files for what lingers on disk
@pytest.mark.parametrize("conversations", SCALES)
async def test_signal_conversations_leave_nothing(tmp_path: Path, everything: Everything, conversations: int) -> None:
    secrets = Secrets()
    # Polling (signal-cli's native mode): nothing pushed while the loop is busy is lost, as on a real server.
    async with FakeSignalApi(mode="native") as api:
        settings = settings_for(
            tmp_path,
            CONFIDANT_SIGNAL_URL=api.url,
            CONFIDANT_SIGNAL_NUMBER=env.BOT_NUMBER,
            CONFIDANT_HTTP_ADDR=f"127.0.0.1:{free_port()}",
        )
        keyer = keyer_for(settings)
        engine = await open_database(settings)
        invitations = Invitations(engine)
        now = datetime.now(UTC)
        codes = [(await create_invitation(invitations, keyer, now=now)).code for _ in range(conversations)]
        await engine.dispose()
        secrets.add(*codes, *(code.replace("-", "") for code in codes))

        ready: list[Worker] = []
        stop = asyncio.Event()
        running = asyncio.create_task(
            run_transports(settings, stop=stop, on_ready=lambda worker, _: ready.append(worker))
        )
        await api.wait_for(lambda: bool(ready), within=30)
        [worker] = ready
        timestamp = iter(range(1767225600000, 1767225600000 + 100 * conversations))

        async def round_of(say: dict[int, str], *, replies: int = 1) -> None:
            """One message from each of these people, all pushed at once; wait until every one is handled, and
            check each got `replies` messages back (a room is two; silence none)."""
            before, handled = len(api.recorded.sent), sum(worker.outcomes.values())
            for n, message in say.items():
                number, uuid = env.person(n)
                await api.push(env.text_frame(message, number=number, uuid=uuid, timestamp=next(timestamp)))
            await api.wait_for(lambda: sum(worker.outcomes.values()) >= handled + len(say), within=120)
            await worker.idle()
            assert len(api.recorded.sent) == before + replies * len(say)

        people = range(1, conversations + 1)
        await round_of({n: "is zoom safe?" for n in people})  # strangers first: each refused once
        # A wrong guess, as any message within the day, gets silence.
        await round_of({n: f"join 0000-0000-0000-{n % 10}ABC" for n in people if n % 2}, replies=0)
        await round_of({n: f"join {codes[n - 1]}" for n in people})
        await round_of({n: question(n) for n in people})
        # Names only for those about to be forgotten or removed: everyone else's is rightly kept.
        await round_of({n: f"name Dr Marigold{n}" for n in people if n % 10 in (FORGETS, REMOVED)})
        await round_of({n: "room" for n in people if n % 10 == 5}, replies=2)
        await round_of({n: "export" for n in people if n % 10 == 7})
        await round_of({n: "forget" for n in people if n % 10 == FORGETS})

        # The operator removes some users while Confidant runs (what `confidant users remove` does).
        engine = await open_database(settings)
        users = Users(engine)
        removed = [keyer.user_key("signal", env.person(n)[1]) for n in people if n % 10 == REMOVED]
        for key in removed:
            assert await users.forget(key)
        await engine.dispose()
        await worker.idle()
        on_disk = files(tmp_path)
        assert (tmp_path / "confidant.db-wal").exists()  # Confidant still has the database open
        stop.set()
        assert await asyncio.wait_for(running, 30) == 0

    sent = [body["message"] for body in api.recorded.sent]
    assert sum(message.startswith("**This Confidant is private**") for message in sent) == conversations
    assert sum(message.startswith("**Welcome to Confidant**") for message in sent) == conversations
    tokens = {token for message in sent for token in JWT.findall(message)} - {PASTED_TOKEN}
    assert len(tokens) == len([n for n in people if n % 10 == 5])
    secrets.add(*tokens)
    for n in people:
        number, uuid = env.person(n)
        secrets.add(phone(n), number, number.removeprefix("+"), uuid)
        if n % 10 in (FORGETS, REMOVED):
            secrets.add(f"Marigold{n}")
    stored = await rows(settings)
    assert_nowhere(secrets, logged=everything.text, stored=stored, on_disk=on_disk + files(tmp_path))
    # Forgotten and removed people leave no row: their keyed hash is nowhere, and neither is anything else.
    forgotten = [keyer.user_key("signal", env.person(n)[1]) for n in people if n % 10 == FORGETS]
    for key in (*forgotten, *removed):
        assert key not in stored
    remaining = stored.count("'user'")
    assert remaining == conversations - len(forgotten) - len(removed)
