"""Room names: unguessable, lowercase, short enough for every part of Jitsi.

A Jitsi room name is a bearer capability: whoever knows it can knock. It ends up in chat history, browser
history and server logs, so it must carry no meaning (no words, dates, client or counsellor names) and enough
randomness that no scanner will ever land in it. Jitsi folds case, so only lowercase variety counts.
"""

from __future__ import annotations

import base64
import math
import re
import secrets
from collections.abc import Callable, Sequence

TokenBytes = Callable[[int], bytes]

# 16 bytes = 128 bits; base32 gives 26 characters of [a-z2-7] once lowercased and unpadded.
NAME_BYTES = 16
MIN_CUSTOM_BITS = 96.0
MIN_LENGTH = 20
MAX_LENGTH = 50  # longer names break Jitsi's Etherpad integration

# The form prosody compares against the token's room claim, and what nginx routes: checked before signing.
ROOM_PATTERN = re.compile(rf"[a-z0-9-]{{{MIN_LENGTH},{MAX_LENGTH}}}")


class WeakRoomNameError(ValueError):
    """A counsellor-chosen name that a stranger could guess or that Jitsi would mangle; `reason` says why."""

    def __init__(self, reason: str, bits: float = 0.0) -> None:
        super().__init__(reason)
        self.reason = reason
        self.bits = bits


def new_room_name(token_bytes: TokenBytes = secrets.token_bytes) -> str:
    """A fresh 128-bit room name such as `mfrggzdfmztwq2lknnwg23tpoa`."""
    raw = token_bytes(NAME_BYTES)
    if len(raw) != NAME_BYTES:
        raise ValueError(f"token_bytes returned {len(raw)} bytes, expected {NAME_BYTES}")
    return base64.b32encode(raw).decode("ascii").lower().rstrip("=")


def is_valid_room_name(name: str) -> bool:
    return ROOM_PATTERN.fullmatch(name) is not None


# --- custom names ------------------------------------------------------------------------------------------
#
# A deliberately pessimistic estimate: it must never call a guessable name strong, and may undersell a
# random one (the refusal suggests the generated name instead). Letter runs are credited log2(26) bits a
# character and digit runs log2(10), then most of that credit is taken back for what a person types
# predictably: repeats and runs ("aaaa", "1234"), letter pairs common in English, whole words, and a meeting
# vocabulary ("counselling", "room", weekdays, months). Dates are digits and get digits' credit only.

# A hundred of the commonest letter pairs in English (the top of Peter Norvig's Google Books counts). They
# make up about 70% of the pairs in this project's own prose, but only 15% (100 of 676) of random pairs.
# fmt: off
_COMMON_BIGRAMS = frozenset(
    {
        "th", "he", "in", "er", "an", "re", "on", "at", "en", "nd", "ti", "es", "or", "te", "of", "ed",
        "is", "it", "al", "ar", "st", "to", "nt", "ng", "se", "ha", "as", "ou", "io", "le", "ve", "co",
        "me", "de", "hi", "ri", "ro", "ic", "ne", "ea", "ra", "ce", "li", "ch", "ll", "be", "ma", "si",
        "om", "ur", "ca", "el", "ta", "la", "ns", "di", "fo", "ho", "pe", "ec", "pr", "no", "ct", "us",
        "ac", "ot", "il", "tr", "ly", "nc", "et", "ut", "ss", "so", "rs", "un", "lo", "wa", "ge", "ie",
        "wh", "ee", "wi", "em", "ad", "ol", "rt", "po", "we", "na", "ul", "ni", "ts", "mo", "ow", "pa",
        "im", "mi", "ai", "sh",
    }
)
# Words people put in meeting names, longest first so "counsellor" is not read as "counsel" + "lor".
_GUESSABLE_WORDS = tuple(
    sorted(
        (
            "room", "meeting", "meet", "session", "therapy", "therapist", "counselling", "counseling",
            "counsellor", "counselor", "client", "patient", "appointment", "call", "video", "chat",
            "private", "secure", "secret", "safe", "jitsi", "zoom", "online", "consult", "consultation",
            "coaching", "coach", "weekly", "monday", "tuesday", "wednesday", "thursday", "friday",
            "saturday", "sunday", "morning", "afternoon", "evening", "today", "tomorrow", "january",
            "february", "march", "april", "june", "july", "august", "september", "october", "november",
            "december", "only", "test",
        ),
        key=len,
        reverse=True,
    )
)
# fmt: on
_WORD_BITS = math.log2(50_000)  # one pick from a large English dictionary, however long the word
_LANGUAGE_CHAR_BITS = 2.0  # generous for running English text, whose letters carry about 1-2 bits each
_PREDICTABLE_CHAR_BITS = 1.0
_PRONOUNCEABLE_SHARE = 0.3  # random letters reach this share of common pairs only rarely
_LONG_RUN = 8


