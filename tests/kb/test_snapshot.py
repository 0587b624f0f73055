"""The knowledge-base snapshot: it yields what the validating loader yields, and is never used once anything it
was made from has changed or once it has been damaged."""

from __future__ import annotations

import dataclasses
import json
import shutil
from datetime import date, timedelta
from enum import Enum
from pathlib import Path

import pytest

from bot.kb import snapshot
from bot.kb.knowledge import KnowledgeBase, KnowledgeError, bundled_knowledge_dir
from bot.kb.loader import load_knowledge
from bot.kb.rules import Validated
from bot.shared import cachefile

TODAY = date(2026, 12, 6)


def assert_same(found: object, expected: object, where: str) -> None:
    """Equal field by field and of the same type all the way down (a str is not enough where a Verdict was)."""
    assert type(found) is type(expected), f"{where}: {type(found).__name__} for {type(expected).__name__}"
    if isinstance(expected, Validated):
        for field in dataclasses.fields(expected):  # type: ignore[arg-type]
            assert_same(getattr(found, field.name), getattr(expected, field.name), f"{where}.{field.name}")
    elif isinstance(expected, tuple):
        assert isinstance(found, tuple) and len(found) == len(expected), where
        for index, (item, wanted) in enumerate(zip(found, expected, strict=True)):
            assert_same(item, wanted, f"{where}[{index}]")
    else:
        assert found == expected, where
        if isinstance(expected, Enum):
            assert found is expected, where


@pytest.fixture
def kb(tmp_path: Path) -> Path:
    """A copy of the bundled knowledge base, free to edit."""
    return Path(shutil.copytree(bundled_knowledge_dir(), tmp_path / "knowledge"))


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    return tmp_path / "cache"


def snapshot_file(cache: Path) -> Path:
    (path,) = cache.glob("knowledge-*.json")
    return path


def test_the_snapshot_yields_what_the_validating_loader_yields(kb: Path, cache: Path) -> None:
    validated = load_knowledge(kb, today=TODAY)
    snapshot.load(kb, today=TODAY, cache=cache)  # validates, then writes the snapshot
    found = snapshot.read(snapshot_file(cache), snapshot.sources(kb).key)
    assert found is not None
    restored = snapshot.load(kb, today=TODAY, cache=cache)
    assert list(restored.platforms) == list(validated.platforms)
    assert list(restored.topics) == list(validated.topics)
    for entry_id, entry in [*validated.platforms.items(), *validated.topics.items()]:
        assert_same(restored.platforms.get(entry_id) or restored.topics[entry_id], entry, entry_id)
    assert restored.warnings == validated.warnings
    assert restored == validated


def test_a_second_load_uses_the_snapshot_and_not_the_validating_loader(
    kb: Path, cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot.load(kb, today=TODAY, cache=cache)

    def refuse(*args: object, **kwargs: object) -> KnowledgeBase:
        raise AssertionError("validated again")

    monkeypatch.setattr("bot.kb.loader.load_knowledge", refuse)
    assert "whatsapp" in snapshot.load(kb, today=TODAY, cache=cache).platforms


def test_every_entry_file_is_part_of_the_key(kb: Path) -> None:
    key = snapshot.sources(kb).key
    files = sorted((kb / "platforms").glob("*.yaml")) + sorted((kb / "topics").glob("*.yaml"))
    assert len(files) > 50
    for path in files:
        original = path.read_bytes()
        path.write_bytes(original + b"\n")  # even a change that leaves every value as it was
        assert snapshot.sources(kb).key != key, path.name
        path.write_bytes(original)
    assert snapshot.sources(kb).key == key


def test_added_removed_and_renamed_files_change_the_key(kb: Path) -> None:
    key = snapshot.sources(kb).key
    extra = kb / "topics" / "extra.yaml"
    shutil.copy(kb / "topics" / sorted(path.name for path in (kb / "topics").glob("*.yaml"))[0], extra)
    assert snapshot.sources(kb).key != key
    extra.unlink()
    assert snapshot.sources(kb).key == key
    zoom = kb / "platforms" / "zoom.yaml"
    zoom.rename(zoom.with_suffix(".yml"))
    assert snapshot.sources(kb).key != key
    zoom.with_suffix(".yml").rename(zoom)
    zoom.unlink()
    assert snapshot.sources(kb).key != key


def test_a_change_to_the_validating_code_changes_the_key(
    kb: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = snapshot.sources(kb).key
    package = Path(shutil.copytree(snapshot.PACKAGE, tmp_path / "bot", ignore=shutil.ignore_patterns("__pycache__")))
    monkeypatch.setattr(snapshot, "PACKAGE", package)
    assert snapshot.sources(kb).key == key
    for name in snapshot.CODE:
        path = package / name
        original = path.read_bytes()
        path.write_bytes(original + b"# changed\n")
        assert snapshot.sources(kb).key != key, name
        path.write_bytes(original)


def test_an_edited_entry_is_validated_and_loaded_anew(kb: Path, cache: Path) -> None:
    snapshot.load(kb, today=TODAY, cache=cache)
    path = kb / "platforms" / "zoom.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nname: Zoom\n", "\nname: Zoom Workplace\n"), "utf-8")
    assert snapshot.load(kb, today=TODAY, cache=cache).platforms["zoom"].name == "Zoom Workplace"
    assert snapshot.read(snapshot_file(cache), snapshot.sources(kb).key) is not None  # written anew


