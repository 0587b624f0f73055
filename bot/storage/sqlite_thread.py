"""One connection to the SQLite file, on a thread of its own, that commits every write queued meanwhile together.

Why not the async engine: on SQLite every message is written three times (stored, marked `sending`, finished),
and through SQLAlchemy's async bridge and aiosqlite each statement costs tens of round trips between the event
loop and aiosqlite's thread, plus SQL compilation (bench/signal_throughput.py: about two thirds of the bot's CPU
per reply). Here the statements are plain SQL on the standard library's driver, run on one thread, and the event
loop hears back once per batch.

How a batch runs: the thread takes every job queued, runs the writes in one `BEGIN IMMEDIATE … COMMIT`, each
inside a savepoint so that a write that fails is undone alone and fails only its caller, and resolves every
caller only after the commit that holds its write. Jobs that must run outside a transaction (a WAL checkpoint)
run between transactions, in queue order. So the guarantees of a transaction per write hold: a caller's write
is durable (WAL, `synchronous=NORMAL`: a killed process loses nothing committed) before its `write` returns,
and writes see each other's effects in queue order.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import queue
import sqlite3
import threading
import traceback
import weakref
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from bot.storage.database import sqlite_pragmas

logger = logging.getLogger(__name__)

Result = TypeVar("Result")
Work = Callable[[sqlite3.Connection], Any]


@dataclass(slots=True)
class _Job:
    work: Work
    alone: bool  # outside any transaction
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[Any]


class SqliteThread:
    """Call `close()` when done; a thread whose owner was dropped without it finishes its queue and closes too."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.counts = Counts()

    async def write(self, work: Callable[[sqlite3.Connection], Result]) -> Result:
        """Run `work` inside a transaction; returns once that transaction is committed. `work` must not return
        a cursor (or anything holding one) with rows left to read: an unfinished statement keeps the next
        transaction's savepoints from opening."""
        result: Result = await self._submit(work, alone=False)
        return result

    async def alone(self, work: Callable[[sqlite3.Connection], Result]) -> Result:
        """Run `work` outside any transaction, while no write runs (a checkpoint)."""
        result: Result = await self._submit(work, alone=True)
        return result

    async def _submit(self, work: Work, *, alone: bool) -> Any:
        if self._closed:
            raise RuntimeError("the database is closed")
        self._start()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        self._jobs.put(_Job(work, alone, loop, future))
        # A caller cancelled meanwhile cancels only its wait: the write is queued and runs (as with a transaction
        # that was already sent), and its result is dropped.
        return await future

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                # The thread holds the queue, not this object, so that dropping the owner ends it (finalize).
                self._thread = threading.Thread(
                    target=_serve, args=(self._path, self._jobs, self.counts), name="confidant-sqlite", daemon=True
                )
                self._thread.start()
                weakref.finalize(self, self._jobs.put, None)

    async def close(self) -> None:
        """Finish what is queued, then close the connection."""
        self._closed = True
        thread = self._thread
        if thread is None:
            return
        self._jobs.put(None)
        await asyncio.to_thread(thread.join)


@dataclass(slots=True)
class Counts:
    transactions: int = 0
    writes: int = 0


# -- on the thread --


def _serve(path: Path, jobs: queue.SimpleQueue[_Job | None], counts: Counts) -> None:
    try:
        connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        sqlite_pragmas(connection)
    except sqlite3.Error as error:
        # No connection: every write fails with the reason, rather than waiting for ever.
        logger.error("cannot open the SQLite database: %s", type(error).__name__)
        for batch in _batches(jobs):
            _answer([(job, False, error) for job in batch])
        return
    try:
        for batch in _batches(jobs):
            try:
                _run(connection, batch, counts)
            except Exception as error:  # a defect here must not leave callers waiting for ever
                logger.error("the SQLite thread failed a batch: %s", type(error).__name__)
                _answer([(job, False, error) for job in batch])
    finally:
        connection.close()


def _batches(jobs: queue.SimpleQueue[_Job | None]) -> Iterator[list[_Job]]:
    """Everything queued at once, as one batch, until `None` (close) has been read."""
    stopping = False
    while not stopping:
        batch: list[_Job] = []
        job: _Job | None = jobs.get()
        while job is not None:
            batch.append(job)
            try:
                job = jobs.get_nowait()
            except queue.Empty:
                break
        stopping = job is None
        yield batch


def _run(connection: sqlite3.Connection, batch: list[_Job], counts: Counts) -> None:
    outcomes: list[tuple[_Job, bool, Any]] = []
    start = 0
    while start < len(batch):
        if batch[start].alone:
            outcomes.append(_alone(connection, batch[start]))
            start += 1
            continue
        end = start
        while end < len(batch) and not batch[end].alone:
            end += 1
        outcomes.extend(_transaction(connection, batch[start:end], counts))
        start = end
    _answer(outcomes)


def _answer(outcomes: list[tuple[_Job, bool, Any]]) -> None:
    """Hand each caller its result on its own event loop: one call per loop for the whole batch."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, bool, Any]]] = {}
    for outcome in outcomes:
        by_loop.setdefault(outcome[0].loop, []).append(outcome)
    for loop, settled in by_loop.items():
        # RuntimeError: that event loop has closed, so nobody waits for these any more.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_settle, settled)


def _failed(error: Exception) -> Exception:
    """The error without the local variables of its frames: a cursor left there, half read, would keep the
    statement open (and the next savepoint from opening). File names and lines stay, for the log."""
    traceback.clear_frames(error.__traceback__)
    return error


def _alone(connection: sqlite3.Connection, job: _Job) -> tuple[_Job, bool, Any]:
    try:
        return job, True, job.work(connection)
    except Exception as error:
        return job, False, _failed(error)


def _transaction(connection: sqlite3.Connection, jobs: list[_Job], counts: Counts) -> list[tuple[_Job, bool, Any]]:
    counts.transactions += 1
    counts.writes += len(jobs)
    results: list[tuple[_Job, bool, Any]] = []
    try:
        connection.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as error:
        return [(job, False, error) for job in jobs]
    try:
        for job in jobs:
            connection.execute("SAVEPOINT job")
            try:
                value = job.work(connection)
            except Exception as error:
                results.append((job, False, _failed(error)))
                connection.execute("ROLLBACK TO job")
            else:
                results.append((job, True, value))
            connection.execute("RELEASE job")
        connection.execute("COMMIT")
    except sqlite3.Error as error:
        # The commit (or a savepoint statement) failed: nothing of this transaction is kept.
        logger.error("a SQLite transaction failed: %s", type(error).__name__)
        if connection.in_transaction:
            connection.execute("ROLLBACK")
        return [(job, False, error) for job in jobs]
    return results


def _settle(settled: list[tuple[_Job, bool, Any]]) -> None:
    for job, ok, value in settled:
        if job.future.done():
            continue
        if ok:
            job.future.set_result(value)
        else:
            job.future.set_exception(value)
