"""Sentences: where a text may be cut without changing what it says.

A reply read on a phone shows the first sentences of a longer text and leaves the rest to "more". Cutting inside
a sentence can flip its meaning ("keep recording … off" losing "off"), so text is cut at sentence ends, and only
as a last resort at a clause or a word, with "…" to say so.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Words whose full stop does not end a sentence.
ABBREVIATIONS = frozenset({"dr", "mr", "mrs", "ms", "st", "e.g", "i.e", "etc", "vs", "inc", "ltd", "no", "approx"})
CLOSERS = "\"'”’)]"


# A stop and the closers after it. Found by the regular expression engine rather than by stepping through the
# text in Python: every reply cuts a few texts to whole sentences, and that loop was a good part of its cost.
_STOP = re.compile(f"[.!?][{re.escape(CLOSERS)}]*")


def split(text: str) -> list[str]:
    """The sentences of `text`, each with its closing punctuation (a quote or bracket after the stop included)."""
    text = " ".join(text.split())
    sentences: list[str] = []
    start = 0
    for stop in _STOP.finditer(text):
        end = stop.end()
        at_break = end == len(text) or text[end] == " "
        if at_break and _ends_sentence(text, start, stop.start(), end):
            sentences.append(text[start:end].strip())
            start = end
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _ends_sentence(text: str, start: int, stop: int, end: int) -> bool:
    if text[stop] != ".":
        return True
    word = text[start:stop].rsplit(" ", 1)[-1].lower()
    if word in ABBREVIATIONS or (len(word) == 1 and word.isalpha()):
        return False  # "Dr. Lee", "e.g. Zoom", "J. Smith"
    following = text[end + 1 : end + 2]
    # "U.S. law", "v2.1 of": a real sentence starts with a capital, a digit or a quote.
    return not following or following.isupper() or following.isdigit() or following in "\"'“‘("


# Kept: every reply cuts a few of the knowledge base's texts to a few fixed lengths, the same ones again and again.
# Safe to keep because only knowledge-base text is ever cut here (entries, comparisons, aspect lines: a question's
# words never are; `shorten`, which may see a name the user typed, uses `_whole` and keeps nothing), and bounded:
# the knowledge base has about 3,000 (text, length) pairs, and all the question sets use 1,135.
@lru_cache(maxsize=4096)
def whole(text: str, limit: int) -> str:
    """The first whole sentences of `text` that fit in `limit` characters; at least the first sentence, whatever
    its length. Never cuts inside a sentence. For knowledge-base text only: results are kept (see above)."""
    return _whole(text, limit)


def _whole(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    kept = ""
    for sentence in split(text):
        candidate = f"{kept} {sentence}".strip()
        if kept and len(candidate) > limit:
            break
        kept = candidate
        if len(kept) >= limit:
            break
    return kept


def shorten(text: str, limit: int) -> str:
    """Whole sentences up to `limit`; when even the first is longer, cut at its last clause break (a comma, a
    dash) or word, with "…". The last resort: callers prefer `whole`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    first = _whole(text, limit)
    if len(first) <= limit:
        return first
    head = text[: max(limit - 1, 1)]
    clause = max(head.rfind(mark) for mark in (", ", "; ", " – ", " — "))
    cut = head[:clause] if clause > limit // 2 and head[:clause].count("(") == head[:clause].count(")") else ""
    if not cut:
        cut = head.rsplit(" ", 1)[0] if " " in head else head
        if cut.count("(") > cut.count(")"):
            cut = cut[: cut.rfind("(")].rstrip()
    return cut.rstrip(",;:–— ") + "…"


def first(text: str) -> str:
    """The first sentence."""
    sentences = split(text)
    return sentences[0] if sentences else text
