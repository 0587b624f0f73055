from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.messengers import DeliveryError, Receiver, Sender
from bot.core.worker import APOLOGY, DEDUPE_WINDOW, Worker
from bot.logs import quiet_noisy_loggers
from bot.shared.answer import Answer, Intent
from bot.shared.incoming import Incoming
from bot.storage.models import ProcessedMessage
from bot.storage.stores import MessageInbox
from bot.transports.base import Transport
from tests.fakes.storage import open_inbox
from tests.fakes.transport import RecordingTransport


class EchoAssistant:
    """Answers with the message text as the title; optional per-text delays and failures."""

    def __init__(self) -> None:
        self.delays: dict[str, float] = {}
        self.started: list[str] = []
        self.finished: list[str] = []
        self.block = asyncio.Event()
        self.block.set()

    async def respond(self, message: Incoming) -> Answer | None:
        self.started.append(message.text)
        await self.block.wait()
        await asyncio.sleep(self.delays.get(message.text, 0))
        self.finished.append(message.text)
        if message.text == "boom":
            raise KeyError("boom, with the user's words in it")
        if message.text == "ignore me":
            return None
        return Answer(intent=Intent.HELP, title=message.text)


def incoming(text: str, chat: str = "anna", n: int | None = None) -> Incoming:
    return Incoming(
        transport="test",
        sender=chat,
        chat=chat,
        text=text,
        message_key=f"test|{chat}|{n if n is not None else text}",
    )


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[tuple[MessageInbox, AsyncEngine]]:
    inbox, engine = await open_inbox(tmp_path)
    yield inbox, engine
    await engine.dispose()


@pytest.fixture
def inbox(storage: tuple[MessageInbox, AsyncEngine]) -> MessageInbox:
    return storage[0]


def test_recording_transport_satisfies_the_protocols() -> None:
    transport = RecordingTransport()
    assert isinstance(transport, Transport)
    assert isinstance(transport.sender, Sender)
    assert isinstance(transport.receiver, Receiver)


async def test_one_conversation_in_order_and_others_concurrently(inbox: MessageInbox) -> None:
    transport = RecordingTransport()
    assistant = EchoAssistant()
    assistant.delays = {"a1": 0.2, "b1": 0.01}
    worker = Worker(inbox, assistant, [transport])
    for message in (incoming("a1", "a"), incoming("a2", "a"), incoming("b1", "b"), incoming("b2", "b")):
        assert await worker.accept(message)
    await worker.idle()
    a_titles = [title for chat, title in transport.delivered if chat == "a"]
    b_titles = [title for chat, title in transport.delivered if chat == "b"]
    assert a_titles == ["a1", "a2"]
    assert b_titles == ["b1", "b2"]
    # b finished both while a1 was still thinking: the conversations did not wait for each other
    assert transport.delivered.index(("b", "b2")) < transport.delivered.index(("a", "a1"))
    assert await inbox.backlog() == 0
    assert worker.outcomes["answered"] == 4


async def test_duplicates_are_answered_once(inbox: MessageInbox) -> None:
    transport = RecordingTransport()
    worker = Worker(inbox, EchoAssistant(), [transport])
    assert await worker.accept(incoming("hello", n=1))
    assert not await worker.accept(incoming("hello", n=1))
    await worker.idle()
    assert not await worker.accept(incoming("hello", n=1))
    await worker.idle()
    assert transport.delivered == [("anna", "hello")]


async def test_start_resumes_rows_left_by_a_previous_run(inbox: MessageInbox) -> None:
    await inbox.add(incoming("left over 1", n=1))
    await inbox.add(incoming("left over 2", n=2))
    transport = RecordingTransport()
    worker = Worker(inbox, EchoAssistant(), [transport], sole=True)  # a restart on SQLite
    assert await worker.start() == 2
    await worker.idle()
    assert transport.delivered == [("anna", "left over 1"), ("anna", "left over 2")]


async def test_row_interrupted_while_sending_is_never_sent_again(
    inbox: MessageInbox, storage: tuple[MessageInbox, AsyncEngine]
) -> None:
    item = await inbox.add(incoming("maybe sent", n=1))
    assert item is not None
    await inbox.mark_sending([item.id])
    transport = RecordingTransport()
    assistant = EchoAssistant()
    worker = Worker(inbox, assistant, [transport], sole=True)
    await worker.start()
    await worker.idle()
    assert transport.delivered == []
    assert assistant.started == []
    assert worker.outcomes == {"delivery-unknown": 1}
    assert await inbox.backlog() == 0
    async with storage[1].connect() as connection:
        outcomes = (await connection.execute(select(ProcessedMessage.outcome))).scalars().all()
    assert outcomes == ["delivery-unknown"]


@pytest.mark.parametrize("outcome", ["failed", "delivery-unknown"])
async def test_delivery_errors_are_recorded_not_retried(inbox: MessageInbox, outcome: str) -> None:
    transport = RecordingTransport()
    transport.failures.append(DeliveryError(outcome, "rate limited"))  # type: ignore[arg-type]
    worker = Worker(inbox, EchoAssistant(), [transport])
    await worker.accept(incoming("x", n=1))
    await worker.accept(incoming("y", n=2))
    await worker.idle()
    assert transport.delivered == [("anna", "y")]
    assert worker.outcomes == {outcome: 1, "answered": 1}
    assert worker.last_failure == "rate limited"
    assert await inbox.backlog() == 0


