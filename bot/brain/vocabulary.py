"""Loads `vocabulary.yaml`, the brain's word lists, into normalised, typed form.

Plain dataclasses filled by a small reader of their own, not pydantic: the vocabulary loads on every start of
`confidant ask`, and importing pydantic alone takes about ten times a bare interpreter's start. For the same reason
the normalised lists are kept in the user's cache folder (bot/shared/cachefile.py), keyed by the file and the code
that reads it, so that a start reads them without YAML. The file ships with the code, so a mistake in it is a
programming error: it stops the program naming the list, and the tests catch it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

from bot.shared import cachefile, normalise

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")
# What the cached lists depend on besides the file: the code that reads and normalises it.
_PACKAGE = Path(__file__).resolve().parent.parent  # bot/
CODE = tuple(
    _PACKAGE / name for name in ("brain/vocabulary.py", "shared/normalise.py", "shared/cachefile.py", "yamlfile.py")
)


@dataclass(frozen=True)
class RoomWords:
    """The words that make a message a request for a meeting room."""

    starts: frozenset[str]
    words: frozenset[str]
    with_: frozenset[str]
    actions: frozenset[str]
    setup_actions: frozenset[str]
    meetings: frozenset[str]
    question_openers: frozenset[str]


@dataclass(frozen=True)
class Vocabulary:
    """Every word list of `vocabulary.yaml`, normalised (except where noted)."""

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
    return frozenset(text for word in _words(where, value) if (text := normalise.normalise(word)))


def _as_written(where: str, value: object) -> frozenset[str]:
    return frozenset(_words(where, value))


def _groups(where: str, value: object) -> dict[str, list[str]]:
    if not isinstance(value, dict):
        raise ValueError(f"{VOCABULARY_FILE.name}: {where}: expected a mapping of lists, found {type(value).__name__}")
    return {str(key): _words(f"{where}.{key}", words) for key, words in value.items()}


def _fill(kind: type[Any], data: object, where: str, *, cached: bool = False) -> Any:
    """An instance of the dataclass `kind` from a mapping with exactly its fields, each converted by its type.
    `cached`: the lists were normalised before they were cached, so they are taken as they are."""
    if not isinstance(data, dict):
        raise ValueError(f"{VOCABULARY_FILE.name}: {where or '(file)'}: expected a mapping")
    names = {field.name: field.type for field in fields(kind)}
    unknown, missing = sorted(set(data) - set(names)), sorted(set(names) - set(data))
    if unknown or missing:
        raise ValueError(f"{VOCABULARY_FILE.name}: {where or '(file)'}: unknown {unknown}, missing {missing}")
    words = _as_written if cached else _normalised
    values: dict[str, Any] = {}
    for name, annotation in names.items():
        value, at = data[name], f"{where}.{name}".lstrip(".")
        if annotation == "RoomWords":
            values[name] = _fill(RoomWords, value, at, cached=cached)
        elif annotation == "dict[str, tuple[str, ...]]":
            values[name] = {key: tuple(each) for key, each in _groups(at, value).items()}
        elif annotation == "dict[str, frozenset[str]]":
            values[name] = {key: words(at, each) for key, each in _groups(at, value).items()}
        elif name in _AS_WRITTEN:
            values[name] = _as_written(at, value)
        else:
            values[name] = words(at, value)
    return kind(**values)


def _plain(value: object) -> object:
    """The vocabulary as JSON holds it: sets as sorted lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {name: _plain(each) for name, each in asdict(value).items()}
    if isinstance(value, dict):
        return {key: _plain(each) for key, each in value.items()}
    if isinstance(value, frozenset | set | tuple):
        return sorted(value) if not isinstance(value, tuple) else list(value)
    return value


def _read(path: Path) -> Vocabulary:
    from bot.yamlfile import load_yaml  # here: the cached lists need no YAML

    data = load_yaml(path.read_text(encoding="utf-8"))
    data["room"]["with_"] = data["room"].pop("with")
    vocabulary: Vocabulary = _fill(Vocabulary, data, "")
    return vocabulary


@cache
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    """The vocabulary from the cache when it was cached from this file by this code, else read and cached."""
    try:
        key = cachefile.key_of([("source", path.read_bytes()), *((code.name, code.read_bytes()) for code in CODE)])
    except OSError:
        return _read(path)  # an installation without this code's sources cannot tell a stale cache: no cache
    cached_at = cachefile.path_for("vocabulary", path)
    data = cachefile.read(cached_at, key)
    if data is not None:
        try:
            restored: Vocabulary = _fill(Vocabulary, data, "", cached=True)
            return restored
        except (ValueError, KeyError, TypeError):
            pass  # not what this code wrote: read the file again
    vocabulary = _read(path)
    cachefile.write(cached_at, key, _plain(vocabulary))
    return vocabulary
