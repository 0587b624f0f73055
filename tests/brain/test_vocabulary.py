"""The vocabulary's cached lists (bot/brain/vocabulary.py) are the lists read from the file, and a cache that does
not match the file or was damaged is never used."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.brain import vocabulary
from bot.shared import cachefile


@pytest.fixture
def source(tmp_path: Path) -> Iterator[Path]:
    load = vocabulary.load_vocabulary
    load.cache_clear()
    yield Path(shutil.copy(vocabulary.VOCABULARY_FILE, tmp_path / "vocabulary.yaml"))
    load.cache_clear()


def cached(source: Path) -> Path:
    return cachefile.path_for("vocabulary", source)


def test_the_cached_lists_are_the_lists_read_from_the_file(source: Path) -> None:
    read = vocabulary.load_vocabulary(source)  # reads the file and caches the lists
    assert cached(source).exists()
    vocabulary.load_vocabulary.cache_clear()
    assert vocabulary.load_vocabulary(source) == read
    assert read.greetings and all(isinstance(words, frozenset) for words in read.commands.values())


def test_an_edited_file_is_read_again(source: Path) -> None:
    vocabulary.load_vocabulary(source)
    vocabulary.load_vocabulary.cache_clear()
    source.write_text(source.read_text(encoding="utf-8").replace("greetings: [hi,", "greetings: [howdy, hi,"), "utf-8")
    assert "howdy" in vocabulary.load_vocabulary(source).greetings


@pytest.mark.parametrize(("damage", "sealed"), [(b"", False), (b"garbage", False), (b'{"greetings": 1}', True)])
def test_a_damaged_cache_is_not_used(source: Path, damage: bytes, sealed: bool) -> None:
    read = vocabulary.load_vocabulary(source)
    vocabulary.load_vocabulary.cache_clear()
    text = cached(source).read_bytes()
    key = text.split(b" ")[0].decode()
    # sealed: with the right key and digest, as if this code had written lists of another shape
    cached(source).write_bytes(cachefile._header(key, damage) + b"\n" + damage if sealed else damage)
    assert vocabulary.load_vocabulary(source) == read
    assert cached(source).read_bytes() == text  # written anew