def _common_pair_share(run: str) -> float:
    pairs = [run[i : i + 2] for i in range(len(run) - 1)]
    return sum(pair in _COMMON_BIGRAMS for pair in pairs) / len(pairs) if pairs else 0.0


def _character_bits(run: str, per_char: float, repeated: Sequence[bool]) -> float:
    bits = 0.0
    for i, char in enumerate(run):
        step = ord(char) - ord(run[i - 1]) if i >= 1 else 99
        if repeated[i] or (i >= 2 and abs(step) <= 1 and step == ord(run[i - 1]) - ord(run[i - 2])):
            # Repeats what came before ("ababab", "x7k2x7k2") or continues a run ("aaaa", "abcd", "4321").
            bits += _PREDICTABLE_CHAR_BITS
        elif i >= 1 and run[i - 1] + char in _COMMON_BIGRAMS:
            bits += min(per_char, _LANGUAGE_CHAR_BITS)
        else:
            bits += per_char
    return bits


def _letter_run_bits(run: str, per_char: float, repeated: Sequence[bool]) -> float:
    bits = _character_bits(run, per_char, repeated)
    if _common_pair_share(run) >= _PRONOUNCEABLE_SHARE:
        # Reads like language: one dictionary word if short, words run together if long.
        bits = min(bits, _WORD_BITS if len(run) < _LONG_RUN else len(run) * _LANGUAGE_CHAR_BITS)
    for word in _GUESSABLE_WORDS:
        start = run.find(word)
        if start >= 0:
            end = start + len(word)
            split = (
                _letter_run_bits(run[:start], per_char, repeated[:start])
                + _WORD_BITS
                + _letter_run_bits(run[end:], per_char, repeated[end:])
            )
            return min(bits, split)
    return bits


def _repeated_positions(text: str) -> list[bool]:
    """True where the three characters ending here already appeared earlier: a repeat, not a new choice."""
    return [i >= 3 and text[i - 2 : i + 1] in text[: i - 1] for i in range(len(text))]


def estimate_bits(name: str) -> float:
    """A conservative estimate of the entropy of a lowercase `[a-z0-9-]` name, in bits."""
    # Hyphens only separate, so they are dropped before looking for repeats ("x7k2-x7k2-x7k2").
    compact = name.replace("-", "")
    repeated = _repeated_positions(compact)
    letters = {c for c in compact if c.isalpha()}
    is_hex = letters <= set("abcdef") and any(c.isdigit() for c in compact)
    total = 0.0
    # Letter and digit runs are scored apart, so "word2026" cannot hide its word.
    for match in re.finditer(r"[a-z]+|[0-9]+", compact):
        run, mask = match.group(), repeated[match.start() : match.end()]
        if is_hex:
            total += _character_bits(run, 4.0, mask)  # a UUID or hex digest: 16 symbols, no words to find
        elif run.isdigit():
            total += _character_bits(run, math.log2(10), mask)
        else:
            total += _letter_run_bits(run, math.log2(26), mask)
    return total


def check_custom_name(name: str) -> str:
    """The counsellor's own room name, lowercased, or `WeakRoomNameError` saying why it is refused."""
    normalised = name.strip().lower()
    if not re.fullmatch(r"[a-z0-9-]+", normalised):
        raise WeakRoomNameError("use only letters, digits and hyphens (no spaces, accents or symbols)")
    if not MIN_LENGTH <= len(normalised) <= MAX_LENGTH:
        raise WeakRoomNameError(f"use between {MIN_LENGTH} and {MAX_LENGTH} characters")
    bits = estimate_bits(normalised)
    if bits < MIN_CUSTOM_BITS:
        reason = f"it is too easy to guess (about {bits:.0f} bits; at least {MIN_CUSTOM_BITS:.0f} are needed)"
        raise WeakRoomNameError(reason, bits)
    return normalised
