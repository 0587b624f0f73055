"""Text normalisation: the one place where "WhatsApp", "ＷｈａｔｓＡｐｐ", "whatsаpp" (Cyrillic а) and
"whats-app!!" become comparable. Used for questions and for knowledge-base names alike, so both sides agree."""

from __future__ import annotations

import re
import unicodedata

# Letters from other scripts that look like Latin ones, used (deliberately or by keyboard) in place of them.
# NFKC does not fold these; the Unicode confusables list is far larger, but these are the ones seen in practice.
_CONFUSABLES = str.maketrans(
    {
        # Cyrillic
        "а": "a",
        "в": "b",
        "е": "e",
        "ё": "e",
        "к": "k",
        "м": "m",
        "н": "h",
        "о": "o",
        "р": "p",
        "с": "c",
        "т": "t",
        "у": "y",
        "х": "x",
        "і": "i",
        "ї": "i",
        "ј": "j",
        "ѕ": "s",
        "ԁ": "d",
        "ԛ": "q",
        "ԝ": "w",
        "һ": "h",
        "ɡ": "g",
        "ѡ": "w",
        # Greek
        "α": "a",
        "β": "b",
        "ε": "e",
        "η": "n",
        "ι": "i",
        "κ": "k",
        "ν": "v",
        "ο": "o",
        "ρ": "p",
        "τ": "t",
        "υ": "u",
        "χ": "x",
        "ω": "w",
        "ς": "s",
        "ζ": "z",
        "μ": "m",
        # Latin look-alikes NFKC keeps
        "ı": "i",
        "ł": "l",
        "ø": "o",
        "đ": "d",
        "ß": "ss",
        "æ": "ae",
        "œ": "oe",
        "þ": "th",
    }
)
# Apostrophes vanish rather than split words: "what's" -> "whats", "i'm" -> "im".
_APOSTROPHES = re.compile(r"['’ʼ`´]")
_NOT_WORD = re.compile(r"[\W_]+")
_MAX_INPUT = 4000  # longer input is cut: nothing useful is asked in more words, and matching stays fast


def _strip_marks(text: str) -> str:
    # Accents go (NFD, then drop combining marks), and so do invisible format characters such as zero-width
    # spaces, which would otherwise split "face\u200btime" in two.
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(
        char for char in decomposed if not unicodedata.combining(char) and unicodedata.category(char) != "Cf"
    )


def normalise(text: str) -> str:
    """Lowercase ASCII-ish words separated by single spaces; emoji, punctuation and invisible characters gone."""
    text = unicodedata.normalize("NFKC", text[:_MAX_INPUT]).casefold()
    if not text.isascii():
        # Marks first, then look-alikes: "ἀ" is "α" with a breathing mark, and "α" reads as "a".
        text = _strip_marks(text).translate(_CONFUSABLES)
    text = _APOSTROPHES.sub("", text)
    return _NOT_WORD.sub(" ", text).strip()


def tokens(text: str) -> list[str]:
    return normalise(text).split()
