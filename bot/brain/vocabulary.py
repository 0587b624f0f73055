"""Loads `vocabulary.yaml`, the brain's word lists, into normalised, typed form."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, field_validator

from bot.shared.normalise import normalise
from bot.yamlfile import load_yaml

VOCABULARY_FILE = Path(__file__).with_name("vocabulary.yaml")


def _normalised(words: object) -> object:
    if isinstance(words, list):
        return frozenset(text for word in words if (text := normalise(str(word))))
    return words


class RoomWords(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    starts: frozenset[str]
    words: frozenset[str]
    with_: frozenset[str]
    actions: frozenset[str]
    setup_actions: frozenset[str]
    meetings: frozenset[str]
    question_openers: frozenset[str]

    _norm = field_validator(
        "starts", "words", "with_", "actions", "setup_actions", "meetings", "question_openers", mode="before"
    )(_normalised)


class Vocabulary(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

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
    weak_aspect_phrases: dict[str, tuple[str, ...]]
    follow_up_openers: frozenset[str]
    follow_up_pronouns: frozenset[str]
    definition_openers: frozenset[str]
    comparing: frozenset[str]
    which: frozenset[str]
    features: frozenset[str]
    kinds: dict[str, frozenset[str]]

    _norm = field_validator(
        "greetings",
        "thanks",
        "recommend",
        "compare",
        "name_suffixes",
        "slot_before",
        "choosing_words",
        "product_words",
        "recommend_openers",
        "name_parts",
        "brands",
        "how_to",
        "judgements",
        "usage",
        "usage_objects",
        "stopwords",
        "common_words",
        "follow_up_openers",
        "follow_up_pronouns",
        "definition_openers",
        "comparing",
        "which",
        "features",
        mode="before",
    )(_normalised)

    def words(self) -> frozenset[str]:
        """Every word of every phrase in the vocabulary (and of the keys that are phrases, such as weak ones).
        The lists are normalised when they load, so splitting at spaces finds their words."""
        found: set[str] = set()

        def collect(value: object) -> None:
            if isinstance(value, str):
                found.update(value.split())
            elif isinstance(value, BaseModel):
                for name in type(value).model_fields:
                    collect(getattr(value, name))
            elif isinstance(value, dict):
                for key, item in value.items():
                    collect(key)
                    collect(item)
            elif isinstance(value, frozenset | tuple | list):
                for item in value:
                    collect(item)

        collect(self)
        return frozenset(found)

    @field_validator("commands", "uses", "aspects", "kinds", mode="before")
    @classmethod
    def _norm_groups(cls, value: object) -> object:
        if isinstance(value, dict):
            return {key: _normalised(words) for key, words in value.items()}
        return value


@cache
def load_vocabulary(path: Path = VOCABULARY_FILE) -> Vocabulary:
    data = load_yaml(path.read_text(encoding="utf-8"))
    data["room"]["with_"] = data["room"].pop("with")
    return Vocabulary.model_validate(data)