async def test_unexpected_delivery_crash_counts_as_unknown(inbox: MessageInbox) -> None:
    transport = RecordingTransport()
    transport.failures.append(RuntimeError("socket in a bad state"))
    worker = Worker(inbox, EchoAssistant(), [transport])
    await worker.accept(incoming("x", n=1))
    await worker.idle()
    assert worker.outcomes == {"delivery-unknown": 1}


async def test_assistant_failure_sends_an_apology_and_logs_no_text(
    inbox: MessageInbox, caplog: pytest.LogCaptureFixture
) -> None:
    transport = RecordingTransport()
    worker = Worker(inbox, EchoAssistant(), [transport])
    quiet_noisy_loggers()  # aiosqlite logs SQL parameters (the message) at DEBUG
    with caplog.at_level("DEBUG"):
        await worker.accept(incoming("boom", n=1))
        await worker.idle()
    assert transport.delivered == [("anna", APOLOGY.title)]
    assert "KeyError" in caplog.text
    assert "user's words" not in caplog.text
    assert "anna" not in caplog.text


async def test_no_answer_means_nothing_is_sent(inbox: MessageInbox) -> None:
    transport = RecordingTransport()
    worker = Worker(inbox, EchoAssistant(), [transport])
    await worker.accept(incoming("ignore me", n=1))
    await worker.idle()
    assert transport.delivered == []
    assert worker.outcomes == {"dropped": 1}
    assert transport.typing == [("start", "anna"), ("stop", "anna")]


async def test_waits_for_the_transport_before_recording_a_send(inbox: MessageInbox) -> None:
    transport = RecordingTransport()
    transport.send_gate.clear()
    worker = Worker(inbox, EchoAssistant(), [transport])
    await worker.accept(incoming("x", n=1))
    await asyncio.sleep(0.05)
    [item] = await inbox.pending("test")
    assert item.state == "pending"  # a shutdown now would leave it to be answered later
    transport.send_gate.set()
    await worker.idle()
    assert transport.delivered == [("anna", "x")]


async def test_shutdown_finishes_in_flight_within_the_deadline(inbox: MessageInbox) -> None:
    transport = RecordingTransport()
    assistant = EchoAssistant()
    assistant.delays = {"quick": 0.02}
    worker = Worker(inbox, assistant, [transport])
    await worker.accept(incoming("quick", "a", n=1))
    await worker.accept(incoming("queued behind", "a", n=2))
    await asyncio.sleep(0)
    assert await worker.shutdown(deadline=2)
    assert transport.delivered == [("a", "quick")]
    # accepted during shutdown: kept for the next start, not processed now
    assert await worker.accept(incoming("late", "b", n=3))
    assert [i.message.text for i in await inbox.pending("test")] == ["queued behind", "late"]


async def test_shutdown_deadline_cancels_and_the_next_start_answers(inbox: MessageInbox) -> None:
    transport = RecordingTransport()
    assistant = EchoAssistant()
    assistant.block.clear()
    worker = Worker(inbox, assistant, [transport])
    await worker.accept(incoming("slow", n=1))
    await asyncio.sleep(0.01)
    assert not await worker.shutdown(deadline=0.05)
    assert transport.delivered == []
    fresh = Worker(inbox, EchoAssistant(), [transport], sole=True)
    assert await fresh.start() == 1
    await fresh.idle()
    assert transport.delivered == [("anna", "slow")]


async def test_purge_forgets_old_dedupe_keys(inbox: MessageInbox) -> None:
    transport = RecordingTransport()
    worker = Worker(inbox, EchoAssistant(), [transport])
    await worker.accept(incoming("x", n=1))
    await worker.idle()
    assert await worker.purge(now=datetime.now(UTC) + timedelta(days=1)) == 0
    assert await worker.purge(now=datetime.now(UTC) + DEDUPE_WINDOW + timedelta(minutes=1)) == 1


async def test_many_conversations_are_bounded(inbox: MessageInbox) -> None:
    transport = RecordingTransport()
    assistant = EchoAssistant()
    worker = Worker(inbox, assistant, [transport], max_conversations=3)
    assistant.block.clear()
    for i in range(10):
        await worker.accept(incoming(f"m{i}", f"chat{i}", n=i))
    await asyncio.sleep(0.05)
    assert len(assistant.started) == 3
    assistant.block.set()
    await worker.idle()
    assert len(transport.delivered) == 10


async def test_storage_failure_leaves_the_row_for_the_next_start(inbox: MessageInbox) -> None:
    class FlakyInbox:
        def __init__(self, real: MessageInbox) -> None:
            self.real = real
            self.fail = True

        def __getattr__(self, name: str) -> object:
            return getattr(self.real, name)

        async def mark_sending(self, ids: list[int]) -> set[int]:
            if self.fail:
                self.fail = False
                raise OSError("disk full")
            return await self.real.mark_sending(ids)

    transport = RecordingTransport()
    flaky = FlakyInbox(inbox)
    worker = Worker(flaky, EchoAssistant(), [transport])  # type: ignore[arg-type]
    await worker.accept(incoming("first", n=1))
    await worker.accept(incoming("second", n=2))
    await worker.idle()
    assert transport.delivered == [("anna", "second")]
    assert worker.outcomes == {"deferred": 1, "answered": 1}
    fresh = Worker(inbox, EchoAssistant(), [transport], sole=True)
    assert await fresh.start() == 1
    await fresh.idle()
    assert transport.delivered == [("anna", "second"), ("anna", "first")]
