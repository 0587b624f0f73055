"""`phone.fit` measures a plain message as its frame plus one block per section; that must be its length."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.brain.phone import block_size, plain_length
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
