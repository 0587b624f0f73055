"""Answers about knowledge-base entries: one platform, a comparison, a topic, a recommendation, the list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from bot.brain.aspect_lines import aspect_line, e2ee_summary, tips_for
from bot.brain.phone import Part, fit, shorten
from bot.kb.loader import READER_NOTICE_DAYS, KnowledgeBase
from bot.kb.schema import E2EE, USE_SURFACES, Category, E2EEState, Platform, Topic, Use, Verdict
from bot.kb.words import E2EE_STATE_WORDS, SURFACE_LABELS, VERDICT_LABELS, VERDICT_RANK
from bot.shared.answer import Answer, Intent, Link, Section

USE_LABELS = {Use.VIDEO: "video sessions", Use.MESSAGING: "messaging clients", Use.EMAIL: "email"}
USE_CATEGORIES = {
    Use.VIDEO: frozenset({Category.VIDEO, Category.TELEHEALTH}),
    Use.MESSAGING: frozenset({Category.MESSENGER}),
    Use.EMAIL: frozenset({Category.EMAIL}),
}
MAX_WITH_CARE = 6


def first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def month_year(day: date) -> str:
    return day.strftime("%B %Y")


def is_stale(reviewed: date, today: date) -> bool:
    return (today - reviewed).days > READER_NOTICE_DAYS


def e2ee_lines(e2ee: E2EE) -> list[str]:
    """'Calls: end-to-end encrypted by default', one per surface that applies."""
    lines = []
    for surface, label in SURFACE_LABELS.items():
        state = getattr(e2ee, surface)
        if state is not E2EEState.NOT_APPLICABLE:
            lines.append(f"{label.capitalize()}: {E2EE_STATE_WORDS[state]}.")
    return lines


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


MORE_POINTER = "Say “more” for the rest, with sources."
ASK_REGION = "Which rules apply to you: UK, EU or US? Say “region uk”, “region eu” or “region us”."
# A short answer is read on a phone. It aims at SOFT_LIMIT characters (parts beyond the essentials give way to
# it) and never passes phone.REPLY_LIMIT; "more" has every text whole.
SOFT_LIMIT = 650
RULE_LINE_CHARS = 90  # a rules line: the first clause of the entry's compliance text
TIP_CHARS = 130  # a tip: its first sentence
LEAD_CHARS = 420  # the aspect's own answer, as the schema allows it
SUMMARY_CHARS = 260  # the during-a-session summary
LAW_LINE_CHARS = 200  # a topic's law line for the user's region
MAX_ASPECTS_SHOWN = 2
MAX_TIPS = 3


def short_rules(platform: Platform, region: str | None) -> tuple[str, ...]:
    """One short line for the user's region; when it is not known (or "other"), one short line per regime."""
    compliance = platform.compliance
    gdpr, hipaa = shorten(compliance.gdpr, RULE_LINE_CHARS), shorten(compliance.hipaa_baa, RULE_LINE_CHARS)
    if region == "us":
        return (f"HIPAA (US): {hipaa}",)
    if region == "uk":
        return (f"UK GDPR: {gdpr}",)
    if region == "eu":
        return (f"GDPR (EU): {gdpr}",)
    return (f"UK/EU GDPR: {gdpr}", f"US HIPAA: {hipaa}")


def _notes(corrections: Sequence[tuple[str, str]], also_unknown: str | None) -> list[Part]:
    parts = []
    if also_unknown:
        parts.append(Part(Section(None, (_no_entry_line(also_unknown),))))
    note = _correction_line(corrections)
    if note:
        parts.append(Part(Section(None, (note,))))
    return parts


