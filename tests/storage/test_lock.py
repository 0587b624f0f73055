from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import create_engine
from bot.storage.lock import InstanceLock


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[tuple[AsyncEngine, str]]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'locked.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    engine = create_engine(url)
    yield engine, url
    await engine.dispose()


async def test_one_holder_at_a_time(database: tuple[AsyncEngine, str]) -> None:
    engine, url = database
    first, second = InstanceLock(engine, url), InstanceLock(engine, url)
    assert await first.acquire()
    assert not await second.acquire()
    await first.release()
    assert await second.acquire()
    await second.release()


async def test_wait_takes_over_when_the_holder_stops(database: tuple[AsyncEngine, str]) -> None:
    engine, url = database
    holder, successor = InstanceLock(engine, url), InstanceLock(engine, url)
    assert await holder.acquire()
    waited: list[bool] = []
    waiting = asyncio.create_task(successor.wait(every=0.01, on_wait=lambda: waited.append(True)))
    await asyncio.sleep(0.1)
    assert not waiting.done()  # still held
    await holder.release()
    await asyncio.wait_for(waiting, 2)
    assert waited == [True]  # said once, not on every retry
    await successor.release()


async def test_a_dead_holder_leaves_no_lock(tmp_path: Path) -> None:
    """The kernel drops an flock with its process: a crash never blocks the next start."""
    url = f"sqlite:///{tmp_path / 'crashed.db'}"
    lock_file = tmp_path / "crashed.db.lock"
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import fcntl, os, sys, time\n"
        f"fd = os.open({str(lock_file)!r}, os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(60)",
        stdout=asyncio.subprocess.PIPE,
    )
    assert holder.stdout is not None
    assert await asyncio.wait_for(holder.stdout.readline(), 10) == b"held\n"
    engine = create_engine(url)
    lock = InstanceLock(engine, url)
    assert not await lock.acquire()
    holder.kill()
    await holder.wait()
    assert await lock.acquire()
    await lock.release()
    await engine.dispose()
