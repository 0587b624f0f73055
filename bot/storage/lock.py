"""Locks for what one process at a time may do.

* On SQLite, all of `confidant run` (`name` "inbox"): SQLite is one machine's file, and leases between
  instances are for PostgreSQL, so a second instance waits until the first has stopped.
* On PostgreSQL, receiving from a messenger that allows one receiver (`name` such as "receive-telegram"):
  instances share the inbox under leases, but only one polls.

The lock is one the operating system or PostgreSQL drops by itself when the holder dies (an flock on a file
beside the SQLite database; a session-level advisory lock on PostgreSQL), so a crash never leaves it behind,
and a waiting instance takes over as soon as the holder is gone.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import os
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.database import sqlite_path

# Any fixed 64-bit number: it names "the Confidant inbox" among PostgreSQL's advisory locks.
ADVISORY_KEY = 0x636F6E666964616E


def advisory_key(name: str) -> int:
    """A signed 64-bit advisory-lock key for a named job ("inbox" keeps its historic key)."""
    if name == "inbox":
        return ADVISORY_KEY
    return int.from_bytes(hashlib.sha256(f"confidant:{name}".encode()).digest()[:8], "big", signed=True)


class InstanceLock:
    """Call `acquire()` until it returns True (or use `wait()`), then `release()` when done."""

    def __init__(self, engine: AsyncEngine, url: str, name: str = "inbox") -> None:
        self._engine = engine
        self._key = advisory_key(name)
        self._suffix = ".lock" if name == "inbox" else f".{name}.lock"
        self._path = sqlite_path(url)
        self._fd: int | None = None
        self._connection: AsyncConnection | None = None

    async def acquire(self) -> bool:
        if self._path is not None:
            return self._acquire_file(self._path.with_name(self._path.name + self._suffix))
        if self._engine.dialect.name == "postgresql":
            return await self._acquire_advisory()
        return True  # an in-memory database belongs to this process anyway

    def _acquire_file(self, path: Path) -> bool:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._fd = fd
        return True

    async def _acquire_advisory(self) -> bool:
        connection = await self._engine.connect()
        taken = await connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": self._key})
        if taken:
            self._connection = connection  # the lock lives as long as this session
            return True
        await connection.close()
        return False

    async def wait(self, *, every: float = 1.0, on_wait: Callable[[], None] | None = None) -> None:
        """Acquire, waiting for another instance to stop; `on_wait` is called once if it has to wait."""
        told = False
        while not await self.acquire():
            if not told and on_wait is not None:
                on_wait()
                told = True
            await asyncio.sleep(every)

    async def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._connection is not None:
            with contextlib.suppress(Exception):
                await self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": self._key})
            await self._connection.close()
            self._connection = None
