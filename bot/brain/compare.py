"""Two or three platforms side by side, ending with a decision and its reason ("Choose Signal: …").

The decision weighs, in order: whether a platform still exists, its verdict, end-to-end encryption on the
surfaces the compared platforms are used for (calls and meetings for video platforms, chats for messengers),
advertising, and open apps. The reason names the first thing that separates the winner from the runner-up, and
a caveat says where the winner is worse (it makes money from ads, say).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import date

from bot.brain import sentences
from bot.brain.aspect_lines import aspect_line, e2ee_summary
from bot.brain.entries import MORE_POINTER, is_stale, notes
from bot.brain.phone import REPLY_LIMIT, Part, Priority, fit
from bot.kb.knowledge import KnowledgeBase
from bot.kb.schema import USE_SURFACES, Category, E2EEState, Platform, Use, Verdict
from bot.kb.words import E2EE_STATE_RANK, E2EE_STATE_WORDS, SURFACE_LABELS, VERDICT_LABELS, VERDICT_RANK
from bot.shared.answer import Answer, Intent, Section

USE_OF_CATEGORY = {
    Category.VIDEO: Use.VIDEO,
    Category.TELEHEALTH: Use.VIDEO,
    Category.PRACTICE: Use.VIDEO,
    Category.MESSENGER: Use.MESSAGING,
    Category.TEAM_CHAT: Use.MESSAGING,
    Category.SOCIAL: Use.MESSAGING,
    Category.PHONE: Use.MESSAGING,
    Category.EMAIL: Use.EMAIL,
}
ANY_SURFACE = ("chat_1to1", "calls", "meetings", "email")
OPEN_RANK = {"yes": 0, "partly": 1, "no": 2}
# Room for each platform's lines: the decision and the frame take the rest of the reply.
FRAME_CHARS = 330


def surfaces_compared(platforms: Sequence[Platform]) -> tuple[str, ...]:
    """The surfaces that matter for what these platforms are mostly used for."""
    uses = Counter(USE_OF_CATEGORY[platform.category] for platform in platforms if platform.category in USE_OF_CATEGORY)
    if not uses:
        return ANY_SURFACE
    use, _ = uses.most_common(1)[0]
    return tuple(surface for surface, _ in USE_SURFACES[use])


def best_protection(platform: Platform, surfaces: Sequence[str]) -> tuple[int, str]:
    """(rank, surface) of the best-protected surface among `surfaces`."""
    return min((E2EE_STATE_RANK[getattr(platform.e2ee, surface)], surface) for surface in surfaces)


def _score(platform: Platform, surfaces: Sequence[str]) -> tuple[int, int, bool, int]:
    return (
        VERDICT_RANK[platform.verdict],
        best_protection(platform, surfaces)[0],
        platform.business_model.advertising,
        OPEN_RANK[platform.open_source.client],
    )


def _protection_words(platform: Platform, surfaces: Sequence[str]) -> str:
    _, surface = best_protection(platform, surfaces)
    state = getattr(platform.e2ee, surface)
    if state is E2EEState.NOT_APPLICABLE:
        return "no end-to-end encryption for this use"
    return f"{SURFACE_LABELS[surface]} {E2EE_STATE_WORDS[state]}"


def _reason(best: Platform, other: Platform, surfaces: Sequence[str]) -> str | None:
    """The first thing that sets `best` above `other`, in words; None when nothing does."""
    if VERDICT_RANK[best.verdict] < VERDICT_RANK[other.verdict]:
        return (
            f"it is rated {VERDICT_LABELS[best.verdict].lower()}, "
            f"{other.name} {VERDICT_LABELS[other.verdict].lower()}"
        )
    if best_protection(best, surfaces)[0] < best_protection(other, surfaces)[0]:
        return f"{_protection_words(best, surfaces)}; {other.name}: {_protection_words(other, surfaces)}"
    if not best.business_model.advertising and other.business_model.advertising:
        return f"it does not make money from ads or ad targeting; {other.name} does"
    if OPEN_RANK[best.open_source.client] < OPEN_RANK[other.open_source.client]:
        return f"its apps are open source, so anyone can check what they do; {other.name}'s are not"
    return None


def _caveat(best: Platform, others: Sequence[Platform], surfaces: Sequence[str]) -> str:
    cleaner = [other.name for other in others if not other.business_model.advertising]
    if best.business_model.advertising and cleaner:
        verb = "does" if len(cleaner) == 1 else "do"
        return f" But it makes money from ads or ad targeting, and {' and '.join(cleaner)} {verb} not."
    if best_protection(best, surfaces)[0] == E2EE_STATE_RANK[E2EEState.OPTIONAL]:
        return " Switch end-to-end encryption on before you use it."
    return ""


def decision(platforms: Sequence[Platform], knowledge: KnowledgeBase) -> str:
    available = [platform for platform in platforms if platform.retired is None]
    retired = [platform for platform in platforms if platform.retired is not None]
    if not available:
        successors = sorted({knowledge.name_of(platform.retired.successor) for platform in retired if platform.retired})
        return f"None of these is available any more: use {' or '.join(successors)} instead."
    surfaces = surfaces_compared(available)
    ranked = sorted(available, key=lambda platform: _score(platform, surfaces))
    best = ranked[0]
    gone = f" ({' and '.join(platform.name for platform in retired)}: retired)" if retired else ""
    if len(ranked) == 1:
        return f"Choose {best.name}{gone}."
    reason = _reason(best, ranked[1], surfaces)
    if reason is None:
        return (
            "They are rated the same on encryption, ads and open source: choose the one your client can join "
            f"most easily, and set it up as “is {best.name} safe?” shows.{gone}"
        )
    if best.verdict is Verdict.AVOID:
        return f"None of these suits client work; if you must, {best.name}, because {reason}.{gone}"
    return f"Choose {best.name}: {reason}.{_caveat(best, ranked[1:], surfaces)}{gone}"


def _heading(platform: Platform) -> str:
    label = "retired" if platform.retired is not None else VERDICT_LABELS[platform.verdict].lower()
    return f"{platform.name} ({label})"


def compare_answer(
    platforms: Sequence[Platform],
    knowledge: KnowledgeBase,
    *,
    today: date,
    corrections: Sequence[tuple[str, str]] = (),
    also_unknown: str | None = None,
    left_out: Sequence[str] = (),
    aspects: Sequence[str] = (),
) -> Answer:
    """Every compared platform keeps its place: with an aspect asked, its answer to it; otherwise its encryption
    and ads. Each gets an equal share of the reply."""
    parts = notes(corrections, also_unknown)
    if left_out:
        parts.append(Part(Section(None, (f"I compare three at a time; ask again for {', '.join(left_out)}.",))))
    parts.append(Part(Section("In short", (decision(platforms, knowledge),))))
    share = max((REPLY_LIMIT - FRAME_CHARS) // len(platforms), 120)
    asked = [aspect for aspect in aspects if aspect not in ("settings", "client-message")][:1]
    for platform in platforms:
        line = next((found for aspect in asked if (found := aspect_line(platform, aspect, limit=share))), None)
        if line is None:
            ads = "Ads: yes." if platform.business_model.advertising else "No ads."
            line = f"{e2ee_summary(platform)} {ads}"
        parts.append(Part(Section(_heading(platform), (sentences.whole(line, share),)), Priority.ESSENTIAL))
    reviewed = min(platform.reviewed for platform in platforms)
    answer = Answer(
        intent=Intent.COMPARE,
        title=" vs ".join(platform.name for platform in platforms),
        reviewed=reviewed,
        stale=is_stale(reviewed, today),
        platforms=tuple(platform.id for platform in platforms),
        aspects=tuple(aspects),
        footer=f"Ask about one of them (“is {platforms[0].name} safe?”) for its settings. {MORE_POINTER}",
    )
    return fit(answer, parts)
