"""An in-memory transport for worker tests: records what it was asked to do, fails on request."""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator, Mapping

from bot.core.messengers import Accept, DeliveryError
from bot.shared.answer import Answer
from bot.shared.incoming import Incoming


class RecordingTransport:
    def __init__(self, name: str = "test") -> None:
        self.name = name
        self.delivered: list[tuple[str, str]] = []  # (chat, answer title)
        self.failures: deque[DeliveryError | Exception] = deque()
        self.typing: list[tuple[str, str]] = []
        self.send_gate = asyncio.Event()
        self.send_gate.set()
        self.deliver_delay = 0.0
        self.blocked_chats: set[str] = set()

    async def start(self) -> None:
        return None

    @property
    def receiver(self) -> RecordingTransport:
        return self

    @property
    def sender(self) -> RecordingTransport:
        return self

    one_receiver = False

    async def receive(self, accept: Accept) -> None:
        return None

    async def stop_receiving(self) -> None:
        return None

    async def ready(self) -> None:
        await self.send_gate.wait()

    def blocked(self, message: Incoming) -> bool:
        return message.chat in self.blocked_chats

    @contextlib.asynccontextmanager
    async def working(self, message: Incoming) -> AsyncIterator[None]:
        self.typing.append(("start", message.chat))
        try:
            yield
        finally:
            self.typing.append(("stop", message.chat))

    async def deliver(self, message: Incoming, answer: Answer) -> None:
        if self.deliver_delay:
            await asyncio.sleep(self.deliver_delay)
        if self.failures:
            raise self.failures.popleft()
        self.delivered.append((message.chat, answer.title))

    def health(self) -> Mapping[str, object]:
        return {"delivered": len(self.delivered)}

    async def close(self) -> None:
        return None
