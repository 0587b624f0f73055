from __future__ import annotations

import pytest

from bot.shared.normalise import normalise, tokens


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("WhatsApp?", "whatsapp"),
        ("ＷｈａｔｓＡｐｐ", "whatsapp"),  # full-width letters
        ("whatsаpp", "whatsapp"),  # Cyrillic а
        ("ΖΟΟΜ", "zoom"),  # Greek capitals that look Latin
        ("𝐳𝐨𝐨𝐦", "zoom"),  # mathematical bold
        ("Zöóm", "zoom"),  # accents
        ("ἀ", "a"),  # a Greek letter with a breathing mark: the mark goes, then the look-alike
        ("face\u200btime", "facetime"),  # zero-width space
        ("whats-app!! 😀🔒", "whats app"),  # punctuation and emoji
        ("Doxy.me", "doxy me"),
        ("what's e2ee", "whats e2ee"),
        ("I’m online", "im online"),  # typographic apostrophe
        ("   ", ""),
        ("🙂🙂", ""),
    ],
)
def test_normalise(typed: str, expected: str) -> None:
    assert normalise(typed) == expected


def test_tokens_split_on_any_separator() -> None:
    assert tokens("zoom/jitsi—signal,teams") == ["zoom", "jitsi", "signal", "teams"]


def test_very_long_input_is_cut() -> None:
    assert len(normalise("a " * 100_000)) < 5000
