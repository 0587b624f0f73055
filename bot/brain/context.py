"""A conversation's context: what the last answer was about, and how a follow-up is read against it.

"what about groups?" after "is WhatsApp safe?" is about WhatsApp's groups; "what about signal?" after "does
WhatsApp record?" is about Signal's recording; "how does whereby compare on that?" compares it with the platform
before; "which is cheaper?" after a comparison compares their cost; "is it safe?" asks again about the platform
before. "does it record?" with nothing before is the recording topic, and "what is e2ee?" is always the topic.

The context holds ids only (platforms, topic, aspects, a suggested platform), never the words of a question, and
it lapses after half an hour: a question much later starts afresh.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from bot.brain.aspect_lines import ASPECT_TOPICS
from bot.brain.reader import Reading
from bot.kb.knowledge import KnowledgeBase
from bot.shared.answer import Intent

LAPSES_AFTER_SECONDS = 30 * 60
SHORT_QUESTION_WORDS = 6  # "does the client need an account?" may follow up without "it" or "what about"

# Readings a follow-up may turn into a platform question: a question read on its own as a topic, as nothing,
# or as a greeting with a question in it. Never a command, a room or a recommendation.
ANSWERABLE = frozenset({Intent.TOPIC, Intent.UNKNOWN, Intent.GREETING})


@dataclass(frozen=True, slots=True)
class Context:
    """What the last answer was about, and when (seconds since the epoch)."""

    platforms: tuple[str, ...] = ()
    topic: str | None = None
    suggestion: str | None = None  # a "Did you mean …?" waiting for "yes"
    aspects: tuple[str, ...] = ()
    at: float = 0.0

    def current(self, now: float) -> Context:
        """This context, or an empty one once it has lapsed."""
        return self if now - self.at <= LAPSES_AFTER_SECONDS else Context()


def in_context(reading: Reading, last: Context, knowledge: KnowledgeBase) -> Reading:
    """The reading as the conversation makes it; a general aspect question given its topic."""
    if reading.command == "yes" and last.suggestion:
        return Reading(Intent.PLATFORM, platforms=(last.suggestion,), aspects=last.aspects)
    if reading.intent in (Intent.PLATFORM, Intent.COMPARE):
        return _named_in_context(reading, last)
    nothing_named = not reading.platforms and reading.unknown_name is None and reading.suggestion is None
    if not nothing_named or reading.intent not in ANSWERABLE:
        return reading
    if last.platforms and not reading.definition and _continues(reading, last):
        intent = Intent.COMPARE if len(last.platforms) > 1 else Intent.PLATFORM
        return Reading(intent, platforms=last.platforms, aspects=reading.aspects or last.aspects, follow_up=True)
    if reading.aspects and reading.intent is Intent.UNKNOWN:
        topic = next(
            (ASPECT_TOPICS[aspect] for aspect in reading.aspects if ASPECT_TOPICS.get(aspect) in knowledge.topics),
            None,
        )
        if topic is not None:
            return replace(reading, intent=Intent.TOPIC, topic=topic)
    return reading


def _continues(reading: Reading, last: Context) -> bool:
    """Whether a question that names nothing asks more about the platforms just discussed."""
    short = reading.length <= SHORT_QUESTION_WORDS
    if reading.asks_to_compare and len(last.platforms) > 1 and (short or reading.follow_up):
        return True  # "which is cheaper?" after "zoom vs teams"
    if not reading.aspects:
        # "is it safe?", "and is it ok?": the same platform again.
        return reading.follow_up and reading.intent is Intent.UNKNOWN
    if reading.follow_up:
        return True  # "is it hipaa compliant?", "and on android?"
    if not short:
        return False  # a question of its own ("do I need a BAA as a solo therapist?")
    # "does the client need an account?"; or read alone a topic, but only through the aspect's own words
    # ("are the dms encrypted?").
    return reading.intent is not Intent.TOPIC or reading.topic in {ASPECT_TOPICS.get(a) for a in reading.aspects}


def _named_in_context(reading: Reading, last: Context) -> Reading:
    new = [entry for entry in reading.platforms if entry not in last.platforms]
    compares_with_last = reading.asks_to_compare and (reading.follow_up or len(reading.platforms) == 1)
    if last.platforms and new and compares_with_last and reading.also_unknown is None:
        # "how does whereby compare on that", "compare it with carepatron", "compare with whatsapp and signal"
        platforms = tuple(dict.fromkeys((*last.platforms[:1], *reading.platforms)))[:3]
        return replace(reading, intent=Intent.COMPARE, platforms=platforms, aspects=reading.aspects or last.aspects)
    if reading.follow_up and not reading.aspects and last.aspects:
        return replace(reading, aspects=last.aspects)
    return reading
