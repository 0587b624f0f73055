"""Nothing private in the log at DEBUG, with the libraries turned up too: no token, no text, no user or chat
id, through a whole exchange with failures, a conflict, and PTB logging a payload it could not parse."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.logs import NOISY_LOGGERS, setup_logging
from tests.fakes.telegram_api import GROUP, TOKEN, USER, Failure, FakeBotApi, button, message, photo
from tests.transports.telegram.harness import running_bot, until

SECRETS = (
    TOKEN,
    TOKEN.split(":")[1],
    "confidential question",
    "group question",
    "my client's notes",
    str(USER["id"]),
    str(GROUP["id"]),
    "meet.example.org",
    "SecretRoom42",
)


@pytest.fixture
def log() -> Iterator[io.StringIO]:
    root = logging.getLogger()
    saved = root.level, list(root.handlers), {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    stream = io.StringIO()
    setup_logging("DEBUG", "text", stream)
    # An operator turning the libraries up while debugging must not undo the protection.
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield stream
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved[1]:
            root.addHandler(handler)
        root.setLevel(saved[0])
        for name, level in saved[2].items():
            logging.getLogger(name).setLevel(level)


async def test_a_whole_exchange_logs_nothing_private(log: io.StringIO, tmp_path: Path) -> None:
    api = FakeBotApi()
    api.fail("sendMessage", Failure(status=500), None, Failure(raise_="read-timeout"))
    api.fail("getUpdates", None, Failure(status=502, description="Bad Gateway"))
    async with running_bot(api, tmp_path) as bot:
        api.push(message("confidential question"))
        api.push(message("@ConfidantBot group question", chat=GROUP))
        api.push(photo())
        api.push(button("compare:whatsapp"))
        await until(lambda: len(api.sent()) >= 5)
        await bot.worker.idle()
    # What PTB logs when an update does not parse: the raw data, at CRITICAL, which no level cap stops.
    logging.getLogger("telegram.Bot").critical(
        "Error while parsing updates! Received data was %r",
        [{"message": {"text": "confidential question", "chat": {"id": USER["id"]}}}],
        exc_info=ValueError(f"bad update from {USER['id']}: confidential question"),
    )
    text = log.getvalue()
    assert "Telegram send to" in text and "Error while parsing updates" in text  # the log is not empty
    for secret in SECRETS:
        assert secret not in text, secret
