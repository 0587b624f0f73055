"""Answers about knowledge-base entries: one platform (short, for a message to forward, or in full), a topic, a
recommendation, the list. Comparisons are in compare.py."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date

from bot.brain import sentences
from bot.brain.aspect_lines import ANSWERS, ASPECT_LABELS, CAN_HIDE, aspect_line, open_source_text, tips_for
from bot.brain.phone import Part, Priority, fit
from bot.kb.knowledge import READER_NOTICE_DAYS, KnowledgeBase
from bot.kb.schema import E2EE, USE_SURFACES, Category, E2EEState, Platform, Topic, Use, Verdict
from bot.kb.words import E2EE_STATE_RANK, E2EE_STATE_WORDS, SURFACE_LABELS, VERDICT_LABELS, VERDICT_RANK
from bot.shared.answer import Answer, Intent, Link, Section

USE_LABELS = {Use.VIDEO: "video sessions", Use.MESSAGING: "messaging clients", Use.EMAIL: "email"}
USE_CATEGORIES = {
    Use.VIDEO: frozenset({Category.VIDEO, Category.TELEHEALTH}),
    Use.MESSAGING: frozenset({Category.MESSENGER}),
    Use.EMAIL: frozenset({Category.EMAIL}),
}
MAX_WITH_CARE = 6
MAX_WITH_CARE_NAMED = 3  # in the line per use of a recommendation asked without a use


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


REGIMES = {"uk": ("UK GDPR", "gdpr", "uk"), "eu": ("GDPR (EU)", "gdpr", "eu"), "us": ("HIPAA (US)", "hipaa_baa", None)}


def rules_lines(platform: Platform, region: str | None, *, chars: int | None = None) -> tuple[str, ...]:
    """The compliance lines for the user's region, or one per regime (UK/EU GDPR, US HIPAA) when it is not
    known or "other". With `chars`, each is its first whole sentences within that many characters."""
    compliance = platform.compliance

    def text(value: str) -> str:
        return value if chars is None else sentences.whole(value, chars)

    if region in REGIMES:
        label, field, note = REGIMES[region]
        lines = [f"{label}: {text(getattr(compliance, field))}"]
        extra = getattr(compliance, note) if note and chars is None else None
        return (*lines, *([f"{region.upper()}: {extra}"] if extra else []))
    lines = [f"UK/EU GDPR: {text(compliance.gdpr)}", f"US HIPAA: {text(compliance.hipaa_baa)}"]
    if chars is None:
        lines += [f"{key.upper()}: {note}" for key in ("uk", "eu") if (note := getattr(compliance, key))]
    return tuple(lines)


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




def _fitness(platform: Platform, use: Use) -> tuple[int, bool, str]:
    """Best first: end-to-end encryption on the surfaces this use needs, then no advertising, then the name."""
    states = [getattr(platform.e2ee, surface) for surface, _ in USE_SURFACES[use]]
    best = min((E2EE_STATE_RANK[state] for state in states), default=E2EE_STATE_RANK[E2EEState.NOT_APPLICABLE])
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


def notes(corrections: Sequence[tuple[str, str]], also_unknown: str | None) -> list[Part]:
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
        return client_message_answer(platform, knowledge, today=today, notes_first=notes(corrections, also_unknown))
    parts = notes(corrections, also_unknown)
    answered = [line for aspect in aspects if (line := aspect_line(platform, aspect, limit=LEAD_CHARS)) is not None]
    for line in answered[:MAX_ASPECTS_SHOWN]:
        parts.append(Part(Section(None, (line,))))
    if not answered and "settings" not in aspects:
        session_line = f"During a session: {sentences.whole(platform.summary.session, SUMMARY_CHARS)}"
        parts.append(Part(Section(None, (session_line,))))
        wider_line = f"Beyond the session: {sentences.whole(platform.summary.wider, SUMMARY_CHARS)}"
        parts.append(Part(Section(None, (wider_line,)), Priority.LOW))
    tips = tips_for(platform, aspects, raises)
    heading = "What to do now" if platform.retired else ("Settings" if "settings" in aspects else "Before you use it")
    tips_limit = len(tips) if "settings" in aspects else MAX_TIPS
    shown_tips = tuple(sentences.whole(tip, TIP_CHARS) for tip in tips[:tips_limit])
    # With the question's own answer given, one action is enough to keep; the others give way first.
    parts.append(Part(Section(heading, shown_tips), Priority.NORMAL, shrinks=True, keep=1 if answered else 2))
    if not {"gdpr", "hipaa"} & set(aspects):
        rules = rules_lines(platform, region, chars=RULE_LINE_CHARS)
        parts.append(Part(Section("Rules", rules), Priority.HIGH, shrinks=True))
    if ask_region:
        parts.append(Part(Section(None, (ASK_REGION,)), Priority.HIGH))
    answer = _short_platform_answer(platform, knowledge, today, aspects=tuple(aspects))
    return fit(answer, parts, soft_limit=SOFT_LIMIT)


def _short_platform_answer(
    platform: Platform,
    knowledge: KnowledgeBase,
    today: date,
    *,
    aspects: tuple[str, ...],
    follow_ups: tuple[Answer, ...] = (),
) -> Answer:
    """The frame of a short platform answer (name, verdict, date, the pointer to "more"), without its parts."""
    return Answer(
        intent=Intent.PLATFORM,
        title=platform.name,
        verdict=_verdict_line(platform, knowledge),
        reviewed=platform.reviewed,
        stale=is_stale(platform.reviewed, today),
        platforms=(platform.id,),
        aspects=aspects,
        footer=MORE_POINTER,
        follow_ups=follow_ups,
    )


def client_message_answer(
    platform: Platform, knowledge: KnowledgeBase, *, today: date, notes_first: Sequence[Part] = ()
) -> Answer:
    """A short note for the counsellor, then the message to forward to the client as it is (its own message)."""
    lines = (
        sentences.whole(platform.summary.session, SUMMARY_CHARS),
        "The next message is for your client: forward it as it is.",
    )
    message = Answer(
        intent=Intent.PLATFORM,
        title=f"About our sessions on {platform.name}",
        sections=(Section(None, (platform.client_message,)),),
        platforms=(platform.id,),
        aspects=("client-message",),
    )
    answer = _short_platform_answer(platform, knowledge, today, aspects=("client-message",), follow_ups=(message,))
    return fit(answer, [*notes_first, Part(Section(None, lines))])


# The aspect answers "more" lists beside the older fields (which have sections of their own above them).
DETAIL_ASPECTS = ("recording", "groups", "mobile", "accounts", "cost", "ai", "backups")


def platform_details(platform: Platform, knowledge: KnowledgeBase, *, region: str | None, today: date) -> Answer:
    """The long version ("more"): everything the entry holds, with numbered sources."""
    e2ee = [*e2ee_lines(platform.e2ee)]
    if platform.e2ee.since:
        e2ee.append(f"Since: {platform.e2ee.since}")
    e2ee += platform.e2ee.caveats
    presence = (platform.presence.shown, *filter(None, (CAN_HIDE[platform.presence.can_hide],)))
    sections = [
        Section("End-to-end encryption", tuple(e2ee)),
        Section("What the company can see", (platform.provider_access, platform.metadata)),
        Section("Online status and read receipts", presence),
        Section("What you and your client reveal", (platform.identifiers,)),
        Section("How it makes money", (platform.business_model.summary,)),
        Section("Open source and audits", (open_source_text(platform),)),
        Section("Where it is based", (platform.jurisdiction,)),
        *(Section(ASPECT_LABELS[aspect], (ANSWERS[aspect](platform),)) for aspect in DETAIL_ASPECTS),
        Section("Rules where you work", rules_lines(platform, region)),
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
            law = tuple(sentences.whole(line, LAW_LINE_CHARS) for line in law)
        mine = region in REGION_LAW_LABELS and not long
        # The user's own law stays (the topic's text is cut at a sentence instead); all regions' is a stopgap.
        priority = Priority.ESSENTIAL if mine else Priority.HIGH
        parts.append(Part(Section("The law where you work" if mine else "The law", law), priority, shrinks=True))
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
    """For one use, each pick with its reason; asked without a use, every use in a line of names (with a reason
    each, the three uses ran to 1,600 characters, far past a phone screen), and how to ask for the reasons."""
    if use is None:
        return _recommend_every_use(knowledge, checklist)
    wanted = Use(use)
    picks, with_care = _picks(knowledge, wanted)
    lines = [f"{platform.name}: {sentences.first(platform.summary.session)}" for platform in picks]
    if with_care:
        lines.append("Usable with care: " + ", ".join(with_care) + ".")
    return Answer(
        intent=Intent.RECOMMEND,
        title="What I would look at first",
        sections=(
            Section(f"For {USE_LABELS[wanted]}", tuple(lines) or ("Nothing reviewed yet.",)),
            Section("Whatever you choose, check", tuple(checklist)),
        ),
        footer="Ask about any of them (“is Signal safe?”) for the settings to change.",
    )


def _recommend_every_use(knowledge: KnowledgeBase, checklist: Sequence[str]) -> Answer:
    lines = []
    for wanted in Use:
        picks, with_care = _picks(knowledge, wanted)
        named = ", ".join(platform.name for platform in picks) or "nothing reviewed yet"
        care = f"; with care: {', '.join(with_care[:MAX_WITH_CARE_NAMED])}" if with_care else ""
        lines.append(f"{USE_LABELS[wanted].capitalize()}: {named}{care}.")
    return Answer(
        intent=Intent.RECOMMEND,
        title="What I would look at first",
        sections=(Section(None, tuple(lines)), Section("Whatever you choose, check", tuple(checklist))),
        footer="Ask “what do you recommend for video sessions?” (or messaging clients, or email) for the reasons.",
    )


def _picks(knowledge: KnowledgeBase, wanted: Use) -> tuple[list[Platform], list[str]]:
    """The platforms recommended for this use, and the names of those made for it that are usable with care
    (counsellors often must use one of them), the best suited first."""
    platforms = sorted(knowledge.platforms.values(), key=lambda platform: platform.name.casefold())
    picks = [platform for platform in platforms if wanted in platform.recommended_for]
    with_care = [
        platform.name
        for platform in sorted(platforms, key=lambda platform: _fitness(platform, wanted))
        if platform.verdict is Verdict.CARE and platform.category in USE_CATEGORIES[wanted]
    ]
    return picks, with_care[:MAX_WITH_CARE]


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