def platform_answer(
    platform: Platform,
    knowledge: KnowledgeBase,
    *,
    region: str | None,
    today: date,
    corrections: Sequence[tuple[str, str]] = (),
    also_unknown: str | None = None,
    aspects: Sequence[str] = (),
    raises: Callable[[str], Sequence[str]] = lambda _: (),
    ask_region: bool = False,
) -> Answer:
    """The phone-sized answer: verdict first, then the direct answer to what was asked, a few actions, the date.

    `aspects` are what the question asked about ("recording"); `raises` tells which aspects a tip is about, so
    the tips for the question come first. Everything else waits for "more".
    """
    if "client-message" in aspects:
        return client_message_answer(platform, knowledge, today=today)
    parts = _notes(corrections, also_unknown)
    answered = [line for aspect in aspects if (line := aspect_line(platform, aspect, limit=LEAD_CHARS)) is not None]
    for line in answered[:MAX_ASPECTS_SHOWN]:
        parts.append(Part(Section(None, (line,))))
    if not answered and "settings" not in aspects:
        session_line = f"During a session: {shorten(platform.summary.session, SUMMARY_CHARS)}"
        parts.append(Part(Section(None, (session_line,))))
        parts.append(Part(Section(None, (f"Beyond the session: {platform.summary.wider}",)), priority=3))
    tips = tips_for(platform, aspects, raises)
    heading = "What to do now" if platform.retired else ("Settings" if "settings" in aspects else "Before you use it")
    tips_limit = len(tips) if "settings" in aspects else MAX_TIPS
    short_tips = tuple(shorten(tip, TIP_CHARS) for tip in tips[:tips_limit])
    # With the question's own answer given, one action is enough to keep; the others give way first.
    parts.append(Part(Section(heading, short_tips), priority=2, shrinks=True, keep=1 if answered else 2))
    if not {"gdpr", "hipaa"} & set(aspects):
        # The user's own region is one line worth keeping; every region's line is a stopgap until they say.
        parts.append(Part(Section("Rules", short_rules(platform, region)), priority=1, shrinks=True))
    if ask_region:
        parts.append(Part(Section(None, (ASK_REGION,)), priority=1))
    answer = Answer(
        intent=Intent.PLATFORM,
        title=platform.name,
        verdict=_verdict_line(platform, knowledge),
        reviewed=platform.reviewed,
        stale=is_stale(platform.reviewed, today),
        platforms=(platform.id,),
        aspects=tuple(aspects),
        footer=MORE_POINTER,
    )
    return fit(answer, parts, soft_limit=SOFT_LIMIT)


def client_message_answer(platform: Platform, knowledge: KnowledgeBase, *, today: date) -> Answer:
    """A short note for the counsellor, then the message to forward to the client as it is (its own message)."""
    lines = (
        shorten(platform.summary.session, 240),
        "The next message is for your client: forward it as it is.",
    )
    follow_ups = (
        Answer(
            intent=Intent.PLATFORM,
            title=f"About our sessions on {platform.name}",
            sections=(Section(None, (platform.client_message,)),),
            platforms=(platform.id,),
            aspects=("client-message",),
        ),
    )
    return Answer(
        intent=Intent.PLATFORM,
        title=platform.name,
        verdict=_verdict_line(platform, knowledge),
        sections=(Section(None, lines),),
        reviewed=platform.reviewed,
        stale=is_stale(platform.reviewed, today),
        platforms=(platform.id,),
        aspects=("client-message",),
        footer=MORE_POINTER,
        follow_ups=follow_ups,
    )


DETAIL_ASPECTS = (
    ("Recording", "recording"),
    ("Groups", "groups"),
    ("On phones", "mobile"),
    ("What your client needs", "accounts"),
    ("Cost", "cost"),
    ("AI features", "ai_features"),
    ("Backups", "backups"),
)


