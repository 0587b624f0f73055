from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.brain import entries
from bot.kb.loader import KnowledgeBase
from bot.kb.schema import Category, E2EEState, Incident, Platform, Verdict
from bot.kb.words import VERDICT_LABELS, VERDICT_RANK
from bot.site.scorecard import (
    GROUP_OF,
    GROUPS,
    lead,
    numbered_sources,
    sections,
    surfaces_for,
)
from tests.test_layers import package_imports

TODAY = date(2026, 12, 6)


def test_verdicts_are_worded_and_ordered_as_the_bot_says_them(knowledge: KnowledgeBase) -> None:
    # One table of words for both: the page shows the verdict the chat gives.
    for platform in knowledge.platforms.values():
        said = entries.platform_answer(platform, knowledge, region=None, today=TODAY).verdict or ""
        assert said.startswith(VERDICT_LABELS[platform.verdict]) or platform.retired is not None
    assert sorted(VERDICT_RANK, key=VERDICT_RANK.__getitem__)[0] is Verdict.RECOMMENDED


def test_the_website_does_not_import_the_brain() -> None:
    # The brain imports bot.site.urls for the "more" link; the other way round would be a cycle.
    assert "brain" not in package_imports()["site"]


def test_every_category_belongs_to_a_group() -> None:
    assert set(GROUP_OF) == set(Category)


def test_every_platform_is_in_exactly_one_row(knowledge: KnowledgeBase) -> None:
    ids = [row.platform.id for section in sections(knowledge.platforms.values(), TODAY) for row in section.rows]
    assert sorted(ids) == sorted(knowledge.platforms)


def test_sections_follow_the_groups_and_skip_empty_ones(knowledge: KnowledgeBase) -> None:
    whatsapp = knowledge.platforms["whatsapp"]
    ai = replace(whatsapp, id="scribe", name="Scribe", category=Category.AI)
    practice = replace(whatsapp, id="notes", name="Notes", category=Category.PRACTICE)
    found = sections([ai, practice, whatsapp], TODAY)
    assert [section.group.id for section in found] == ["messaging", "practice-software", "ai-tools"]
    assert [group.id for group in GROUPS][-2:] == ["practice-software", "ai-tools"]


def test_rows_go_from_recommended_to_retired(knowledge: KnowledgeBase) -> None:
    for section in sections(knowledge.platforms.values(), TODAY):
        ranks = [row.sort_verdict for row in section.rows]
        assert ranks == sorted(ranks)


def test_e2ee_cell_shows_the_surfaces_of_the_use(knowledge: KnowledgeBase) -> None:
    whatsapp = knowledge.platforms["whatsapp"]
    surfaces = surfaces_for(whatsapp, GROUP_OF[whatsapp.category])
    assert [(surface.label, surface.state) for surface in surfaces] == [
        ("One-to-one chats", E2EEState.DEFAULT),
        ("Group chats", E2EEState.DEFAULT),
        ("Calls", E2EEState.DEFAULT),
    ]


def test_e2ee_cell_falls_back_to_any_surface_that_applies(knowledge: KnowledgeBase) -> None:
    whatsapp = knowledge.platforms["whatsapp"]
    scribe = replace(whatsapp, category=Category.AI)
    assert surfaces_for(scribe, GROUP_OF[Category.AI])[0].label == "One-to-one chats"


def test_incident_sources_are_numbered_after_the_entry_sources(knowledge: KnowledgeBase) -> None:
    whatsapp = knowledge.platforms["whatsapp"]
    extra = Incident(date=date(2024, 1, 2), what="Something happened.", source="https://example.org/incident")
    listed = Incident(date=date(2024, 1, 3), what="Again.", source=whatsapp.sources[1])
    changed = replace(whatsapp, incidents=(extra, listed))
    assert numbered_sources(changed) == (*whatsapp.sources, "https://example.org/incident")


def test_stale_rows_are_flagged(knowledge: KnowledgeBase) -> None:
    platform: Platform = knowledge.platforms["signal"]
    later = date.fromordinal(platform.reviewed.toordinal() + 181)
    (row,) = [row for section in sections([platform], later) for row in section.rows]
    assert row.stale
    (row,) = [row for section in sections([platform], platform.reviewed) for row in section.rows]
    assert not row.stale


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No processor agreement.", "No processor agreement."),
        ("Only Workspace: the admin must accept it. Then more.", "Only Workspace: the admin must accept it."),
        ("Built for UK clinics; no BAA was found. Not for US data.", "Built for UK clinics; no BAA was found."),
        ("United States (Apple Inc.). Data in Ireland.", "United States (Apple Inc.)."),
        ("Use e.g. Signal instead. Then more.", "Use e.g. Signal instead."),
        ("Doxy.me signs a BAA. More.", "Doxy.me signs a BAA."),
        ("word " * 60, ("word " * 30).strip() + "…"),
    ],
)
def test_lead_keeps_the_first_sentence(text: str, expected: str) -> None:
    assert lead(text) == expected
