"""Reads the knowledge-base folder into validated entries, or explains every problem as `file: field: problem`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.kb.knowledge import (
    FAIL_AFTER_DAYS,
    KINDS,
    READER_NOTICE_DAYS,
    REVIEW_DUE_DAYS,
    KnowledgeBase,
    KnowledgeError,
    bundled_knowledge_dir,
    entry_files,
    freshness,
    label_of,
)
from bot.kb.schema import Platform, Topic
from bot.kb.sources import source_problems
from bot.kb.validation import validate
from bot.yamlfile import load_yaml

# Where they lived before bot.kb.knowledge: the curator's tools and the tests import them from here.
__all__ = [
    "FAIL_AFTER_DAYS",
    "READER_NOTICE_DAYS",
    "REVIEW_DUE_DAYS",
    "KnowledgeBase",
    "KnowledgeError",
    "bundled_knowledge_dir",
    "load_knowledge",
]


def _field_path(location: Iterable[int | str]) -> str:
    parts: list[str] = []
    for part in location:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        else:
            parts.append(("." if parts else "") + part)
    return "".join(parts) or "(entry)"


def _read_yaml(path: Path, label: str) -> tuple[Any, list[str]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [f"{label}: (file): cannot read: {error}"]
    try:
        return load_yaml(text), []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        problem = getattr(error, "problem", None) or str(error)
        return None, [f"{label}: {where}: YAML syntax: {problem}"]


def _validate(
    kind: type[Platform] | type[Topic], data: Any, label: str
) -> tuple[Platform | Topic | None, list[str]]:
    if not isinstance(data, dict):
        return None, [f"{label}: (entry): expected a mapping of fields, found {type(data).__name__}"]
    try:
        return validate(kind, data), []
    except ValidationError as error:
        problems = []
        for detail in error.errors():
            message = detail["msg"].removeprefix("Value error, ")
            where = _field_path(detail["loc"])
            # Model-level rules name their field in the message ("verdict: ..."); put it where it belongs.
            if where == "(entry)" and re.match(r"^[a-z_.]+: ", message):
                where, message = message.split(": ", 1)
            problems.append(f"{label}: {where}: {message}")
        return None, problems


def _cited(entry: Platform | Topic) -> list[tuple[str, str]]:
    """(field, address) for every source the entry cites: `sources[N]` and `incidents[N].source`."""
    cited = [(f"sources[{index}]", url) for index, url in enumerate(entry.sources)]
    if isinstance(entry, Platform):
        cited += [(f"incidents[{index}].source", incident.source) for index, incident in enumerate(entry.incidents)]
    return cited


def _check_sources(entry: Platform | Topic, label: str) -> list[str]:
    """Problems from the source rules (`bot.kb.sources`), one per refused address."""
    return [f"{label}: {where}: {problem}" for where, url in _cited(entry) for problem in source_problems(url)]


def load_knowledge(root: Path, *, today: date | None = None) -> KnowledgeBase:
    """Load and cross-check every entry; raise `KnowledgeError` listing all problems at once."""
    today = today or date.today()
    problems: list[str] = []
    warnings: list[str] = []
    platforms: dict[str, Platform] = {}
    topics: dict[str, Topic] = {}
    labels: dict[str, str] = {}

    if not root.is_dir():
        raise KnowledgeError([f"{root}: (folder): no knowledge base here"])

    kinds: dict[str, tuple[type[Platform] | type[Topic], dict[str, Any]]] = {
        "platforms": (Platform, platforms),
        "topics": (Topic, topics),
    }
    for folder in KINDS:
        model, into = kinds[folder]
        for path in entry_files(root, folder):
            label = label_of(path, root)
            data, read_problems = _read_yaml(path, label)
            problems += read_problems
            if read_problems:
                continue
            entry, entry_problems = _validate(model, data, label)
            problems += entry_problems
            if entry is None:
                continue
            if entry.id != path.stem:
                problems.append(f"{label}: id: {entry.id!r} must match the file name {path.stem!r}")
            if entry.id in labels:
                problems.append(f"{label}: id: {entry.id!r} is already used by {labels[entry.id]}")
                continue
            labels[entry.id] = label
            into[entry.id] = entry
            problems += _check_sources(entry, label)
            late, due = freshness([(label, entry)], today)
            problems += late
            warnings += due

    if not platforms and not topics and not problems:
        problems.append(f"{root}: (folder): no entries in platforms/ or topics/")
    problems += _cross_check(platforms, topics, labels)
    if problems:
        raise KnowledgeError(problems)
    return KnowledgeBase(platforms=platforms, topics=topics, warnings=tuple(warnings))


def _cross_check(platforms: dict[str, Platform], topics: dict[str, Topic], labels: dict[str, str]) -> list[str]:
    # Imported here: normalisation pulls in the brain's tables, which the schema alone does not need.
    from bot.shared.normalise import normalise

    problems: list[str] = []
    owners: dict[str, str] = {}

    def claim(phrase: str, entry_id: str, where: str) -> None:
        key = normalise(phrase)
        if not key:
            problems.append(f"{labels[entry_id]}: {where}: {phrase!r} has no letters or digits")
            return
        other = owners.setdefault(key, entry_id)
        if other != entry_id:
            problems.append(f"{labels[entry_id]}: {where}: {phrase!r} is already used by {labels[other]}")

    for platform in platforms.values():
        if platform.match_name:
            claim(platform.name, platform.id, "name")
        for index, phrase in enumerate(platform.aliases):
            claim(phrase, platform.id, f"aliases[{index}]")
        for index, phrase in enumerate(platform.context_aliases):
            claim(phrase, platform.id, f"context_aliases[{index}]")
        for index, alternative in enumerate(platform.alternatives):
            if alternative not in platforms:
                problems.append(f"{labels[platform.id]}: alternatives[{index}]: no platform {alternative!r}")
        if platform.retired is not None and platform.retired.successor not in platforms:
            problems.append(f"{labels[platform.id]}: retired.successor: no platform {platform.retired.successor!r}")
    for topic in topics.values():
        claim(topic.name, topic.id, "name")
        for index, phrase in enumerate(topic.phrasings):
            claim(phrase, topic.id, f"phrasings[{index}]")
        for index, related in enumerate(topic.related):
            if related not in platforms and related not in topics:
                problems.append(f"{labels[topic.id]}: related[{index}]: no entry {related!r}")
    return problems