def platform_details(platform: Platform, knowledge: KnowledgeBase, *, region: str | None, today: date) -> Answer:
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
        *(Section(heading, (getattr(platform, field),)) for heading, field in DETAIL_ASPECTS),
        Section(
            "Rules where you work",
            _all_compliance(platform) if region in (None, "other") else tuple(compliance_lines(platform, region)),
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


def _e2ee_rank(platform: Platform) -> int:
    """How well the surfaces a counsellor uses are protected: 0 when something is end-to-end encrypted by
    default, 1 when it can be switched on, and so on."""
    surfaces = ("chat_1to1", "calls", "meetings", "email")
    return min((E2EE_RANK.get(getattr(platform.e2ee, surface), 4) for surface in surfaces), default=4)


def _why_better(best: Platform, other: Platform) -> str | None:
    """The first thing that sets `best` above `other`, in words, or None when nothing does."""
    if VERDICT_RANK[best.verdict] < VERDICT_RANK[other.verdict]:
        rated = VERDICT_LABELS[best.verdict].lower()
        return f"it is rated {rated}, {other.name} {VERDICT_LABELS[other.verdict].lower()}"
    if _e2ee_rank(best) < _e2ee_rank(other):
        how = "by default" if _e2ee_rank(best) == 0 else "when switched on"
        return f"it is end-to-end encrypted {how}, so the company cannot see or hear your sessions"
    if not best.business_model.advertising and other.business_model.advertising:
        return "it does not make money from ads or ad targeting"
    open_rank = {"yes": 0, "partly": 1, "no": 2}
    if open_rank[best.open_source.client] < open_rank[other.open_source.client]:
        return "its apps are open source, so anyone can check what they do"
    return None


def _decision(platforms: Sequence[Platform]) -> str:
    ranked = sorted(
        platforms,
        key=lambda platform: (
            VERDICT_RANK[platform.verdict],
            _e2ee_rank(platform),
            platform.business_model.advertising,
            {"yes": 0, "partly": 1, "no": 2}[platform.open_source.client],
        ),
    )
    best, runner_up = ranked[0], ranked[1]
    reason = _why_better(best, runner_up)
    if reason is None:
        return (
            f"They are close: choose the one your client can use most easily, and set it up as "
            f"“is {best.name} safe?” shows."
        )
    if best.verdict is Verdict.AVOID:
        return f"None of these suits client work; if you must, {best.name}, because {reason}."
    return f"Choose {best.name}: {reason}."


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
    parts = _notes(corrections, also_unknown)
    if left_out:
        parts.append(Part(Section(None, (f"I compare three at a time; ask again for {', '.join(left_out)}.",))))
    parts.append(Part(Section("In short", (_decision(platforms),))))
    share = 900 // (len(platforms) * 2)
    for platform in platforms:
        lines = [f"{e2ee_summary(platform)} {'Ads: yes.' if platform.business_model.advertising else 'No ads.'}"]
        lines += [line for aspect in aspects[:1] if (line := aspect_line(platform, aspect, limit=share))]
        heading = f"{platform.name} ({_verdict_line(platform, knowledge).lower()})"
        parts.append(Part(Section(heading, tuple(lines)), shrinks=True, priority=1 if aspects else 0))
    reviewed = min(platform.reviewed for platform in platforms)
    answer = Answer(
        intent=Intent.COMPARE,
        title=" vs ".join(platform.name for platform in platforms),
        reviewed=reviewed,
        stale=is_stale(reviewed, today),
        platforms=tuple(platform.id for platform in platforms),
        aspects=tuple(aspects),
        footer="Ask about one of them (“is Zoom safe?”) for its settings, or “more” for the details.",
    )
    return fit(answer, parts)


def topic_answer(
    topic: Topic,
    knowledge: KnowledgeBase,
    *,
    today: date,
    long: bool = False,
    region: str | None = None,
    aspects: Sequence[str] = (),
    opening: str | None = None,
    intent: Intent = Intent.TOPIC,
) -> Answer:
    """A topic's short answer (with its law line for the user's region), or with `long` the whole of it.

    `opening` leads the answer: "I have no reviewed entry for Fireflies …" when the question named a product of
    this topic's kind that we do not know."""
    law = _law_lines(topic, None if long else region)
    parts = [Part(Section(None, (opening,)))] if opening else []
    parts.append(Part(Section(None, (topic.long if long else topic.short,))))
    if law:
        if not long:
            law = tuple(shorten(line, LAW_LINE_CHARS) for line in law)
        parts.append(Part(Section("The law where you work" if region else "The law", law), priority=1, shrinks=True))
    if long and topic.related:
        parts.append(Part(Section("Related", (", ".join(knowledge.name_of(entry) for entry in topic.related),))))
    answer = Answer(
        intent=intent,
        title=topic.name,
        links=tuple(Link(f"Source {index}", url) for index, url in enumerate(topic.sources, 1)) if long else (),
        reviewed=topic.reviewed,
        stale=is_stale(topic.reviewed, today),
        topic=topic.id,
        aspects=tuple(aspects),
        footer=None if long else "Say “more” for the longer answer and sources.",
    )
    if long:
        return replace(answer, sections=tuple(part.section for part in parts))
    return fit(answer, parts)


REGION_LAW_LABELS = {"uk": "UK", "eu": "EU", "us": "US"}


def _law_lines(topic: Topic, region: str | None) -> tuple[str, ...]:
    """The topic's law lines for one region, or all of them (labelled) when the region is not known."""
    if topic.law is None:
        return ()
    if region in REGION_LAW_LABELS:
        line = getattr(topic.law, region)
        return (line,) if line else ()
    return tuple(
        f"{label}: {line}" for key, label in REGION_LAW_LABELS.items() if (line := getattr(topic.law, key))
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
