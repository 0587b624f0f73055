"""Answers about knowledge-base entries: one platform, a comparison, a topic, a recommendation, the list."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from bot.kb.loader import WARN_AFTER_DAYS, KnowledgeBase
from bot.kb.schema import E2EE, USE_SURFACES, Category, E2EEState, Platform, Topic, Use, Verdict
from bot.shared.answer import Answer, Intent, Link, Section

VERDICT_LABELS = {
    Verdict.RECOMMENDED: "Recommended",
    Verdict.CARE: "Usable with care",
    Verdict.AVOID: "Avoid for client work",
    Verdict.RETIRED: "Retired",
}
VERDICT_RANK = {Verdict.RECOMMENDED: 0, Verdict.CARE: 1, Verdict.AVOID: 2, Verdict.RETIRED: 3}
USE_LABELS = {Use.VIDEO: "video sessions", Use.MESSAGING: "messaging clients", Use.EMAIL: "email"}
USE_CATEGORIES = {
    Use.VIDEO: frozenset({Category.VIDEO, Category.TELEHEALTH}),
    Use.MESSAGING: frozenset({Category.MESSENGER}),
    Use.EMAIL: frozenset({Category.EMAIL}),
}
MAX_WITH_CARE = 6
SURFACE_LABELS = {
    "chat_1to1": "one-to-one chats",
    "chat_group": "group chats",
    "calls": "calls",
    "meetings": "video meetings",
    "email": "email",
    "backups": "backups",
}
STATE_PHRASES = {
    E2EEState.DEFAULT: "end-to-end encrypted by default",
    E2EEState.OPTIONAL: "end-to-end encryption only if switched on",
    E2EEState.PARTIAL: "end-to-end encrypted only in some cases",
    E2EEState.NONE: "not end-to-end encrypted",
}
REGION_NOTES = {"us": ("HIPAA (US)", "hipaa_baa"), "eu": ("GDPR (EU)", "gdpr"), "uk": ("UK GDPR (ICO)", "gdpr")}


def first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def month_year(day: date) -> str:
    return day.strftime("%B %Y")


def is_stale(reviewed: date, today: date) -> bool:
    return (today - reviewed).days > WARN_AFTER_DAYS


def e2ee_lines(e2ee: E2EE) -> list[str]:
    """'Calls: end-to-end encrypted by default', one per surface that applies."""
    lines = []
    for surface, label in SURFACE_LABELS.items():
        state = getattr(e2ee, surface)
        if state is not E2EEState.NOT_APPLICABLE:
            lines.append(f"{label.capitalize()}: {STATE_PHRASES[state]}.")
    return lines


def e2ee_in_brief(e2ee: E2EE) -> str:
    groups: dict[E2EEState, list[str]] = {}
    for surface, label in SURFACE_LABELS.items():
        state = getattr(e2ee, surface)
        if state is not E2EEState.NOT_APPLICABLE and surface != "backups":
            groups.setdefault(state, []).append(label)
    parts = [f"{' and '.join(labels)}: {STATE_PHRASES[state]}" for state, labels in groups.items()]
    return ("; ".join(parts) + ".").capitalize() if parts else "Not applicable."


def compliance_lines(platform: Platform, region: str) -> list[str]:
    """The compliance notes for the user's region; for `other`, each regime in one sentence."""
    compliance = platform.compliance
    if region == "us":
        return [f"HIPAA (US): {compliance.hipaa_baa}"]
    if region == "uk":
        return [f"UK GDPR: {compliance.gdpr}", *([f"UK: {compliance.uk}"] if compliance.uk else [])]
    if region == "eu":
        return [f"GDPR (EU): {compliance.gdpr}", *([f"EU: {compliance.eu}"] if compliance.eu else [])]
    return [
        f"UK/EU GDPR: {first_sentence(compliance.gdpr)}",
        f"US HIPAA: {first_sentence(compliance.hipaa_baa)}",
    ]


def _verdict_line(platform: Platform, knowledge: KnowledgeBase) -> str:
    if platform.retired is not None:
        successor = knowledge.name_of(platform.retired.successor)
        return f"Retired on {platform.retired.date:%-d %B %Y}: use {successor} or another option instead."
    label = VERDICT_LABELS[platform.verdict]
    if platform.recommended_for:
        label += " for " + " and ".join(USE_LABELS[use] for use in platform.recommended_for)
    return label


def _no_entry_line(name: str) -> str:
    return f"I have no reviewed entry for “{name}”, so I say nothing about it: below is only what I know."


def _correction_line(corrections: Sequence[tuple[str, str]]) -> str | None:
    if not corrections:
        return None
    return "; ".join(f"I read “{typed}” as “{read}”" for typed, read in corrections) + "."


