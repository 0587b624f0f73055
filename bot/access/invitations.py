"""Invitation codes: 80 random bits written as 16 letters and digits, read back forgivingly.

Crockford's base32 alphabet leaves out I, L, O and U, so a code read aloud or typed on a phone survives the
usual slips: case does not matter, spaces and dashes are ignored, and O, I and L are read as 0, 1 and 1.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 16  # 16 characters of 5 bits: 80 bits, beyond guessing at a few tries an hour
_BYTES = LENGTH * 5 // 8
_SLIPS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_SEPARATORS = re.compile(r"[\s\-_.]+")
# "join CODE", "/join CODE", and Telegram's deep link (t.me/<bot>?start=CODE arrives as "/start CODE").
_JOIN = re.compile(r"\s*/?(?:join|start)\s+(?P<code>\S.*?)\s*", re.IGNORECASE | re.DOTALL)
MAX_TYPED = 40  # a code with separators and stray spaces; anything longer is not one


def new_code(random_bytes: Callable[[int], bytes] = secrets.token_bytes) -> str:
    """A fresh code in canonical form: 16 characters of the alphabet, from `secrets` (80 bits)."""
    number = int.from_bytes(random_bytes(_BYTES), "big")
    return "".join(ALPHABET[(number >> shift) & 31] for shift in range(5 * (LENGTH - 1), -1, -5))


def grouped(code: str) -> str:
    """A code as it is shown, in fours for reading aloud: `7K3M-Q9XD-2HPR-A4VB`."""
    return "-".join(code[start : start + 4] for start in range(0, len(code), 4))


def read_code(typed: str) -> str | None:
    """The code in canonical form (16 characters, no dashes), or None if `typed` cannot be one."""
    if len(typed) > MAX_TYPED:
        return None
    code = _SEPARATORS.sub("", typed).upper().translate(_SLIPS)
    if len(code) != LENGTH or any(char not in ALPHABET for char in code):
        return None
    return code


def join_argument(text: str) -> str | None:
    """What follows "join" (or "/start") in a message that is a request to join, else None."""
    match = _JOIN.fullmatch(text)
    return match.group("code") if match else None
