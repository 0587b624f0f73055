"""Loads `vocabulary.yaml`, the brain's word lists, into normalised, typed form.

Plain dataclasses filled by a small reader of their own, not pydantic: the vocabulary loads on every start of
`confidant ask`, and importing pydantic alone takes about ten times a bare interpreter's start. The file ships with
the code, so a mistake in it is a programming error: it stops the program naming the list, and the tests catch it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from functools import cache
from pathlib import Path
from typing import Any

from bot.shared.normalise import normalise
from bot.yamlfile import load_yaml

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")


@dataclass(frozen=True)
class RoomWords:
    starts: frozenset[str]
    words: frozenset[str]
    with_: frozenset[str]
    actions: frozenset[str]
    setup_actions: frozenset[str]
    meetings: frozenset[str]
    question_openers: frozenset[str]


@dataclass(frozen=True)
class Vocabulary:
    commands: dict[str, frozenset[str]]
    greetings: frozenset[str]
    thanks: frozenset[str]
    room: RoomWords
    recommend: frozenset[str]
    uses: dict[str, frozenset[str]]
    compare: frozenset[str]
    choosing_words: frozenset[str]
    chosen_topics: frozenset[str]
    name_parts: frozenset[str]
    brands: frozenset[str]
    recommend_openers: frozenset[str]
    product_words: frozenset[str]
    name_suffixes: frozenset[str]
    slot_before: frozenset[str]
    how_to: frozenset[str]
    judgements: frozenset[str]
    usage: frozenset[str]
    usage_objects: frozenset[str]
    stopwords: frozenset[str]
    common_words: frozenset[str]
    aspects: dict[str, frozenset[str]]
    # Kept as written: matched phrase by phrase, not word by word.
    weak_aspect_phrases: dict[str, tuple[str, ...]]
    follow_up_openers: frozenset[str]
    follow_up_pronouns: frozenset[str]
    definition_openers: frozenset[str]
    comparing: frozenset[str]
    which: frozenset[str]
    features: frozenset[str]
    kinds: dict[str, frozenset[str]]


# chosen_topics names topic ids, which are compared as written.
_AS_WRITTEN = frozenset({"chosen_topics"})


def _words(where: str, value: object) -> list[str]:
    if not isinstance(value, list):
        raise ValueError(f"{VOCABULARY_FILE.name}: {where}: expected a list of words, found {type(value).__name__}")
    return [str(word) for word in value]


def _normalised(where: str, value: object) -> frozenset[str]:
    return frozenset(text for word in _words(where, value) if (text := normalise(word)))


def _groups(where: str, value: object) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ValueError(f"{VOCABULARY_FILE.name}: {where}: expected a mapping of lists, found {type(value).__name__}")
    return {str(key): _words(f"{where}.{key}", words) for key, words in value.items()}


def _fill(kind: type[Any], data: object, where: str) -> Any:
    """An instance of the dataclass `kind` from a mapping with exactly its fields, each converted by its type."""
    if not isinstance(data, dict):
        raise ValueError(f"{VOCABULARY_FILE.name}: {where or '(file)'}: expected a mapping")
    names = {field.name: field.type for field in fields(kind)}
    unknown, missing = sorted(set(data) - set(names)), sorted(set(names) - set(data))
    if unknown or missing:
        raise ValueError(f"{VOCABULARY_FILE.name}: {where or '(file)'}: unknown {unknown}, missing {missing}")
    values: dict[str, Any] = {}
    for name, annotation in names.items():
        value, at = data[name], f"{where}.{name}".lstrip(".")
        if annotation == "RoomWords":
            values[name] = _fill(RoomWords, value, at)
        elif annotation == "dict[str, tuple[str, ...]]":
            values[name] = {key: tuple(words) for key, words in _groups(at, value).items()}
        elif annotation == "dict[str, frozenset[str]]":
            values[name] = {key: _normalised(at, words) for key, words in _groups(at, value).items()}
        elif name in _AS_WRITTEN:
            values[name] = frozenset(_words(at, value))
        else:
            values[name] = _normalised(at, value)
    return kind(**values)


@cache
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["room"]["with_"] = data["room"].pop("with")
    vocabulary: Vocabulary = _fill(Vocabulary, data, "")
    return vocabulary
