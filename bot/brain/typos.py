"""Typo correction for names: "whatsap" -> "whatsapp", "microsft" -> "microsoft", never "room" -> "zoom".

A deletion-neighbourhood index (the SymSpell idea): every known word is stored under each string made by deleting
up to two of its letters. A misspelt word meets its correct form in one of those buckets, so lookup costs the
same for 50 names as for 50,000, where comparing the question with every alias grows with the list.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_LENGTH = 4  # shorter words are only ever matched exactly: too many words are one letter from "sms"
DOUBTFUL_SIMILARITY = 65  # how alike (0-100) a word must be to a name before we ask "Did you mean …?"


def allowed_typos(length: int) -> int:
    """How many typos a word of this length may carry and still be read with confidence."""
    if length < MIN_LENGTH:
        return 0
    return 1 if length < 8 else 2


def _deletes(word: str, depth: int) -> set[str]:
    """The word with up to `depth` (1 or 2) of its letters deleted (never all of them).

    Built by slicing, in C, and each pair of deleted letters once (the second at or after the first, in the
    shorter string): the question's words go through this on every typo lookup, and joining characters one by
    one cost most of a question."""
    if depth not in (1, 2):
        raise ValueError(f"depth must be 1 or 2, not {depth}")
    found = {word}
    if len(word) < 2:
        return found
    ones = [word[:index] + word[index + 1 :] for index in range(len(word))]
    found.update(ones)
    if depth == 2 and len(word) >= 3:
        found.update(
            one[:second] + one[second + 1 :] for first, one in enumerate(ones) for second in range(first, len(one))
        )
    return found


class Deletes:
    """Each word's deletes, made once for one question: the platform and the topic indexes both look its words
    up, and making the deletes is most of a lookup. Made per question and dropped with it, so it keeps no word
    of a question afterwards."""

    def __init__(self) -> None:
        self._found: dict[str, set[str]] = {}

    def __call__(self, word: str) -> set[str]:
        found = self._found.get(word)
        if found is None:
            found = self._found[word] = _deletes(word, 2)
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
        keep: Iterable[str] = (),
    ) -> None:
        self._known = frozenset(word for word in vocabulary if word)
        # Words whose corrections are kept once worked out: the brain's own words ("recording", "number"), which
        # questions use over and over and which a lookup would otherwise correct afresh each time. Safe to keep:
        # only these words are ever kept, fixed when the brain is built, never any other word of a question.
        self._keep = frozenset(keep)
        self._kept: dict[str, Correction | None] = {}
        self._preferred = frozenset(preferred)
        # Which entry a word names, if any: a tie between two spellings of one name is no tie ("whtsapp" is as
        # near "whatsapp" as "watsapp", and both are WhatsApp).
        self._owners = owners or {}
        self._protected = frozenset(protected)
        self._index: dict[str, set[str]] | None = None
        self._variants: frozenset[str] = frozenset()  # the index's keys, for one set intersection per lookup
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
            self._variants = frozenset(buckets)
        return self._index

    def __contains__(self, word: str) -> bool:
        return word in self._known

    def correct(self, word: str, deletes: Deletes | None = None) -> Correction | None:
        """The known word this one is a typo of, or None. Known and protected words are returned as they are.
        `deletes`: the question's, when other lookups may need the same word's."""
        if word not in self._keep:
            return self._correct(word, deletes or Deletes())
        if word not in self._kept:
            self._kept[word] = self._correct(word, deletes or Deletes())
        return self._kept[word]

    def _correct(self, word: str, deletes: Deletes) -> Correction | None:
        if word in self._known:
            return Correction(word, 0, doubtful=False)
        if word in self._protected or not MIN_LENGTH <= len(word) <= self._longest + 2 or not word.isalpha():
            return None  # too short to guess, or longer than any known word plus two typos
        # Plural or possessive ("zooms", "zoom's" after normalisation) before any fuzzy guess.
        if word.endswith("s") and word[:-1] in self._known:
            return Correction(word[:-1], 0, doubtful=False)
        candidates: set[str] = set()
        buckets = self._buckets
        # Most of a word's deletes are in no bucket: the intersection finds the few that are without a Python loop.
        for variant in deletes(word) & self._variants:
            candidates |= buckets[variant]
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