def test_an_edit_that_breaks_an_entry_is_reported_as_the_loader_reports_it(kb: Path, cache: Path) -> None:
    snapshot.load(kb, today=TODAY, cache=cache)
    path = kb / "platforms" / "zoom.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nverdict: ", "\nverdict: great\nx: "), "utf-8")
    with pytest.raises(KnowledgeError) as expected:
        load_knowledge(kb, today=TODAY)
    with pytest.raises(KnowledgeError) as found:
        snapshot.load(kb, today=TODAY, cache=cache)
    assert found.value.problems == expected.value.problems
    assert any(line.startswith("knowledge/platforms/zoom.yaml: verdict: ") for line in found.value.problems)


def test_reviews_that_run_out_after_the_snapshot_was_written_are_reported(kb: Path, cache: Path) -> None:
    snapshot.load(kb, today=TODAY, cache=cache)
    later = TODAY + timedelta(days=400)
    with pytest.raises(KnowledgeError) as expected:
        load_knowledge(kb, today=later)
    with pytest.raises(KnowledgeError) as found:
        snapshot.load(kb, today=later, cache=cache)
    assert found.value.problems == expected.value.problems
    soon = TODAY + timedelta(days=60)
    assert snapshot.load(kb, today=soon, cache=cache).warnings == load_knowledge(kb, today=soon).warnings


def damaged(text: bytes) -> list[bytes]:
    header, _, payload = text.partition(b"\n")
    key = header.split(b" ")[0].decode()
    data = json.loads(payload)
    data["platforms"][0][1]["verdict"] = "wonderful"  # not a Verdict
    wrong_enum = json.dumps(data).encode()
    data = json.loads(payload)
    data["platforms"][0][1]["aliases"] = "a string"  # not a list
    wrong_type = json.dumps(data).encode()
    data = json.loads(payload)
    data["topics"][0][1]["extra"] = "x"  # a field the schema does not have
    extra_field = json.dumps(data).encode()
    data = json.loads(payload)
    data["platforms"][0][1]["verdict"] = "recommended"  # breaks a rule across fields
    data["platforms"][0][1]["recommended_for"] = []
    broken_rule = json.dumps(data).encode()

    def resealed(new: bytes) -> bytes:
        return cachefile._header(key, new) + b"\n" + new

    return [
        b"",
        b"not a snapshot",
        text[: len(text) // 2],  # cut short
        text.replace(b'"Zoom"', b'"Zoon"', 1),  # edited without a new digest
        resealed(b"[1, 2, 3]"),
        resealed(b"{not json"),
        resealed(wrong_enum),
        resealed(wrong_type),
        resealed(extra_field),
        resealed(broken_rule),
    ]


@pytest.mark.parametrize("case", range(10))
def test_a_damaged_snapshot_is_not_used(kb: Path, cache: Path, case: int) -> None:
    validated = load_knowledge(kb, today=TODAY)
    snapshot.load(kb, today=TODAY, cache=cache)
    path = snapshot_file(cache)
    bad = damaged(path.read_bytes())[case]
    path.write_bytes(bad)
    assert snapshot.read(path, snapshot.sources(kb).key) is None
    assert snapshot.load(kb, today=TODAY, cache=cache) == validated
    assert path.read_bytes() != bad  # and it is replaced by a good one
    assert snapshot.read(path, snapshot.sources(kb).key) is not None


def test_a_snapshot_of_another_folder_is_not_used(kb: Path, cache: Path, tmp_path: Path) -> None:
    snapshot.load(kb, today=TODAY, cache=cache)
    other = Path(shutil.copytree(kb, tmp_path / "other" / "knowledge"))
    path = other / "platforms" / "zoom.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("\nname: Zoom\n", "\nname: Zoom Two\n"), "utf-8")
    assert snapshot.load(other, today=TODAY, cache=cache).platforms["zoom"].name == "Zoom Two"
    assert snapshot.load(kb, today=TODAY, cache=cache).platforms["zoom"].name == "Zoom"
    assert len(list(cache.glob("knowledge-*.json"))) == 2


def test_a_cache_that_cannot_be_written_costs_only_time(kb: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("a file where the cache folder would be", encoding="utf-8")
    assert snapshot.load(kb, today=TODAY, cache=blocked / "cache") == load_knowledge(kb, today=TODAY)


def test_a_missing_folder_is_reported_as_the_loader_reports_it(tmp_path: Path, cache: Path) -> None:
    with pytest.raises(KnowledgeError) as found:
        snapshot.load(tmp_path / "nowhere", today=TODAY, cache=cache)
    assert found.value.problems == [f"{tmp_path / 'nowhere'}: (folder): no knowledge base here"]
