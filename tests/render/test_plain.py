"""`phone.fit` measures a plain message as its frame plus one block per section; that must be its length."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.brain.phone import block_size, plain_length
from bot.render.plain import section_block, section_length
from bot.shared.answer import Answer, Intent, Link, Section

SECTIONS = (
    Section(None, ("One line.",)),
    Section("Heading", ("Only line.",)),
    Section("Tips", ("First.", "Second.", "Third.")),
    Section("Empty", ()),
    Section(None, ()),
)
BARE = Answer(intent=Intent.PLATFORM, title="Zoom")
DRESSED = replace(
    BARE,
    verdict="Usable with care",
    links=(Link("Source 1", "https://example.org"),),
    reviewed=date(2026, 11, 1),
    stale=True,
    footer="Say “more”.",
    follow_ups=(Answer(intent=Intent.PLATFORM, title="Not counted"),),
)


@pytest.mark.parametrize("frame", [BARE, DRESSED, replace(DRESSED, links_first=True)])
@pytest.mark.parametrize("count", range(len(SECTIONS) + 1))
def test_a_plain_message_is_its_frame_plus_its_sections(frame: Answer, count: int) -> None:
    sections = SECTIONS[:count]
    expected = plain_length(frame) + sum(block_size(section) for section in sections)
    assert plain_length(replace(frame, sections=sections)) == expected


@given(
    st.one_of(st.none(), st.text(max_size=12)),
    st.lists(st.text(max_size=20), max_size=5),
)
def test_a_section_is_counted_as_long_as_its_block(heading: str | None, lines: list[str]) -> None:
    section = Section(heading, tuple(lines))
    assert section_length(section) == len(section_block(section))
