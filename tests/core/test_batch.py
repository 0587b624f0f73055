from __future__ import annotations

import asyncio

import pytest

from bot.core.batch import MAX_BATCH, GroupCommit


async def test_callers_queued_together_share_one_flush() -> None:
    flushes: list[list[int]] = []

    async def flush(items: list[int]) -> list[int]:
        flushes.append(items)
        await asyncio.sleep(0)
        return [item * 10 for item in items]

    batch: GroupCommit[int, int] = GroupCommit(asyncio.Lock(), flush)
    results = await asyncio.gather(*(batch.submit(n) for n in range(5)))
    assert results == [0, 10, 20, 30, 40]  # each caller gets its own result
    assert flushes == [[0, 1, 2, 3, 4]]  # one write for all five


async def test_items_arriving_during_a_flush_go_in_the_next_one() -> None:
    flushes: list[list[int]] = []
    release = asyncio.Event()

    async def flush(items: list[int]) -> list[None]:
        flushes.append(items)
        await release.wait()
        return [None] * len(items)

    batch: GroupCommit[int, None] = GroupCommit(asyncio.Lock(), flush)
    first = asyncio.create_task(batch.submit(0))
    await asyncio.sleep(0.01)  # the first flush is now waiting
    later = [asyncio.create_task(batch.submit(n)) for n in (1, 2, 3)]
    await asyncio.sleep(0.01)
    release.set()
    await asyncio.gather(first, *later)
    assert flushes == [[0], [1, 2, 3]]


async def test_a_failed_flush_fails_only_its_own_callers() -> None:
    async def flush(items: list[int]) -> list[None]:
        if 1 in items:
            raise OSError("disk full")
        return [None] * len(items)

    batch: GroupCommit[int, None] = GroupCommit(asyncio.Lock(), flush)
    with pytest.raises(OSError, match="disk full"):
        await batch.submit(1)
    await batch.submit(2)  # the batcher keeps working: no exception


async def test_batches_are_bounded() -> None:
    sizes: list[int] = []

    async def flush(items: list[int]) -> list[None]:
        sizes.append(len(items))
        return [None] * len(items)

    batch: GroupCommit[int, None] = GroupCommit(asyncio.Lock(), flush)
    await asyncio.gather(*(batch.submit(n) for n in range(MAX_BATCH * 2 + 5)))
    assert max(sizes) <= MAX_BATCH
    assert sum(sizes) == MAX_BATCH * 2 + 5
