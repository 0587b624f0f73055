"""One writer per database: on SQLite, every write queued while a transaction runs is committed together in
the next one, and each caller resumes only after the commit that holds its write.

SQLite allows one writer at a time; writes from several connections at once would sleep in its busy handler,
and a transaction per write costs a pool checkout, BEGIN and COMMIT each. So the inbox (adds, `sending`
marks, completions, leases) and the conversation store hand their writes to the engine's `Writer`, which runs
them one after another on one connection, in the order they were queued, inside one transaction. If that
transaction fails, each write of it is run again in a transaction of its own, so one bad write fails only its
own caller. On PostgreSQL (several instances, row locks between them) each write keeps its own transaction,
as before.

Batching changes no guarantee: a caller's write is committed before its `write` returns, exactly as with a
transaction of its own; writes queued together see each other's effects in queue order.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

Result = TypeVar("Result")
Work = Callable[[AsyncConnection], Awaitable[Any]]

_writers: weakref.WeakKeyDictionary[AsyncEngine, Writer] = weakref.WeakKeyDictionary()


def writer_for(engine: AsyncEngine) -> Writer:
    """The engine's one writer (shared by every store on it)."""
    writer = _writers.get(engine)
    if writer is None:
        writer = _writers[engine] = Writer(engine)
    return writer


class Writer:
    def __init__(self, engine: AsyncEngine, *, batch: bool | None = None) -> None:
        self._engine = engine
        self._batch = engine.dialect.name == "sqlite" if batch is None else batch
        self.batches = self._batch
        # (work, outside a transaction?, future)
        self._queue: list[tuple[Work, bool, asyncio.Future[Any]]] = []
        self._runner: asyncio.Task[None] | None = None
        self.transactions = 0
        self.writes = 0

    async def write(self, work: Callable[[AsyncConnection], Awaitable[Result]]) -> Result:
        """Run `work` inside a transaction; returns once that transaction is committed."""
        if not self._batch:
            async with self._engine.begin() as connection:
                return await work(connection)
        result: Result = await self._submit(work, alone=False)
        return result

    async def alone(self, work: Callable[[AsyncConnection], Awaitable[Result]]) -> Result:
        """Run `work` outside any transaction, while no other write runs (an SQLite checkpoint)."""
        if not self._batch:
            async with self._engine.connect() as connection:
                return await work(connection)
        result: Result = await self._submit(work, alone=True)
        return result

    async def _submit(self, work: Work, *, alone: bool) -> Any:
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append((work, alone, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run())
        # Shielded: a caller cancelled while its write is being committed must not cancel the others'.
        return await asyncio.shield(future)

    async def _run(self) -> None:
        while self._queue:
            if self._queue[0][1]:
                work, _, future = self._queue.pop(0)
                await self._settle([(work, future)], alone=True)
                continue
            end = next((i for i, (_, alone, _) in enumerate(self._queue) if alone), len(self._queue))
            batch = [(work, future) for work, _, future in self._queue[:end]]
            del self._queue[:end]
            await self._settle(batch, alone=False)

    async def _settle(self, batch: list[tuple[Work, asyncio.Future[Any]]], *, alone: bool) -> None:
        try:
            results = await self._transaction([work for work, _ in batch], alone=alone)
        except Exception as error:
            if len(batch) == 1:
                if not batch[0][1].done():
                    batch[0][1].set_exception(error)
                return
            # One write failed the transaction (all of it was rolled back): each again on its own.
            for work, future in batch:
                await self._settle([(work, future)], alone=alone)
            return
        for (_, future), result in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(result)

    async def _transaction(self, works: list[Work], *, alone: bool) -> list[Any]:
        self.transactions += 1
        self.writes += len(works)
        if alone:
            async with self._engine.connect() as connection:
                return [await work(connection) for work in works]
        async with self._engine.begin() as connection:
            return [await work(connection) for work in works]
