"""Typo correction for names: "whatsap" -> "whatsapp", "microsft" -> "microsoft", never "room" -> "zoom".

A deletion-neighbourhood index (the SymSpell idea): every known word is stored under each string made by deleting
up to two of its letters. A misspelt word meets its correct form in one of those buckets, so lookup costs the
same for 50 names as for 50,000, where comparing the question with every alias grows with the list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations

MIN_LENGTH = 4  # shorter words are only ever matched exactly: too many words are one letter from "sms"
DOUBTFUL_SIMILARITY = 65  # how alike (0-100) a word must be to a name before we ask "Did you mean …?"


def allowed_typos(length: int) -> int:
    """How many typos a word of this length may carry and still be read with confidence."""
    if length < MIN_LENGTH:
        return 0
    return 1 if length < 8 else 2


def _deletes(word: str, depth: int) -> set[str]:
    found = {word}
    for count in range(1, min(depth, len(word) - 1) + 1):
        for positions in combinations(range(len(word)), count):
            found.add("".join(char for index, char in enumerate(word) if index not in positions))
    return found


def _doubled_letter(word: str, name: str) -> bool:
    """'zooom' for 'zoom': the name with one of its letters typed twice."""
    return len(word) == len(name) + 1 and any(
        word[index] == word[index - 1] and word[:index] + word[index + 1 :] == name for index in range(1, len(word))
    )


@dataclass(frozen=True, slots=True)
class Correction:
    """The known word a typed word was read as."""

    word: str
    distance: int
    # True when the word is one typo beyond what we accept with confidence: worth a "Did you mean …?".
    doubtful: bool


class TypoCorrector:
    def __init__(
        self,
        vocabulary: Iterable[str],
        protected: Iterable[str] = (),
        preferred: Iterable[str] = (),
        owners: Mapping[str, str] | None = None,
    ) -> None:
        self._known = frozenset(word for word in vocabulary if word)
        self._preferred = frozenset(preferred)
        # Which entry a word names, if any: a tie between two spellings of one name is no tie ("whtsapp" is as
        # near "whatsapp" as "watsapp", and both are WhatsApp).
        self._owners = owners or {}
        self._protected = frozenset(protected)
        self._index: dict[str, set[str]] | None = None
        self._longest = max((len(word) for word in self._known), default=0)

    @property
    def _buckets(self) -> dict[str, set[str]]:
        # Built on first use: most questions name things exactly, and `confidant ask` should not pay for it.
        if self._index is None:
            buckets: defaultdict[str, set[str]] = defaultdict(set)
            for word in self._known:
                if len(word) >= MIN_LENGTH and word.isalpha():
                    # Two deletions matter only from six letters on (two typos, or a doubtful second one).
                    for variant in _deletes(word, 2 if len(word) >= 6 else 1):
                        buckets[variant].add(word)
            self._index = dict(buckets)
        return self._index

    def __contains__(self, word: str) -> bool:
        return word in self._known

    def correct(self, word: str) -> Correction | None:
        """The known word this one is a typo of, or None. Known and protected words are returned as they are."""
        if word in self._known:
            return Correction(word, 0, doubtful=False)
        if word in self._protected or not MIN_LENGTH <= len(word) <= self._longest + 2 or not word.isalpha():
            return None  # too short to guess, or longer than any known word plus two typos
        # Plural or possessive ("zooms", "zoom's" after normalisation) before any fuzzy guess.
        if word.endswith("s") and word[:-1] in self._known:
            return Correction(word[:-1], 0, doubtful=False)
        candidates: set[str] = set()
        for variant in _deletes(word, 2):
            candidates |= self._buckets.get(variant, set())
        if not candidates:
            return None
        # Imported on the first guess: most questions name what they ask about correctly, and this import is a
        # twentieth of `confidant ask`'s start.
        from rapidfuzz import fuzz
        from rapidfuzz.distance import OSA

        scored = [(OSA.distance(word, candidate, score_cutoff=2), candidate) for candidate in candidates]
        best = sorted((distance, candidate) for distance, candidate in scored if distance <= 2)
        if not best:
            return None
        distance = best[0][0]
        tied = [candidate for candidate_distance, candidate in best if candidate_distance == distance]
        if len(tied) > 1:
            # A whole name beats a word that is only part of one ("whatsup": "whatsapp", not "whats").
            # Among spellings of one name, the longest is the name itself ("whatsapp", not "watsapp").
            tied = sorted((candidate for candidate in tied if candidate in self._preferred), key=lambda c: (-len(c), c))
            owners = {self._owners.get(candidate) for candidate in tied}
            if not tied or (len(tied) > 1 and (len(owners) > 1 or None in owners)):
                return None  # names equally close: guessing would be confidently wrong half the time
        candidate = tied[0]
        budget = allowed_typos(len(candidate))
        if len(candidate) == MIN_LENGTH and len(word) != MIN_LENGTH and not _doubled_letter(word, candidate):
            budget = 0  # four-letter names: a changed or doubled letter, never an added or missing one
        if distance <= budget:
            return Correction(candidate, distance, doubtful=False)
        close = len(word) >= 6 and len(candidate) >= 6 and fuzz.ratio(word, candidate) >= DOUBTFUL_SIMILARITY
        if distance == budget + 1 and close and word[0] == candidate[0]:
            return Correction(candidate, distance, doubtful=True)
        return None