E2EE_RANK = {E2EEState.DEFAULT: 0, E2EEState.OPTIONAL: 1, E2EEState.PARTIAL: 2, E2EEState.NONE: 3}


def _fitness(platform: Platform, use: Use) -> tuple[int, bool, str]:
    """Best first: end-to-end encryption on the surfaces this use needs, then no advertising, then the name."""
    states = [getattr(platform.e2ee, surface) for surface, _ in USE_SURFACES[use]]
    best = min((E2EE_RANK.get(state, 4) for state in states), default=4)
    return best, platform.business_model.advertising, platform.name.casefold()


def platform_answer(
    platform: Platform,
    knowledge: KnowledgeBase,
    *,
    region: str,
    today: date,
    corrections: Sequence[tuple[str, str]] = (),
    also_unknown: str | None = None,
) -> Answer:
    sections = []
    note = _correction_line(corrections)
    if note:
        sections.append(Section(None, (note,)))
    sections += [
        Section("During a session", (platform.summary.session,)),
        Section("Beyond the session", (platform.summary.wider,)),
        Section("What to do now" if platform.retired else "Before you use it", platform.tips[:3]),
        Section("Rules where you work", tuple(compliance_lines(platform, region))),
    ]
    if also_unknown:
        sections.insert(0, Section(None, (_no_entry_line(also_unknown),)))
    return Answer(
        intent=Intent.PLATFORM,
        title=platform.name,
        verdict=_verdict_line(platform, knowledge),
        sections=tuple(sections),
        reviewed=platform.reviewed,
        stale=is_stale(platform.reviewed, today),
        platforms=(platform.id,),
        footer="Say “more” for the details: encryption per feature, presence, incidents and sources.",
    )


def platform_details(platform: Platform, knowledge: KnowledgeBase, *, region: str, today: date) -> Answer:
    """The long version ("more")."""
    e2ee = [*e2ee_lines(platform.e2ee)]
    if platform.e2ee.since:
        e2ee.append(f"Since: {platform.e2ee.since}")
    e2ee += platform.e2ee.caveats
    sections = [
        Section("End-to-end encryption", tuple(e2ee)),
        Section("What the company can see", (platform.provider_access, platform.metadata)),
        Section("Online status and read receipts", (platform.presence.shown, _can_hide(platform.presence.can_hide))),
        Section("What you and your client reveal", (platform.identifiers,)),
        Section("How it makes money", (platform.business_model.summary,)),
        Section("Open source and audits", _open_source(platform)),
        Section("Where it is based", (platform.jurisdiction,)),
        Section(
            "Rules where you work",
            _all_compliance(platform) if region == "other" else tuple(compliance_lines(platform, region)),
        ),
    ]
    if platform.incidents:
        sections.append(
            Section("Incidents", tuple(f"{incident.date:%b %Y}: {incident.what}" for incident in platform.incidents))
        )
    sections.append(Section("Settings to change", platform.tips))
    if platform.alternatives:
        names = ", ".join(knowledge.name_of(alternative) for alternative in platform.alternatives)
        sections.append(Section("Alternatives", (names,)))
    if platform.conflicts:
        sections.append(Section("Where sources disagree", (platform.conflicts,)))
    return Answer(
        intent=Intent.PLATFORM,
        title=f"{platform.name}: the details",
        verdict=_verdict_line(platform, knowledge),
        sections=tuple(sections),
        links=tuple(Link(f"Source {index}", url) for index, url in enumerate(platform.sources, 1)),
        reviewed=platform.reviewed,
        stale=is_stale(platform.reviewed, today),
        platforms=(platform.id,),
    )


def _can_hide(value: str) -> str:
    return {
        "yes": "You can hide it.",
        "partly": "You can hide some of it.",
        "no": "You cannot hide it.",
        "n/a": "Not applicable.",
    }[value]


def _open_source(platform: Platform) -> tuple[str, ...]:
    source = platform.open_source
    lines = [f"Apps: {source.client}. Servers: {source.server}."]
    if source.audits:
        lines.append(source.audits)
    return tuple(lines)


def _all_compliance(platform: Platform) -> tuple[str, ...]:
    compliance = platform.compliance
    lines = [f"UK/EU GDPR: {compliance.gdpr}", f"US HIPAA: {compliance.hipaa_baa}"]
    if compliance.uk:
        lines.append(f"UK: {compliance.uk}")
    if compliance.eu:
        lines.append(f"EU: {compliance.eu}")
    return tuple(lines)


