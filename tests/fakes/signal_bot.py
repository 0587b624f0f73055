"""A Signal bot process for crash tests and the benchmark: the real runner (`run_transports`) with a
stand-in assistant and a SQLite inbox in FOLDER.

    python -m tests.fakes.signal_bot URL FOLDER [--hang-on TEXT] [--delay SECONDS]

`--hang-on TEXT` makes the assistant never finish a message with that text, so a test can kill the process
between receipt and reply.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings, load_settings
from bot.runner import run_transports
from bot.shared.answer import Answer, Intent, Section
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.stores import MessageInbox
from tests.fakes.signal_envelopes import BOT_NUMBER
from tests.fakes.storage import TEST_SECRET, open_inbox


class StandIn:
    def __init__(self, hang_on: str | None, delay: float) -> None:
        self.hang_on = hang_on
        self.delay = delay

    async def respond(self, message: Incoming) -> Answer:
        if message.text == self.hang_on:
            await asyncio.Event().wait()
        if self.delay:
            await asyncio.sleep(self.delay)
        return Answer(
            intent=Intent.PLATFORM,
            title=f"re {message.text}",
            verdict="Fine with the right settings.",
            sections=(Section("Why", ("End-to-end encrypted by default.", "Little metadata kept.")),),
        )


@dataclass
class StandInApp:
    settings: Settings
    engine: AsyncEngine
    inbox: MessageInbox
    keyer: Keyer
    assistant: StandIn

    async def tidy(self) -> int:
        return 0

    async def close(self) -> None:
        await self.engine.dispose()


ROOT = Path(__file__).resolve().parents[2]


async def start_bot_process(
    url: str, folder: Path, *args: str, stderr: int = asyncio.subprocess.DEVNULL
) -> asyncio.subprocess.Process:
    """This module as a separate process (`python -m tests.fakes.signal_bot URL FOLDER …`) from the repository root,
    for the crash tests and the benchmark."""
    return await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.fakes.signal_bot",
        url,
        str(folder),
        *args,
        cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--hang-on")
    parser.add_argument("--delay", type=float, default=0.0)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(name)s %(levelname)s %(message)s")
    settings = load_settings(
        {
            "CONFIDANT_SIGNAL_URL": args.url,
            "CONFIDANT_SIGNAL_NUMBER": BOT_NUMBER,
            "CONFIDANT_DATA_DIR": str(args.folder),
        }
    )

    async def open_app(settings: Settings) -> StandInApp:
        inbox, engine = await open_inbox(args.folder)
        return StandInApp(settings, engine, inbox, Keyer(TEST_SECRET), StandIn(args.hang_on, args.delay))

    return asyncio.run(run_transports(settings, open_app=open_app))


if __name__ == "__main__":
    sys.exit(main())
