"""`sentences.split` finds stops with a regular expression; it must cut exactly where the plain loop it replaced
cut (kept here as the definition)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.brain import sentences
from bot.brain.sentences import CLOSERS, _ends_sentence


def split_by_loop(text: str) -> list[str]:
    text = " ".join(text.split())
    found: list[str] = []
    start = 0
    index = 0
    while index < len(text):
        if text[index] in ".!?":
            end = index + 1
            while end < len(text) and text[end] in CLOSERS:
                end += 1
            if (end == len(text) or text[end] == " ") and _ends_sentence(text, start, index, end):
                found.append(text[start:end].strip())
                start = index = end
                continue
        index += 1
    rest = text[start:].strip()
    return [*found, rest] if rest else found


@given(st.text(alphabet=st.sampled_from("ab Dr e.g 1.!?\"'”’)](“ \n")))
def test_split_cuts_where_the_loop_did(text: str) -> None:
    assert sentences.split(text) == split_by_loop(text)


def test_split_keeps_abbreviations_and_closers() -> None:
    text = "Ask Dr. Lee first. Then “record it.” (Or not.) U.S. law applies"
    assert sentences.split(text) == ["Ask Dr. Lee first.", "Then “record it.”", "(Or not.)", "U.S. law applies"]
