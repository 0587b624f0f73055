"""Two workers (two instances) on one inbox, each handed every message as Signal's json-rpc mode does: every
message answered once, each conversation in order, and a silent instance's conversations taken over."""

from __future__ import annotations

import asyncio
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.worker import Worker
from bot.shared.answer import Answer, Intent
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.inbox import Inbox
from tests.fakes.storage import TEST_SECRET, open_inbox
from tests.fakes.transport import RecordingTransport


class Thinking:
    """Answers with the text as title, after a random pause, so the instances interleave."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.hang = asyncio.Event()
        self.hang.set()

    async def respond(self, message: Incoming) -> Answer:
        await self.hang.wait()
        await asyncio.sleep(self.rng.uniform(0, 0.01))
        return Answer(intent=Intent.HELP, title=message.text)


def incoming(chat: str, n: int) -> Incoming:
    return Incoming(transport="test", sender=chat, chat=chat, text=f"{chat} {n}", message_key=f"{chat}|{n}")


async def delivered(transport: RecordingTransport, count: int, *, within: float) -> None:
    async with asyncio.timeout(within):
        # Work moves between the instances at their heartbeats, not at any one event: poll.
        while len(transport.delivered) < count:  # noqa: ASYNC110
            await asyncio.sleep(0.02)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    _, engine = await open_inbox(tmp_path)
    yield engine
    await engine.dispose()


def instance(
    engine: AsyncEngine, transport: RecordingTransport, assistant: Thinking, *, lease: float = 6.0, beat: float = 0.05
) -> Worker:
    inbox = Inbox(engine, Keyer(TEST_SECRET), lease_seconds=lease)
    return Worker(inbox, assistant, [transport], heartbeat_every=beat)


async def test_every_message_answered_once_in_order_by_two_instances(engine: AsyncEngine) -> None:
    transport = RecordingTransport()
    workers = [instance(engine, transport, Thinking(seed)) for seed in (1, 2)]
    for worker in workers:
        await worker.start()
    chats = [f"chat{c}" for c in range(6)]
    for n in range(10):
        for chat in chats:
            # Both receive every message; the order they store it in varies.
            await asyncio.gather(*(worker.accept(incoming(chat, n)) for worker in random.sample(workers, 2)))
    await delivered(transport, 60, within=20)
    await asyncio.sleep(0.2)
    for worker in workers:
        await worker.shutdown(2)
    assert len(transport.delivered) == 60
    for chat in chats:
        assert [title for to, title in transport.delivered if to == chat] == [f"{chat} {n}" for n in range(10)]
    assert sum(worker.outcomes["answered"] for worker in workers) == 60
    assert all(worker.outcomes["answered"] > 0 for worker in workers)  # the work really was shared


async def test_a_silent_instance_s_conversations_are_taken_over(engine: AsyncEngine) -> None:
    transport = RecordingTransport()
    frozen = Thinking(1)
    frozen.hang.clear()  # it stops working after its first heartbeat, as if frozen or cut off from the database
    stuck = instance(engine, transport, frozen, lease=0.5, beat=3600)
    survivor = instance(engine, transport, Thinking(2), lease=0.5)
    await stuck.start()
    await survivor.start()
    await stuck.accept(incoming("anna", 1))
    await survivor.accept(incoming("anna", 1))  # the copy: a duplicate
    await survivor.accept(incoming("anna", 2))  # stored by the survivor, but anna is the stuck one's
    await asyncio.sleep(0.2)
    assert transport.delivered == []  # anna's lease is the stuck instance's, until it runs out
    await delivered(transport, 2, within=5)
    assert transport.delivered == [("anna", "anna 1"), ("anna", "anna 2")]
    frozen.hang.set()  # it wakes up: the rows are gone or taken, nothing is sent twice
    await asyncio.sleep(0.2)
    await survivor.shutdown(2)
    await stuck.shutdown(2)
    assert transport.delivered == [("anna", "anna 1"), ("anna", "anna 2")]
