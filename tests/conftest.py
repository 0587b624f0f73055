from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.brain.brain import Brain
from bot.kb.loader import KnowledgeBase, bundled_knowledge_dir, load_knowledge

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    return load_knowledge(bundled_knowledge_dir())


@pytest.fixture
def brain(knowledge: KnowledgeBase) -> Brain:
    return Brain(knowledge)


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's configuration or writes to their data folder."""
    import os

    for name in list(os.environ):
        if name.startswith("CONFIDANT_") and not name.startswith("CONFIDANT_TEST_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("CONFIDANT_DATA_DIR", str(tmp_path / "data"))
    # The default time zone is the machine's: fixed here so that tests read times alike on every machine.
    monkeypatch.setenv("TZ", "UTC")
    monkeypatch.chdir(tmp_path)
    yield
