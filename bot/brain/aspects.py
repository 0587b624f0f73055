"""Finds what a question asks *about* ("does zoom record?": recording), as the aspect ids of `ask --json`.

Aspects are found by whole phrases from `vocabulary.yaml`, longest first, with a plural "s" folded away on both
sides, and only at positions no platform name took: "is copilot safe" asks nothing about AI, and "signal"
in "is signal safe" is not a word about anything.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from bot.brain.mentions import fold_plural
from bot.shared.normalise import tokens as to_tokens

# The ids in the order `ask --json` documents them; the vocabulary may list phrases for any of them.
ASPECTS = (
    "e2ee",
    "recording",
    "presence",
    "phone-number",
    "groups",
    "mobile",
    "gdpr",
    "hipaa",
    "business-model",
    "open-source",
    "ai",
    "metadata",
    "data-location",
    "backups",
    "accounts",
    "cost",
    "client-message",
    "settings",
)


class AspectFinder:
    def __init__(
        self, phrases: Mapping[str, Collection[str]], weak: Mapping[str, Collection[str]] | None = None
    ) -> None:
        unknown = set(phrases) - set(ASPECTS)
        if unknown:
            raise ValueError(f"unknown aspect ids in the vocabulary: {sorted(unknown)}")
        self._phrases: dict[tuple[str, ...], str] = {}
        for aspect, texts in phrases.items():
            for text in texts:
                words = tuple(fold_plural(word) for word in to_tokens(text))
                if words:
                    self._phrases.setdefault(words, aspect)
        # The lengths of the phrases that start with each word, longest first: most words of a question start
        # no phrase, and those are passed over with one look-up instead of one per phrase length.
        lengths: dict[str, set[int]] = {}
        for words in self._phrases:
            lengths.setdefault(words[0], set()).add(len(words))
        self._lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}
        # Weak phrases count only when nothing else is asked, or, with a list, when none of those aspects is.
        self._weak = {
            tuple(fold_plural(word) for word in to_tokens(text)): frozenset(yields)
            for text, yields in (weak or {}).items()
        }

    def single_words(self) -> frozenset[str]:
        """The aspect phrases that are one word ("groups", "recording")."""
        return frozenset(phrase[0] for phrase in self._phrases if len(phrase) == 1)

    def words(self) -> frozenset[str]:
        """Every word of every aspect phrase: none of them is ever an unknown platform's name."""
        return frozenset(word for phrase in self._phrases for word in phrase)

    def find(self, words: Sequence[str], taken: Collection[int] = ()) -> tuple[str, ...]:
        """The aspects the words raise, each once, in the order they are first raised."""
        folded = [fold_plural(word) for word in words]
        order: list[str] = []
        strong: set[str] = set()
        gives_way_to: dict[str, set[str]] = {}  # aspects raised by weak phrases only: what they give way to
        position = 0
        while position < len(folded):
            if folded[position] not in self._lengths:
                position += 1  # starts no phrase: most words of a question
                continue
            match = self._longest_at(folded, position, taken)
            if match is None:
                position += 1
                continue
            aspect, length = match
            if aspect not in order:
                order.append(aspect)
            yields = self._weak.get(tuple(folded[position : position + length]))
            if yields is None:
                strong.add(aspect)
            else:
                gives_way_to.setdefault(aspect, set()).update(yields)
            position += length

        def kept(aspect: str) -> bool:
            if aspect in strong:
                return True
            yields = gives_way_to[aspect]
            return not (yields & set(order)) if yields else not strong

        return tuple(aspect for aspect in order if kept(aspect))

    def _longest_at(self, words: Sequence[str], start: int, taken: Collection[int]) -> tuple[str, int] | None:
        for length in self._lengths.get(words[start], ()):
            if start + length > len(words) or any(index in taken for index in range(start, start + length)):
                continue
            aspect = self._phrases.get(tuple(words[start : start + length]))
            if aspect is not None:
                return aspect, length
        return None
