"""What the brain reads out of the knowledge base's own text, worked out once per text and then kept.

Answering a question about a platform asks which aspects each of its tips is about (to put the tips about the
question first), and answering about a product we do not know asks whether a topic's advice names platforms.
The recommendation for each use and the list of everything reviewed are whole answers built from the knowledge
base alone (sorting every entry, twice for a recommendation). All of these depend only on the knowledge base,
yet cost as much as reading the question did, or ten times as much, every time.

Only knowledge-base text and answers built from it alone are ever kept here, never a word of a question: the
cache is as big as the knowledge base (one entry per tip, one per topic, one per use) and holds nothing a user
wrote. Answers are immutable, so handing the same one out again is safe.
"""

from __future__ import annotations

from bot.brain import entries, replies
from bot.brain.reader import Reader
from bot.kb.knowledge import KnowledgeBase
from bot.kb.schema import Topic
from bot.shared.answer import Answer
from bot.shared.normalise import tokens


class Derived:
    def __init__(self, knowledge: KnowledgeBase, reader: Reader) -> None:
        self._knowledge = knowledge
        self._reader = reader
        self._tips = frozenset(tip for platform in knowledge.platforms.values() for tip in platform.tips)
        # Filled on first use, so that `confidant ask` pays only for the tips of the platform it answers about.
        self._tip_aspects: dict[str, tuple[str, ...]] = {}
        self._names_platforms: dict[str, bool] = {}
        self._recommendations: dict[str | None, Answer] = {}
        self._listing: Answer | None = None

    def raises(self, text: str) -> tuple[str, ...]:
        """The aspects a piece of text is about; kept only when it is one of the knowledge base's tips."""
        found = self._tip_aspects.get(text)
        if found is None:
            found = self._reader.aspects.find(tokens(text))
            if text in self._tips:
                self._tip_aspects[text] = found
        return found

    def names_platforms(self, topic: Topic) -> bool:
        """Whether the topic's short advice names a platform (then it would read as a verdict on it)."""
        found = self._names_platforms.get(topic.id)
        if found is None:
            found = bool(self._reader.platforms.find(tokens(topic.short)))
            self._names_platforms[topic.id] = found
        return found

    def recommendation(self, use: str | None) -> Answer:
        """What to look at first for a use (one of the schema's: "video-sessions", "messaging", "email"), or
        for every use."""
        found = self._recommendations.get(use)
        if found is None:
            found = entries.recommend_answer(self._knowledge, use, replies.CHECKLIST)
            self._recommendations[use] = found
        return found

    def listing(self) -> Answer:
        """Every platform reviewed, by verdict, and every topic."""
        if self._listing is None:
            self._listing = entries.list_answer(self._knowledge)
        return self._listing
