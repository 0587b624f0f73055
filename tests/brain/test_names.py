from __future__ import annotations

import pytest

from bot.brain.names import NameFinder
from bot.brain.vocabulary import load_vocabulary
from bot.shared.normalise import tokens

KNOWN = {"zoom", "signal", "talk", "mail", "wire", "session"}


@pytest.fixture
def finder() -> NameFinder:
    return NameFinder(load_vocabulary(), KNOWN, slot_names={"wire", "session"})


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("is myspace safe", "myspace"),
        ("is bebo ok for clients", "bebo"),
        ("what about kakaotalk", "kakaotalk"),
        ("kakao talk safe?", "kakao talk"),  # a known word joins an unknown one
        ("google voice for client calls", "google voice"),  # a company name joins too
        ("loom for sending clients videos", "loom"),  # "X for …" opening the message
        ("clubhouse for group sessions", "clubhouse"),
        ("should I use houseparty", "houseparty"),
    ],
)
def test_finds_the_unknown_name(finder: NameFinder, question: str, name: str) -> None:
    assert finder.find(tokens(question)) == name


@pytest.mark.parametrize(
    "question",
    ["is it safe", "is this ok for my clients", "is zoom safe", "is mail safe", "thanks for that", "is 123 safe"],
)
def test_finds_nothing_where_no_name_is_asked_about(finder: NameFinder, question: str) -> None:
    assert finder.find(tokens(question)) is None


def test_everyday_word_names_only_with_slots(finder: NameFinder) -> None:
    assert finder.find(tokens("what about wire")) is None
    assert finder.find(tokens("what about wire"), slots=True) == "wire"


def test_words_already_taken_by_a_platform_are_skipped(finder: NameFinder) -> None:
    words = tokens("zoom vs myspace")
    assert finder.find(words, taken={0}) == "myspace"
