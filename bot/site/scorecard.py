"""What the scorecard shows: platforms grouped by use, and each row's cells as short words a person scans.

Pure functions of the loaded entries, so the tests (and any other page) can check the table without rendering it.
Words here are deliberately plain and short; the platform's own page has every fact in full.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from bot.kb.knowledge import READER_NOTICE_DAYS
from bot.kb.schema import Category, E2EEState, Platform
from bot.kb.words import E2EE_STATE_RANK, VERDICT_LABELS, VERDICT_RANK


@dataclass(frozen=True)
class Group:
    """A use a counsellor has for a platform, and the E2EE surfaces that matter for that use."""

    id: str
    title: str
    categories: tuple[Category, ...]
    surfaces: tuple[str, ...]


GROUPS: tuple[Group, ...] = (
    Group("video-sessions", "Video sessions", (Category.VIDEO, Category.TELEHEALTH), ("meetings", "calls")),
    Group(
        "messaging",
        "Messaging and phone",
        (Category.MESSENGER, Category.TEAM_CHAT, Category.SOCIAL, Category.PHONE),
        ("chat_1to1", "chat_group", "calls"),
    ),
    Group("email", "Email", (Category.EMAIL,), ("email",)),
    Group("practice-software", "Practice software", (Category.PRACTICE,), ("meetings", "calls", "chat_1to1")),
    Group("ai-tools", "AI tools", (Category.AI,), ()),
)
GROUP_OF: dict[Category, Group] = {category: group for group in GROUPS for category in group.categories}

# The verdict words and order are the chat's own (bot/kb/words.py), so the page and the chat say the same thing.


SURFACE_LABELS = {
    "chat_1to1": "One-to-one chats",
    "chat_group": "Group chats",
    "calls": "Calls",
    "meetings": "Video meetings",
    "email": "Email",
    "backups": "Backups",
}
STATE_LABELS = {
    E2EEState.DEFAULT: "yes, by default",
    E2EEState.OPTIONAL: "only if switched on",
    E2EEState.PARTIAL: "only in some cases",
    E2EEState.NONE: "no",
    E2EEState.NOT_APPLICABLE: "does not apply",
}
OPEN_SOURCE_RANK = {"yes": 0, "partly": 1, "no": 2}
CAN_HIDE_LABELS = {"yes": "you can hide it", "partly": "you can hide some of it", "no": "you cannot hide it"}


@dataclass(frozen=True)
class Surface:
    label: str
    state: E2EEState

    @property
    def words(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class Row:
    """One platform in the scorecard; `sort_*` are what the table sorts by when JavaScript is on."""

    platform: Platform
    group: Group
    surfaces: tuple[Surface, ...]
    stale: bool

    @property
    def verdict_label(self) -> str:
        return VERDICT_LABELS[self.platform.verdict]

    @property
    def sort_verdict(self) -> int:
        return VERDICT_RANK[self.platform.verdict]

    @property
    def sort_e2ee(self) -> int:
        unprotected = E2EE_STATE_RANK[E2EEState.NONE]
        return min((E2EE_STATE_RANK[surface.state] for surface in self.surfaces), default=unprotected)

    @property
    def sort_open_source(self) -> int:
        source = self.platform.open_source
        return OPEN_SOURCE_RANK[source.client] + OPEN_SOURCE_RANK[source.server]

    @property
    def where(self) -> str:
        return lead(self.platform.jurisdiction)

    @property
    def dpa(self) -> str:
        return lead(self.platform.compliance.gdpr)

    @property
    def baa(self) -> str:
        return lead(self.platform.compliance.hipaa_baa)

    @property
    def presence(self) -> str:
        return lead(self.platform.presence.shown)

    @property
    def can_hide(self) -> str | None:
        return CAN_HIDE_LABELS.get(self.platform.presence.can_hide)

    @property
    def search_text(self) -> str:
        """What the filter box matches: the names people type, lowercased."""
        platform = self.platform
        return " ".join((platform.name, platform.id, platform.operator, *platform.aliases)).lower()


@dataclass(frozen=True)
class Section:
    group: Group
    rows: tuple[Row, ...]


def surfaces_for(platform: Platform, group: Group) -> tuple[Surface, ...]:
    """The E2EE state of what a counsellor uses this platform for; other surfaces when none of those apply."""
    e2ee = platform.e2ee
    wanted = [name for name in group.surfaces if getattr(e2ee, name) is not E2EEState.NOT_APPLICABLE]
    if not wanted:
        wanted = [name for name in SURFACE_LABELS if getattr(e2ee, name) is not E2EEState.NOT_APPLICABLE]
    return tuple(Surface(SURFACE_LABELS[name], getattr(e2ee, name)) for name in wanted)


def is_stale(reviewed: date, today: date) -> bool:
    """Past the age at which the bot's answers, too, tell readers to check the sources."""
    return (today - reviewed).days > READER_NOTICE_DAYS


def sections(platforms: Iterable[Platform], today: date) -> tuple[Section, ...]:
    """Every platform in exactly one section, sections in the order of `GROUPS`, rows by verdict then name.
    Groups with no platform are left out."""
    by_group: dict[str, list[Row]] = {group.id: [] for group in GROUPS}
    for platform in platforms:
        group = GROUP_OF[platform.category]
        row = Row(platform, group, surfaces_for(platform, group), is_stale(platform.reviewed, today))
        by_group[group.id].append(row)
    result = []
    for group in GROUPS:
        rows = sorted(by_group[group.id], key=lambda row: (row.sort_verdict, row.platform.name.casefold()))
        if rows:
            result.append(Section(group, tuple(rows)))
    return tuple(result)


def numbered_sources(platform: Platform) -> tuple[str, ...]:
    """The entry's sources, then any incident's source not already listed: numbered from 1 in this order."""
    seen = dict.fromkeys(platform.sources)
    for incident in platform.incidents:
        seen.setdefault(incident.source)
    return tuple(seen)


# A sentence ends at a full stop followed by a space, outside brackets, and not after an abbreviation or an
# initial. Only there: a semicolon or a colon often comes before the part that matters ("Built for UK clinics;
# no BAA was found", "Personal accounts: no processor agreement").
_SENTENCE_END = re.compile(r"\.(?=\s|$)")
_NOT_AN_END = re.compile(r"\b(e\.g|i\.e|vs|etc|approx|incl|inc|ltd|co|dr|no|[a-z])$", re.IGNORECASE)


def lead(text: str, limit: int = 150) -> str:
    """The first sentence of a fact, for a table cell, cut at a word after about `limit` characters. A sentence
    cut short ends with "…" so the reader knows there is more on the platform's page."""
    text = " ".join(text.split())
    end = len(text)
    for match in _SENTENCE_END.finditer(text):
        head = text[: match.start()]
        if head.count("(") > head.count(")") or _NOT_AN_END.search(head):
            continue
        end = match.end()
        break
    sentence = text[:end]
    if len(sentence) > limit:
        sentence = sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:(")
    return sentence if sentence == text or sentence.endswith(".") else sentence + "…"

