"""The brain: text in, `Answer` out, for knowledge questions. Knows nothing of transports or storage.

It keeps one small piece of conversation state in memory only: per user, what the last answer was about (for
"more" and "sources") and a pending "Did you mean …?" (for "yes"). Nothing of it is written to disk.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from bot.brain import entries, replies
from bot.brain.reader import Reader, Reading
from bot.brain.vocabulary import Vocabulary, load_vocabulary
from bot.kb.loader import KnowledgeBase
from bot.shared.answer import Answer, Intent, Link, Section
from bot.shared.normalise import tokens

MEMORY_SIZE = 10_000  # users remembered for "more"; the oldest are forgotten first


@dataclass(frozen=True, slots=True)
class _Last:
    platforms: tuple[str, ...] = ()
    topic: str | None = None
    suggestion: str | None = None


class Brain:
    def __init__(
        self,
        knowledge: KnowledgeBase,
        *,
        vocabulary: Vocabulary | None = None,
        today: Callable[[], date] = date.today,
    ) -> None:
        self.knowledge = knowledge
        self.vocabulary = vocabulary or load_vocabulary()
        self.reader = Reader(knowledge, self.vocabulary)
        self._today = today
        self._memory: OrderedDict[str, _Last] = OrderedDict()

    def read(self, text: str) -> Reading:
        return self.reader.read(text)

    def forget(self, user: str) -> None:
        self._memory.pop(user, None)

    def ask(self, text: str, *, user: str = "", region: str = "other") -> Answer:
        return self.answer(self.read(text), user=user, region=region, text=text)

    def answer(self, reading: Reading, *, user: str = "", region: str = "other", text: str = "") -> Answer:
        """The answer to a reading (room, settings, privacy and forget are the assistant's business)."""
        today = self._today()
        knowledge = self.knowledge
        last = self._memory.get(user, _Last())
        intent = reading.intent

        if reading.command == "yes" and last.suggestion:
            reading = Reading(Intent.PLATFORM, platforms=(last.suggestion,))
            intent = reading.intent
        if intent is Intent.MORE or reading.command == "sources":
            return self._more(last, region=region, today=today)

        answer: Answer
        if intent is Intent.PLATFORM:
            platform = knowledge.platforms[reading.platforms[0]]
            answer = entries.platform_answer(
                platform,
                knowledge,
                region=region,
                today=today,
                corrections=reading.corrections,
                also_unknown=reading.also_unknown,
            )
        elif intent is Intent.COMPARE:
            answer = entries.compare_answer(
                [knowledge.platforms[entry] for entry in reading.platforms],
                knowledge,
                today=today,
                corrections=reading.corrections,
                also_unknown=reading.also_unknown,
                left_out=[knowledge.name_of(entry) for entry in reading.left_out],
            )
        elif intent is Intent.TOPIC and reading.topic is not None:
            answer = entries.topic_answer(knowledge.topics[reading.topic], knowledge, today=today)
        elif intent is Intent.RECOMMEND:
            answer = entries.recommend_answer(knowledge, reading.use, replies.CHECKLIST)
        elif intent is Intent.LIST:
            answer = entries.list_answer(knowledge)
        elif intent is Intent.HELP:
            answer = replies.help_answer()
        elif intent is Intent.GREETING:
            answer = replies.greeting_answer(self._greeting_kind(text))
        elif reading.suggestion is not None:
            answer = replies.suggestion_answer(reading.unknown_name or "", knowledge.name_of(reading.suggestion))
        elif reading.command == "no":
            answer = replies.greeting_answer()
        else:
            answer = replies.unknown_answer(reading.unknown_name)

        self._remember(user, _Last(answer.platforms, answer.topic, reading.suggestion), intent)
        return answer

    def _greeting_kind(self, text: str) -> str:
        words = set(tokens(text))
        if words & self.vocabulary.thanks:
            return "thanks"
        return "bye" if words & {"bye", "goodbye", "cya"} else "hello"

    def _more(self, last: _Last, *, region: str, today: date) -> Answer:
        knowledge = self.knowledge
        if last.platforms:
            details = [
                entries.platform_details(knowledge.platforms[entry], knowledge, region=region, today=today)
                for entry in last.platforms
            ]
            return details[0] if len(details) == 1 else _join(details)
        if last.topic:
            return entries.topic_answer(knowledge.topics[last.topic], knowledge, today=today, long=True)
        return Answer(
            intent=Intent.MORE,
            title="More about what?",
            sections=(Section(None, ("Ask about a platform or a topic first, then say “more”.",)),),
        )

    def _remember(self, user: str, last: _Last, intent: Intent) -> None:
        if intent in (Intent.GREETING, Intent.HELP) and user in self._memory:
            # "thanks", "help": "more" still refers to the answer before. Anything else replaces it, so an
            # old "Did you mean …?" is never answered by a later "yes".
            return
        self._memory[user] = last
        self._memory.move_to_end(user)
        while len(self._memory) > MEMORY_SIZE:
            self._memory.popitem(last=False)


def _join(details: list[Answer]) -> Answer:
    """Several long answers as one message followed by the rest."""
    first, *rest = details
    links: tuple[Link, ...] = first.links
    return Answer(
        intent=first.intent,
        title=first.title,
        verdict=first.verdict,
        sections=first.sections,
        links=links,
        reviewed=first.reviewed,
        stale=first.stale,
        platforms=tuple(entry for detail in details for entry in detail.platforms),
        follow_ups=tuple(rest),
    )
