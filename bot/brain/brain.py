"""The brain: text in, `Answer` out, for knowledge questions. Knows nothing of transports or storage.

It keeps one small piece of conversation state in memory: per user, the `Context` of the last answer (for
"more", follow-ups and "yes" to a "Did you mean …?"). The brain itself never writes it anywhere; the assistant
hands it to a conversation store (`recall`) and back (`resume`), so that another process can continue the
conversation.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from time import time

from bot.brain import compare, entries, replies
from bot.brain.context import Context, in_context
from bot.brain.derived import Derived
from bot.brain.reader import Reader, Reading
from bot.brain.vocabulary import Vocabulary, load_vocabulary
from bot.kb.knowledge import KnowledgeBase
from bot.kb.schema import Topic
from bot.shared.answer import Answer, Intent, Link, Section
from bot.shared.normalise import tokens
from bot.site.urls import PLATFORMS, TOPICS, absolute, folder

MEMORY_SIZE = 10_000  # users remembered for "more"; the oldest are forgotten first


class Brain:
    def __init__(
        self,
        knowledge: KnowledgeBase,
        *,
        vocabulary: Vocabulary | None = None,
        today: Callable[[], date] = date.today,
        clock: Callable[[], float] = time,
        site_url: str | None = None,
    ) -> None:
        self.knowledge = knowledge
        # The public address of the scorecard website (CONFIDANT_SITE_URL): "more" ends with the entry's page.
        self._site_url = site_url
        self.vocabulary = vocabulary or load_vocabulary()
        self.reader = Reader(knowledge, self.vocabulary)
        self._derived = Derived(knowledge, self.reader)
        self._today = today
        self._clock = clock
        self._memory: OrderedDict[str, Context] = OrderedDict()

    def read(self, text: str) -> Reading:
        return self.reader.read(text)

    def forget(self, user: str) -> None:
        self._memory.pop(user, None)

    def recall(self, user: str) -> Context | None:
        """What the last answer to `user` was about, for a store that outlives this process."""
        return self._memory.get(user)

    def resume(self, user: str, context: Context | None) -> None:
        """Continue a conversation from what a store kept (None: start afresh, as after "forget")."""
        if context is None:
            self.forget(user)
        else:
            self._keep(user, context)

    def ask(self, text: str, *, user: str = "", region: str | None = None) -> Answer:
        return self.answer(self.read(text), user=user, region=region, text=text)

    def answer(
        self,
        reading: Reading,
        *,
        user: str = "",
        region: str | None = None,
        text: str = "",
        ask_region: bool = False,
    ) -> Answer:
        """The answer to a reading (room, settings, privacy and forget are the assistant's business).

        `region` is None when neither the operator nor the user has said which rules apply; `ask_region` adds
        the question that asks them (once per conversation: the caller keeps count)."""
        today, now = self._today(), self._clock()
        knowledge = self.knowledge
        last = self._memory.get(user, Context()).current(now)
        reading = in_context(reading, last, knowledge)
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
                aspects=reading.aspects,
                raises=self._derived.raises,
                ask_region=ask_region and region is None,
            )
        elif intent is Intent.COMPARE:
            answer = compare.compare_answer(
                [knowledge.platforms[entry] for entry in reading.platforms],
                knowledge,
                today=today,
                corrections=reading.corrections,
                also_unknown=reading.also_unknown,
                left_out=[knowledge.name_of(entry) for entry in reading.left_out],
                aspects=reading.aspects,
            )
        elif intent is Intent.TOPIC and reading.topic is not None:
            answer = entries.topic_answer(
                knowledge.topics[reading.topic], knowledge, today=today, region=region, aspects=reading.aspects
            )
        elif intent is Intent.UNKNOWN and reading.unknown_name and reading.topic in knowledge.topics:
            answer = self._unknown_of_kind(reading.unknown_name, knowledge.topics[reading.topic], region, today)
        elif intent is Intent.RECOMMEND:
            answer = self._derived.recommendation(reading.use)
        elif intent is Intent.LIST:
            answer = self._derived.listing()
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

        if reading.aspects and not answer.aspects and intent not in (Intent.RECOMMEND, Intent.LIST, Intent.HELP):
            answer = replace(answer, aspects=reading.aspects)
        if not _understood(answer):
            return answer  # "hmm", a stray "yes": the conversation stays where it was
        self._remember(user, Context(answer.platforms, answer.topic, reading.suggestion, reading.aspects, now), intent)
        return answer

    def _unknown_of_kind(self, name: str, topic: Topic, region: str | None, today: date) -> Answer:
        """A product we have no entry for, of a kind we have a topic on: that we know nothing of it, then the
        topic's advice. Advice that names platforms would read as a verdict on them, so then the checklist."""
        if self._derived.names_platforms(topic):
            return replace(replies.unknown_answer(name), topic=topic.id)
        return entries.topic_answer(
            topic,
            self.knowledge,
            today=today,
            region=region,
            opening=replies.no_entry_of_kind(name, topic.name),
            intent=Intent.UNKNOWN,
        )

    def _greeting_kind(self, text: str) -> str:
        words = set(tokens(text))
        if words & self.vocabulary.thanks:
            return "thanks"
        return "bye" if words & {"bye", "goodbye", "cya"} else "hello"

    def _more(self, last: Context, *, region: str | None, today: date) -> Answer:
        knowledge = self.knowledge
        if last.platforms:
            details = [
                entries.platform_details(knowledge.platforms[entry], knowledge, region=region, today=today)
                for entry in last.platforms
            ]
            details = [self._with_page(detail, PLATFORMS, detail.platforms[0]) for detail in details]
            more = details[0] if len(details) == 1 else _join(details)
            return replace(more, intent=Intent.MORE)
        if last.topic:
            topic = entries.topic_answer(knowledge.topics[last.topic], knowledge, today=today, long=True, region=region)
            return replace(self._with_page(topic, TOPICS, last.topic), intent=Intent.MORE)
        return Answer(
            intent=Intent.MORE,
            title="More about what?",
            sections=(Section(None, ("Ask about a platform or a topic first, then say “more”.",)),),
        )

    def _with_page(self, answer: Answer, section: str, entry_id: str) -> Answer:
        """The long answer ending with its page on the scorecard website, when the site's address is set."""
        if self._site_url is None:
            return answer
        page = Link("On the scorecard", absolute(self._site_url, folder(section, entry_id)))
        return replace(answer, links=(*answer.links, page))

    def _remember(self, user: str, last: Context, intent: Intent) -> None:
        if intent in (Intent.GREETING, Intent.HELP) and user in self._memory:
            # "thanks", "help": "more" still refers to the answer before. Anything else replaces it, so an
            # old "Did you mean …?" is never answered by a later "yes".
            return
        self._keep(user, last)

    def _keep(self, user: str, last: Context) -> None:
        self._memory[user] = last
        self._memory.move_to_end(user)
        while len(self._memory) > MEMORY_SIZE:
            self._memory.popitem(last=False)


def _understood(answer: Answer) -> bool:
    """False for "I'm not sure what you are asking": nothing to remember about it."""
    return answer.intent is not Intent.UNKNOWN or bool(answer.platforms or answer.topic or answer.title != NOT_SURE)


NOT_SURE = replies.unknown_answer(None).title


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
