from __future__ import annotations

from itertools import combinations

import pytest

from bot.brain.typos import TypoCorrector, _deletes, allowed_typos

WORDS = ["whatsapp", "signal", "telegram", "zoom", "threema", "skype", "viber", "microsoft", "slack"]


@pytest.fixture
def corrector() -> TypoCorrector:
    return TypoCorrector(WORDS, protected=["room", "loom", "single"])


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("whatsap", "whatsapp"),  # one missing letter
        ("whatapps", "whatsapp"),  # two typos on a long name
        ("signla", "signal"),  # transposition counts as one
        ("telgram", "telegram"),
        ("zoon", "zoom"),  # four letters: one changed letter
        ("zooms", "zoom"),  # plural or possessive
        ("microsft", "microsoft"),
        ("threma", "threema"),
    ],
)
def test_corrects_typos(corrector: TypoCorrector, typed: str, expected: str) -> None:
    correction = corrector.correct(typed)
    assert correction is not None
    assert correction.word == expected
    assert not correction.doubtful


@pytest.mark.parametrize(
    "typed",
    [
        "room",  # protected everyday word, one letter from zoom
        "loom",
        "zom",  # too short to guess
        "zoomzoom",
        "bebo",
        "myspace",
        "habbo",
        "oovoo",
        "voxer",  # two letters from viber: another product, not a typo
        "z00m",  # digits are never corrected
    ],
)
def test_leaves_other_words_alone(corrector: TypoCorrector, typed: str) -> None:
    assert corrector.correct(typed) is None


def test_four_letter_names_take_a_changed_or_doubled_letter_only(corrector: TypoCorrector) -> None:
    correction = corrector.correct("zooom")
    assert correction is not None and correction.word == "zoom"
    assert corrector.correct("zoomy") is None  # an added letter that is not a double
    assert corrector.correct("zom") is None


def test_a_whole_name_wins_a_tie_with_part_of_one() -> None:
    corrector = TypoCorrector(["whats", "whatsapp"], preferred=["whatsapp"])
    correction = corrector.correct("whatsup")
    assert correction is not None and correction.word == "whatsapp"


def test_two_equally_close_names_are_not_guessed() -> None:
    corrector = TypoCorrector(["abcdef", "abcdeg"])
    assert corrector.correct("abcdex") is None


def test_doubtful_one_typo_beyond_the_budget() -> None:
    corrector = TypoCorrector(["signal"])
    doubtful = corrector.correct("sigmla")
    assert doubtful is not None and doubtful.doubtful and doubtful.word == "signal"


def test_budget_grows_with_length() -> None:
    assert [allowed_typos(n) for n in (3, 4, 5, 7, 8, 12)] == [0, 1, 1, 1, 2, 2]


def test_known_word_is_itself(corrector: TypoCorrector) -> None:
    correction = corrector.correct("signal")
    assert correction is not None and correction.distance == 0
    assert "signal" in corrector


@pytest.mark.parametrize("word", ["zoom", "whatsapp", "aab", "aaaa", "signal", "microsoft", "ab", "a", ""])
@pytest.mark.parametrize("depth", [1, 2])
def test_deletes_are_every_way_of_deleting_up_to_depth_letters(word: str, depth: int) -> None:
    expected = {word} | {
        "".join(char for index, char in enumerate(word) if index not in positions)
        for count in range(1, min(depth, len(word) - 1) + 1)
        for positions in combinations(range(len(word)), count)
    }
    assert _deletes(word, depth) == expected


def test_only_the_words_it_was_given_to_keep_are_kept() -> None:
    """Corrections are kept for the brain's own words only: a question's other words stay nowhere."""
    kept = TypoCorrector(WORDS, protected=["room"], keep=["number", "signla"])
    fresh = TypoCorrector(WORDS, protected=["room"])
    for word in ["signla", "number", "whatsap", "johnsmith", "signla", "number"]:
        assert kept.correct(word) == fresh.correct(word)
    assert set(kept._kept) == {"number", "signla"}
