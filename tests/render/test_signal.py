from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from bot.render.signal import MAX_BYTES, escape, render_signal, split_message
from bot.shared.answer import Answer, Intent, Link, Section


def unescape(text: str) -> str:
    out, i = [], 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def test_markup_characters_in_dynamic_text_are_escaped() -> None:
    answer = Answer(
        intent=Intent.PLATFORM,
        title="Zoom",
        verdict="Safe *with* settings",
        sections=(Section("Tips", ("use ~lobby~ | `pw` \\ done",)),),
        links=(Link("Guide", "https://example.org/~user/a*b"),),
        reviewed=date(2026, 11, 1),
    )
    [message] = render_signal(answer)
    assert message.startswith("**Zoom**\nSafe \\*with\\* settings")
    assert "use \\~lobby\\~ \\| \\`pw\\` \\\\ done" in message
    assert "Guide: https://example.org/\\~user/a\\*b" in message
    assert "*Reviewed 2026-11-01*" in message
    assert "***" not in message


def test_headings_lose_edge_markers_instead_of_making_triple_asterisks() -> None:
    [message] = render_signal(Answer(intent=Intent.HELP, title="*Help*"))
    assert message == "**Help**"


def test_follow_ups_become_their_own_messages_in_order() -> None:
    answer = Answer(
        intent=Intent.ROOM,
        title="Room ready",
        follow_ups=(
            Answer(intent=Intent.ROOM, title="Client link"),
            Answer(intent=Intent.ROOM, title="Checklist"),
        ),
    )
    assert render_signal(answer) == ["**Room ready**", "**Client link**", "**Checklist**"]


def test_stale_answers_say_so() -> None:
    [message] = render_signal(Answer(intent=Intent.PLATFORM, title="X", stale=True))
    assert "check the sources" in message


def test_long_answers_split_at_paragraphs() -> None:
    sections = tuple(Section(f"Part {i}", ("word " * 60,)) for i in range(12))
    messages = render_signal(Answer(intent=Intent.TOPIC, title="Long", sections=sections))
    assert len(messages) > 1
    assert all(len(m.encode()) <= MAX_BYTES for m in messages)
    # each section heading stays with its text: cuts happen only between paragraphs
    for message in messages:
        for paragraph in message.split("\n\n"):
            if paragraph.startswith("**Part"):
                assert "\nword" in paragraph


def test_a_single_huge_word_is_cut_without_a_dangling_backslash() -> None:
    text = escape("*" * 3000)
    pieces = split_message(text, max_bytes=101)
    assert all(len(p.encode()) <= 101 for p in pieces)
    assert all(not p.endswith("\\") or p.endswith("\\\\") for p in pieces)
    assert unescape("".join(pieces)) == "*" * 3000


@given(st.text(alphabet=st.sampled_from(list("ab *~|`\\\n é🙂")), max_size=3000), st.integers(40, 400))
def test_splitting_keeps_every_visible_character_in_order(text: str, limit: int) -> None:
    pieces = split_message(text, max_bytes=limit)
    assert all(len(p.encode()) <= limit for p in pieces)
    assert "".join("".join(pieces).split()) == "".join(text.split())


@given(st.text(alphabet=st.sampled_from("ab \\*~|`é\n")))
def test_escape_puts_one_backslash_before_each_markup_character(text: str) -> None:
    assert escape(text) == "".join("\\" + char if char in "\\*~|`" else char for char in text)
    assert unescape(escape(text)) == text
