"""Group commit: many callers each wait for their own item, while one flusher writes all that queued up
meanwhile in a single transaction. Under load that turns one transaction per message into one per batch."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

MAX_BATCH = 200  # keeps one statement's bound parameters well inside SQLite's limit


class GroupCommit(Generic[Item, Result]):
    """`flush(items)` returns one result per item, in order; every caller of `submit` gets its own."""

    def __init__(self, lock: asyncio.Lock, flush: Callable[[list[Item]], Awaitable[Sequence[Result]]]) -> None:
        self._lock = lock
        self._flush = flush
        self._pending: list[tuple[Item, asyncio.Future[Result]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._pending.append((item, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run())
        # Shielded: a caller cancelled while its batch is being written must not cancel the write.
        return await asyncio.shield(future)

    async def _run(self) -> None:
        while self._pending:
            batch, self._pending = self._pending[:MAX_BATCH], self._pending[MAX_BATCH:]
            async with self._lock:
                try:
                    results = await self._flush([item for item, _ in batch])
                except Exception as error:
                    for _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)