def compare_answer(
    platforms: Sequence[Platform],
    knowledge: KnowledgeBase,
    *,
    today: date,
    corrections: Sequence[tuple[str, str]] = (),
    also_unknown: str | None = None,
    left_out: Sequence[str] = (),
) -> Answer:
    sections = []
    note = _correction_line(corrections)
    if note:
        sections.append(Section(None, (note,)))
    if left_out:
        sections.append(Section(None, (f"I compare three at a time; ask again for {', '.join(left_out)}.",)))
    if also_unknown:
        sections.append(Section(None, (_no_entry_line(also_unknown),)))
    for platform in platforms:
        sections.append(
            Section(
                f"{platform.name} ({_verdict_line(platform, knowledge).lower()})",
                (
                    f"During a session: {e2ee_in_brief(platform.e2ee)}",
                    f"Ads or data sharing for ads: {'yes' if platform.business_model.advertising else 'no'}.",
                    f"Shows when you are online: {first_sentence(platform.presence.shown)}",
                    f"Open source: apps {platform.open_source.client}, servers {platform.open_source.server}.",
                ),
            )
        )
    ranked = sorted(platforms, key=lambda platform: VERDICT_RANK[platform.verdict])
    best, runner_up = ranked[0], ranked[1]
    if VERDICT_RANK[best.verdict] < VERDICT_RANK[runner_up.verdict]:
        bottom = f"Of these, {best.name} is the better choice for client work ({VERDICT_LABELS[best.verdict].lower()})."
    else:
        bottom = "These are rated the same: the detail above decides. Ask about one for its settings."
    sections.append(Section("In short", (bottom,)))
    reviewed = min(platform.reviewed for platform in platforms)
    return Answer(
        intent=Intent.COMPARE,
        title=" vs ".join(platform.name for platform in platforms),
        sections=tuple(sections),
        reviewed=reviewed,
        stale=is_stale(reviewed, today),
        platforms=tuple(platform.id for platform in platforms),
        footer="Ask about one of them (“is Zoom safe?”) for its settings and sources.",
    )


def topic_answer(topic: Topic, knowledge: KnowledgeBase, *, today: date, long: bool = False) -> Answer:
    sections = [Section(None, (topic.long if long else topic.short,))]
    if long and topic.related:
        sections.append(Section("Related", (", ".join(knowledge.name_of(entry) for entry in topic.related),)))
    return Answer(
        intent=Intent.TOPIC,
        title=topic.name,
        sections=tuple(sections),
        links=tuple(Link(f"Source {index}", url) for index, url in enumerate(topic.sources, 1)) if long else (),
        reviewed=topic.reviewed,
        stale=is_stale(topic.reviewed, today),
        topic=topic.id,
        footer=None if long else "Say “more” for the longer answer and sources.",
    )


def recommend_answer(knowledge: KnowledgeBase, use: str | None, checklist: Sequence[str]) -> Answer:
    uses = [Use(use)] if use else list(Use)
    sections = []
    for wanted in uses:
        platforms = sorted(knowledge.platforms.values(), key=lambda platform: platform.name.casefold())
        picks = [platform for platform in platforms if wanted in platform.recommended_for]
        lines = [f"{platform.name}: {first_sentence(platform.summary.session)}" for platform in picks]
        # The platforms made for this use that are usable with care: counsellors often must use one of them.
        with_care = [
            platform.name
            for platform in sorted(platforms, key=lambda platform: _fitness(platform, wanted))
            if platform.verdict is Verdict.CARE and platform.category in USE_CATEGORIES[wanted]
        ]
        if with_care:
            lines.append("Usable with care: " + ", ".join(with_care[:MAX_WITH_CARE]) + ".")
        sections.append(Section(f"For {USE_LABELS[wanted]}", tuple(lines) or ("Nothing reviewed yet.",)))
    sections.append(Section("Whatever you choose, check", tuple(checklist)))
    return Answer(
        intent=Intent.RECOMMEND,
        title="What I would look at first",
        sections=tuple(sections),
        footer="Ask about any of them (“is Signal safe?”) for the settings to change.",
    )


def list_answer(knowledge: KnowledgeBase) -> Answer:
    by_verdict: dict[Verdict, list[str]] = {}
    for platform in sorted(knowledge.platforms.values(), key=lambda platform: platform.name.casefold()):
        by_verdict.setdefault(platform.verdict, []).append(platform.name)
    sections = [
        Section(VERDICT_LABELS[verdict], (", ".join(names),))
        for verdict, names in sorted(by_verdict.items(), key=lambda item: VERDICT_RANK[item[0]])
    ]
    topics = ", ".join(sorted(topic.name for topic in knowledge.topics.values()))
    sections.append(Section("Topics", (topics,)))
    return Answer(
        intent=Intent.LIST,
        title=f"I have reviewed {len(knowledge.platforms)} platforms",
        sections=tuple(sections),
        footer="Ask “is X safe?” or “X vs Y”.",
    )
