from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.brain.brain import Brain
from bot.kb.loader import KnowledgeBase, bundled_knowledge_dir, load_knowledge
from tests.fakes import databases

DATA = Path(__file__).parent / "data"
Result = TypeVar("Result")


def _run(work: Coroutine[Any, Any, Result]) -> Result:
    """Run database set-up in a thread of its own: a session fixture may first be asked for from inside an
    async fixture, where this thread's event loop is already running."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, work).result()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """An empty PostgreSQL database of this run's own, for tests that build and drop schemas themselves."""
    server = databases.POSTGRES_SERVER
    if not server:
        pytest.skip("CONFIDANT_TEST_POSTGRES_URL is not set")
    url = _run(databases.create_database(server, "scratch"))
    yield url
    _run(databases.drop_database(server, url))


@pytest.fixture(scope="session")
def suite_database() -> Iterator[str | None]:
    """With CONFIDANT_TEST_DATABASE=postgresql: a migrated database that every test's app uses, emptied
    before each test. Otherwise None: tests use SQLite files in their own folders."""
    if not databases.ON_POSTGRES:
        yield None
        return
    server = databases.POSTGRES_SERVER
    if not server:
        raise pytest.UsageError("CONFIDANT_TEST_DATABASE=postgresql needs CONFIDANT_TEST_POSTGRES_URL")
    url = _run(databases.create_database(server, "suite"))

    async def migrate() -> None:
        from bot.storage.database import create_engine
        from bot.storage.migrate import upgrade

        engine = create_engine(url)
        await upgrade(engine)
        await engine.dispose()

    _run(migrate())
    yield url
    _run(databases.drop_database(server, url))


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return load_knowledge(bundled_knowledge_dir())


@pytest.fixture
def brain(knowledge: KnowledgeBase) -> Brain:
    return Brain(knowledge)


@pytest.fixture(autouse=True)
def _isolated_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, suite_database: str | None
) -> Iterator[None]:
    """No test reads the developer's configuration or writes to their data folder. On PostgreSQL, every test
    (and every `confidant` it starts) uses the run's database, emptied first."""
    for name in list(os.environ):
        if name.startswith("CONFIDANT_") and not name.startswith("CONFIDANT_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CONFIDANT_DATA_DIR", str(tmp_path / "data"))
    # The knowledge-base snapshot (bot/kb/snapshot.py) goes to the user's cache folder: a test's own here.
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    # The default time zone is the machine's: fixed here so that tests read times alike on every machine.
    monkeypatch.setenv("TZ", "UTC")
    if suite_database is not None:
        _run(databases.clear(suite_database))
        monkeypatch.setenv(databases.SUITE_DATABASE, suite_database)
        monkeypatch.setenv("CONFIDANT_DATABASE_URL", suite_database)
        monkeypatch.setenv("CONFIDANT_SECRET_KEY", databases.SUITE_SECRET_KEY)
    monkeypatch.chdir(tmp_path)
    yield
