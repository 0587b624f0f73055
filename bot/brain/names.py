"""Spots the name of a platform we have no entry for, so we can say so instead of guessing.

People ask about platforms in a few shapes: "is X safe?", "X for therapy?", "what about X", "X vs Zoom",
"should I use X". A name is a run of words we do not know; everyday words that are often part of a product's
name ("mail", "chat", "talk") and company names ("google", "yahoo") may join it, but never make one on their own.
"""

from __future__ import annotations

from collections.abc import Collection

from bot.brain.vocabulary import Vocabulary

MAX_NAME_WORDS = 4
OPENERS = ("is", "about", "use", "using", "try", "trying", "with", "on", "via", "through")
# Words that put a name beside another one: "is myspace like signal", "myspace instead of zoom".
RELATIONS = ("like", "as", "instead", "rather", "unlike", "than", "vs", "versus", "or", "compared")


class NameFinder:
    def __init__(self, vocabulary: Vocabulary, known_words: Collection[str], slot_names: Collection[str]) -> None:
        self._vocabulary = vocabulary
        self._known = known_words
        self._slots = slot_names

    def find(self, words: list[str], taken: Collection[int] = (), *, slots: bool = False) -> str | None:
        """The unknown name the question asks about, or None. With `slots`, everyday-word names we do have
        ("wire") count as names, so the caller can resolve them."""
        vocabulary = self._vocabulary

        def is_name(index: int) -> bool:
            word = words[index]
            return (
                index not in taken
                and word not in vocabulary.stopwords
                and word not in vocabulary.judgements
                and word not in vocabulary.usage_objects
                and word not in vocabulary.compare
                and word not in RELATIONS
                and (word not in self._known or (slots and word in self._slots))
                and not word.isdigit()
            )

        def is_part(index: int) -> bool:
            return index not in taken and (words[index] in vocabulary.name_parts or words[index] in vocabulary.brands)

        def named(start: int, end: int) -> str | None:
            if start < end and any(is_name(index) for index in range(start, end)):
                return " ".join(words[start:end])
            return None

        def before(end: int) -> tuple[int, str | None]:
            start = end
            while start > 0 and end - start < MAX_NAME_WORDS and (is_name(start - 1) or is_part(start - 1)):
                start -= 1
            return start, named(start, end)

        def after(start: int) -> tuple[int, str | None]:
            end = start
            while end < len(words) and end - start < MAX_NAME_WORDS and (is_name(end) or is_part(end)):
                end += 1
            return end, named(start, end)

        for index, word in enumerate(words):
            # "is X safe", "X vs zoom"
            if word in vocabulary.judgements or word in vocabulary.compare or word in RELATIONS:
                _, name = before(index)
                if name:
                    return name
            # "what about X", "is X", "zoom vs X", "should I use X for …"
            if word in OPENERS or word in vocabulary.compare or word in RELATIONS:
                end, name = after(index + 1)
                following = words[end] if end < len(words) else None
                if name and (
                    following is None
                    or word != "is"
                    or following in vocabulary.judgements
                    or following in vocabulary.usage
                ):
                    return name
            # "X for therapy", and any "X for …" that opens the message
            if word in vocabulary.usage:
                start, name = before(index)
                object_follows = index + 1 < len(words) and words[index + 1] in vocabulary.usage_objects
                if name and (object_follows or start == 0):
                    return name
        return None
