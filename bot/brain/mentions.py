"""Finds the knowledge-base entries a question names: exact phrases first, then single-word typo correction.

Platform names and aliases are matched as whole words, longest phrase first ("element messenger" before
"messenger"). Topic phrasings are matched the same way, with a plural "s" folded away on both sides.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.brain.typos import Correction, Deletes, TypoCorrector
from bot.shared.normalise import tokens as to_tokens

MAX_JOINED = 14


@dataclass(frozen=True, slots=True)
class Mention:
    """An entry named in a question, and where."""

    entry_id: str
    start: int  # token positions [start, end) in the question
    end: int
    # (typed, read as) for every word that was corrected to make this match.
    corrections: tuple[tuple[str, str], ...] = ()
    doubtful: bool = False  # a "Did you mean …?" match, not a confident one
    weak: bool = False  # found by a context alias: counts only when nothing else is named


def positions(mentions: Iterable[Mention]) -> set[int]:
    """The token positions the mentions cover."""
    return {index for mention in mentions for index in range(mention.start, mention.end)}


def fold_plural(word: str) -> str:
    """'breaches' -> 'breach', 'messages' -> 'message', 'apps' -> 'app'; 'access' and 'gas' stay."""
    if len(word) <= 3 or not word.endswith("s") or word.endswith("ss"):
        return word
    if word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    return word[:-1]


class PhraseIndex:
    """Maps normalised phrases to entry ids and finds them in a token list."""

    def __init__(
        self,
        phrases: Iterable[tuple[str, str]],
        *,
        protected: Iterable[str] = (),
        stopwords: Iterable[str] = (),
        fold: bool = False,
        join: bool = True,
        weak: Iterable[str] = (),
        slot: Callable[[Sequence[str], int, int], bool] | None = None,
        tokenise: Callable[[str], Sequence[str]] = to_tokens,
        keep: Iterable[str] = (),
    ) -> None:
        """`keep`: everyday words whose typo corrections may be kept (the brain's own words, never a question's)."""
        self._fold = fold
        self._join = join
        self._weak = {tuple(self._prepare(tokenise(phrase))) for phrase in weak}
        # Where a typo may be read as a name: "is whatsap safe" yes, "I'm a therapist in Leeds" no.
        self._slot = slot
        self._phrases: dict[tuple[str, ...], str] = {}
        # The same phrase with its spaces removed, so "face time" finds "facetime" and "wats app" "whatsapp".
        self._joined: dict[str, str] = {}
        for phrase, entry_id in phrases:
            words = tuple(self._prepare(tokenise(phrase)))
            if words:
                self._phrases.setdefault(words, entry_id)
                self._joined.setdefault("".join(words), entry_id)
        # The lengths of the phrases that start with each word, longest first: most words of a question start
        # no phrase, and those are passed over with one look-up instead of one per phrase length.
        lengths: dict[str, set[int]] = {}
        for words in self._phrases:
            lengths.setdefault(words[0], set()).add(len(words))
        self._lengths = {first: sorted(found, reverse=True) for first, found in lengths.items()}
        self._stopwords = frozenset(stopwords)
        # Joined forms of long phrases are left out: nobody types "datacontrollerresponsibilities", and very long
        # words make every typo lookup slower.
        joined_names = {joined for joined in self._joined if len(joined) <= MAX_JOINED} if join else set()
        vocabulary = {word for words in self._phrases for word in words} | joined_names
        owners = {joined: self._joined[joined] for joined in joined_names}
        owners.update({words[0]: entry for words, entry in self._phrases.items() if len(words) == 1})
        self._typos = TypoCorrector(
            vocabulary, protected=protected, preferred=set(owners), owners=owners, keep=keep
        )

    def _prepare(self, words: Sequence[str]) -> list[str]:
        return [fold_plural(word) for word in words] if self._fold else list(words)

    def words(self) -> frozenset[str]:
        """Every word of every phrase."""
        return frozenset(word for phrase in self._phrases for word in phrase)

    def __len__(self) -> int:
        return len(self._phrases)

    def find(self, words: Sequence[str], deletes: Deletes | None = None) -> list[Mention]:
        """The phrases in `words`, exact or with a typo corrected; `deletes`: the question's (see Deletes)."""
        deletes = deletes or Deletes()
        words = self._prepare(words)
        found: list[Mention] = []
        position = 0
        while position < len(words):
            word = words[position]
            # Most words start no phrase and are no joined name: straight to the typo check for them.
            starts = word in self._lengths or (self._join and word in self._joined)
            mention = (self._exact(words, position) if starts else None) or self._fuzzy(words, position, deletes)
            if mention is None:
                position += 1
                continue
            found.append(mention)
            position = mention.end
        return found

    def _exact(self, words: Sequence[str], start: int) -> Mention | None:
        for length in self._lengths.get(words[start], ()):
            if start + length > len(words):
                continue
            phrase = tuple(words[start : start + length])
            entry_id = self._phrases.get(phrase)
            if entry_id is not None:
                return Mention(entry_id, start, start + length, weak=phrase in self._weak)
        # One word for a name usually typed as two: "watsapp" for "wats app".
        joined_id = self._joined.get(words[start]) if self._join else None
        return Mention(joined_id, start, start + 1) if joined_id is not None else None

    def _fuzzy(self, words: Sequence[str], start: int, deletes: Deletes) -> Mention | None:
        first = words[start]
        # Two words typed apart: "wats app", "face time". Never when either is a little word ("we chat"), and
        # a typo in the joined form only when neither word means something on its own ("vs whatsapp").
        if self._join and start + 1 < len(words):
            second = words[start + 1]
            if first not in self._stopwords and second not in self._stopwords:
                joined = first + second
                entry_id = self._joined.get(joined)
                separate = first in self._typos or second in self._typos
                correction = None if entry_id or separate else self._typos.correct(joined, deletes)
                if correction is not None and correction.word in self._joined and len(joined) >= 6:
                    entry_id = self._joined[correction.word]
                if entry_id is not None:
                    mention = self._mention(words, entry_id, start, start + 2, f"{first} {second}", correction)
                    if mention is not None:
                        return mention
        if first in self._stopwords:
            return None
        correction = self._typos.correct(first, deletes)
        if correction is None or (correction.distance == 0 and correction.word == first):
            return None
        corrected = [*words[:start], correction.word, *words[start + 1 :]]
        mention = self._exact(corrected, start)
        if mention is None:
            return None
        return self._mention(words, mention.entry_id, mention.start, mention.end, first, correction)

    def _mention(
        self,
        words: Sequence[str],
        entry_id: str,
        start: int,
        end: int,
        typed: str,
        correction: Correction | None,
    ) -> Mention | None:
        if correction is None or correction.distance == 0:
            return Mention(entry_id, start, end)
        if self._slot is not None and not self._slot(words, start, end):
            return None
        # A word near a name that is only ever typed as two words ("elementary" near "element app", "instant"
        # near "insta dm") is another word, not a typo: no answer, and no "Did you mean" either.
        if (correction.word,) not in self._phrases:
            return None
        return Mention(entry_id, start, end, ((typed, correction.word),), doubtful=correction.doubtful)
