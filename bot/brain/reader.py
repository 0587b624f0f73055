"""Reads a question into a `Reading`: what is asked (intent) and about what (platforms, topic, unknown name).

The order of the checks is the policy, and it is deliberate:
1. whole-message commands (help, list, more, privacy, forget, settings, yes/no) and room requests;
2. a how-to question about a topic ("how do I secure my jitsi meeting") is about the topic;
3. named platforms (two or three compare);
4. a recommendation request ("which app should I use"), unless a topic is what is being chosen;
5. a topic;
6. greetings, then a doubtful name ("Did you mean …?");
7. a name we do not know ("is myspace safe?"): we say so and never offer the nearest other platform.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from itertools import pairwise

from bot.brain.aspect_lines import ASPECT_TOPICS
from bot.brain.aspects import AspectFinder
from bot.brain.mentions import Mention, PhraseIndex, fold_plural, positions
from bot.brain.names import NameFinder
from bot.brain.typos import Deletes
from bot.brain.vocabulary import Vocabulary
from bot.kb.knowledge import KnowledgeBase
from bot.shared.answer import Intent
from bot.shared.normalise import tokens as to_tokens

MAX_COMPARE = 3
ASPECT_TOPIC_IDS = frozenset(ASPECT_TOPICS.values())
# Verbs that open a question about a product: "is line encrypted", "does wire …", "can session …".
SLOT_VERBS = frozenset({"is", "does", "do", "can", "will", "would", "should", "could"})
# In a short follow-up, "and session?", "what about wire?" name the platform too.
FOLLOW_UP_SLOT = frozenset({"and", "about"})
# Beside these, even a name that is also an everyday word ("claude") is being compared: "chatgpt or claude".
COMPARING_NEIGHBOURS = frozenset({"vs", "versus", "or", "than", "better", "safer", "compared", "against"})
# Verbs after which an everyday-word name can only be the product: "explaining element", "using session".
SLOT_NAME_VERBS = frozenset({"using", "explaining", "install", "installing", "download", "downloading"})
STILL = frozenset({"still", "really", "actually", "now", "even"})
MAX_SHORT_FOLLOW_UP = 4
# Words right before a product's name in a question about it: "is X ok", "use X for", "about X".
PRODUCT_SLOT_BEFORE = frozenset({"is", "are", "use", "using", "try", "trying", "about", "with", "on", "via"})
MAX_FOLLOW_UP_WORDS = 8  # "and what about the android app for groups" is still a follow-up; a paragraph is not
MAX_SETTING_WORDS = 4
MAX_THANKS_WORDS = 10
SETTING_WORDS = {"region": "region", "timezone": "timezone", "time zone": "timezone", "name": "name"}


@dataclass(frozen=True, slots=True)
class Reading:
    """What a question asks: its intent and what it names."""

    intent: Intent
    platforms: tuple[str, ...] = ()
    topic: str | None = None
    unknown_name: str | None = None  # a platform-like name with no entry
    suggestion: str | None = None  # a doubtful match worth asking about ("Did you mean …?")
    corrections: tuple[tuple[str, str], ...] = ()
    use: str | None = None  # for recommendations: video-sessions, messaging or email
    command: str | None = None  # the command word for command-like intents (yes, no, sources, settings…)
    argument: str | None = None  # what follows a settings word ("region uk" -> "uk")
    also_unknown: str | None = None  # beside a known platform: "zoom vs myspace" -> "myspace"
    left_out: tuple[str, ...] = ()  # named platforms beyond the three a comparison shows
    aspects: tuple[str, ...] = ()  # what the question asks about: "recording", "groups"… (see aspects.py)
    # Shaped like a follow-up ("what about groups?", "does it record?"): the brain may read it against the
    # conversation. The reader itself is stateless.
    follow_up: bool = False
    definition: bool = False  # "what is e2ee?": a question about the idea itself, never a follow-up
    asks_to_compare: bool = False  # "compare", "vs", "which is cheaper": wants two or more side by side
    length: int = 0  # words in the question: a short one may follow up without "it" or "what about"


class Reader:
    def __init__(self, knowledge: KnowledgeBase, vocabulary: Vocabulary) -> None:
        self._vocabulary = vocabulary
        # Each phrase is read into words by an index and again for the known words below: once is enough (the
        # brain is built at every `confidant ask`). Kept only while building, and only the knowledge base's phrases.
        tokenise = cache(to_tokens)
        protected = vocabulary.common_words | vocabulary.stopwords
        platform_phrases: list[tuple[str, str]] = []
        for platform in knowledge.platforms.values():
            if platform.match_name:
                platform_phrases.append((platform.name, platform.id))
                platform_phrases.append((platform.id.replace("-", " "), platform.id))
            platform_phrases += [(alias, platform.id) for alias in (*platform.aliases, *platform.context_aliases)]
        topic_phrases: list[tuple[str, str]] = []
        for topic in knowledge.topics.values():
            topic_phrases += [(topic.name, topic.id), *((phrase, topic.id) for phrase in topic.phrasings)]
        phrase_words = {word for phrase, _ in (*platform_phrases, *topic_phrases) for word in tokenise(phrase)}
        self.aspects = AspectFinder(vocabulary.aspects, vocabulary.weak_aspect_phrases)
        self._aspect_words = self.aspects.words()
        # The words the brain itself knows, which questions use over and over ("number", "recording", "android"):
        # their typo corrections are kept (see TypoCorrector).
        own_words = frozenset(phrase_words | self._aspect_words | vocabulary.features)
        self.platforms = PhraseIndex(
            platform_phrases,
            protected=protected,
            stopwords=vocabulary.stopwords | vocabulary.compare,
            weak=[alias for platform in knowledge.platforms.values() for alias in platform.context_aliases],
            slot=self._name_slot,
            tokenise=tokenise,
            keep=own_words,
        )
        self.topics = PhraseIndex(
            topic_phrases,
            protected=protected | self.platforms.words(),
            stopwords=vocabulary.stopwords,
            fold=True,
            join=False,
            tokenise=tokenise,
            keep=own_words,
        )
        # Any word that belongs to a phrase we know is never part of an unknown platform's name.
        # Feature and device words ("groups", "android") and the words of aspects are never a product's name.
        self._known_words = set(phrase_words)
        # Brands stay free to form a name we do not know: "google voice", "zoho mail".
        self._known_words |= (self._aspect_words | vocabulary.features) - vocabulary.brands
        # Names that are everyday words ("Wire", "Element") are not matched on their own, but in the slot of a
        # platform question ("what about wire", "is element secure") they can only mean the platform.
        self._slot_names = {
            " ".join(to_tokens(platform.name.split("(")[0])): platform.id
            for platform in knowledge.platforms.values()
            if not platform.match_name
        }
        self._names = NameFinder(vocabulary, self._known_words, self._slot_names)
        self._display_names = {platform.id: platform.name for platform in knowledge.platforms.values()}
        self._topic_ids = frozenset(knowledge.topics)
        self._single_names = frozenset(
            phrase for phrase, _ in platform_phrases if " " not in phrase and "-" not in phrase
        )
        # Recommend phrases as whole words anywhere in a message.
        self._recommend = tuple(f" {phrase} " for phrase in vocabulary.recommend)
        # Each command's phrases, and those of three words or more followed by a space: those also count at the
        # start ("what do you store about me"). Ready for one `startswith` in C instead of a loop per question.
        self._commands = tuple(
            (command, phrases, tuple(f"{phrase} " for phrase in phrases if phrase.count(" ") >= 2))
            for command, phrases in vocabulary.commands.items()
        )
        self._command_phrases = frozenset(phrase for _, phrases, _ in self._commands for phrase in phrases)
        self._command_openings = tuple(opening for _, _, openings in self._commands for opening in openings)

    def read(self, text: str) -> Reading:
        words = to_tokens(text)
        if not words:
            return Reading(Intent.HELP if text.strip() else Intent.UNKNOWN)
        joined = " ".join(words)
        trimmed = " ".join(word for word in words if word != "please") or joined

        early = self._command(words, trimmed) or self._room(words, trimmed)
        if early is not None:
            return early
        reading, aspects = self._question(words, joined, trimmed)
        if reading.intent is Intent.GREETING and aspects:
            reading = Reading(Intent.UNKNOWN)  # "hi, does it record?" asks something
        vocabulary = self._vocabulary
        return replace(
            reading,
            length=len(words),
            aspects=aspects,
            follow_up=self._follows_up(words, trimmed),
            definition=self._starts_with(trimmed, vocabulary.definition_openers)
            or (words[0] == "how" and words[-1] in ("work", "works") and "it" not in words),
            asks_to_compare=bool(set(words) & vocabulary.comparing) or self._starts_with(trimmed, vocabulary.which),
        )

    def _follows_up(self, words: list[str], trimmed: str) -> bool:
        vocabulary = self._vocabulary
        if len(words) > MAX_FOLLOW_UP_WORDS:
            return False
        return self._starts_with(trimmed, vocabulary.follow_up_openers) or bool(
            set(words) & vocabulary.follow_up_pronouns
        )

    def _question(self, words: list[str], joined: str, trimmed: str) -> tuple[Reading, tuple[str, ...]]:
        """The reading of a question (not a command or a room request), and the aspects it asks about where no
        platform's name stands."""
        deletes = Deletes()  # the question's words' deletes, for both indexes' typo lookups
        found = self._without_suffixes(words, self.platforms.find(self._without_possessives(words), deletes))
        found = self._with_compared_slot_names(words, found)
        if any(not mention.weak for mention in found) or (found and self._names.find(words, positions(found))):
            # A context alias ("text clients", "i message") counts only when nothing else is named, not even
            # a product we do not know ("can I message clients on LinkedIn"), unless it stands beside a word that
            # compares ("chatgpt or claude", "is claude better than chatgpt").
            found = [mention for mention in found if not mention.weak or self._compared(words, mention)]
        platform_mentions = [mention for mention in found if not mention.doubtful]
        doubtful = [mention for mention in found if mention.doubtful]
        topic_mentions = self._topics(words, platform_mentions, deletes)
        if platform_mentions and all(mention.weak for mention in platform_mentions):
            # Nor does it beat a topic: "does the company know who I message" is about metadata.
            with_topic = self._topics(words, [], deletes)
            if with_topic:
                platform_mentions, topic_mentions = [], with_topic
        named = _unique(mention.entry_id for mention in platform_mentions)
        platforms, left_out = named[:MAX_COMPARE], named[MAX_COMPARE:]
        corrections = tuple(
            (typed, self._display_names[mention.entry_id])
            for mention in platform_mentions
            for typed, _ in mention.corrections
        )
        taken = positions(platform_mentions)
        # Found once: several of the checks below ask, and so does the reading.
        asked = self.aspects.find(words, taken)
        # "is myspace like signal", "zoom vs myspace": say we know nothing of the other one, never answer
        # only about the known one as if it were the question.
        beside = self._names.find(words, taken) if platforms else None
        topic = topic_mentions[0].entry_id if topic_mentions else None

        first_topic = self._topic_first(joined, words, topic_mentions)
        # "what metadata does zoom keep", "how do I set up teams safely": a question about that platform's
        # metadata or settings, which its entry answers; "what browser should I use for jitsi" stays a topic.
        about_platform = platforms and (first_topic in ASPECT_TOPIC_IDS or "settings" in asked)
        if first_topic is not None and not about_platform:
            return Reading(Intent.TOPIC, topic=first_topic), asked
        if first_topic is not None and platforms and asked == ():
            return Reading(Intent.TOPIC, topic=first_topic), asked
        if len(platforms) >= 2:
            reading = Reading(
                Intent.COMPARE, platforms=platforms, corrections=corrections, also_unknown=beside, left_out=left_out
            )
            return reading, asked
        if platforms:
            return Reading(Intent.PLATFORM, platforms=platforms, corrections=corrections, also_unknown=beside), asked
        if self._asks_for_recommendation(joined, words, topic_mentions):
            # "best way to run online group sessions": choosing how to do something a topic covers.
            chosen = [
                topic_id
                for aspect in asked
                if (topic_id := ASPECT_TOPICS.get(aspect)) in self._vocabulary.chosen_topics
                and topic_id in self._topic_ids
            ]
            if chosen:
                return Reading(Intent.TOPIC, topic=chosen[0]), asked
            return Reading(Intent.RECOMMEND, use=self._use(words)), asked
        if topic is not None:
            # "is line encrypted end to end": a platform whose name is an everyday word, in a product's slot.
            slot_name = self._slot_name_in_question(words)
            if slot_name is not None:
                return Reading(Intent.PLATFORM, platforms=(slot_name,)), asked
            # "is Fireflies ok for session notes": the topic's advice, but first that we know nothing of Fireflies.
            unknown = self._product_beside_topic(words, positions(topic_mentions)) or self._product_after_verb(words)
            if unknown is not None:
                of_kind = self._kind(words, unknown) or topic
                return Reading(Intent.UNKNOWN, topic=of_kind, unknown_name=unknown), asked
            return Reading(Intent.TOPIC, topic=topic), asked
        if self._starts_with(joined, self._vocabulary.recommend_openers):
            return Reading(Intent.RECOMMEND, use=self._use(words)), asked
        if self._greeting(trimmed, words):
            return Reading(Intent.GREETING), asked
        if doubtful:
            suggestion = Reading(
                Intent.UNKNOWN, suggestion=doubtful[0].entry_id, unknown_name=doubtful[0].corrections[0][0]
            )
            return suggestion, asked
        slot_name = self._slot_name_in_question(words)
        # Aspects anywhere, platform names or not (with no name taken, those already found).
        anywhere = self.aspects.find(words) if taken else asked
        asks_something = set(words) & self._vocabulary.judgements or anywhere
        if slot_name is not None and asks_something:
            return Reading(Intent.PLATFORM, platforms=(slot_name,)), asked
        unknown = self._names.find(words, slots=True)
        if unknown in self._slot_names:
            return Reading(Intent.PLATFORM, platforms=(self._slot_names[unknown],)), asked
        if unknown is None and anywhere:
            unknown = self._product_after_verb(words)  # "does fathom record calls"
        if unknown is None and self._wants_a_kind_of_product(words):
            return Reading(Intent.RECOMMEND, use=self._use(words)), asked
        kind = self._kind(words, unknown) if unknown is not None else None
        return Reading(Intent.UNKNOWN, unknown_name=unknown, topic=kind), asked

    def _compared(self, words: list[str], mention: Mention) -> bool:
        before = words[mention.start - 1] if mention.start > 0 else None
        after = words[mention.end] if mention.end < len(words) else None
        return bool({before, after} & COMPARING_NEIGHBOURS)

    def _without_possessives(self, words: list[str]) -> list[str]:
        """ "signal's servers", "zoom's code" (normalised to "signals", "zooms"): the name before a noun. "mixed
        signals from a client" keeps its word, since what follows is a little word."""
        stopwords = self._vocabulary.stopwords
        return [
            word[:-1]
            if word.endswith("s")
            and index + 1 < len(words)
            and words[index + 1] not in stopwords
            and word[:-1] in self._single_names
            else word
            for index, word in enumerate(words)
        ]

    def _product_after_verb(self, words: list[str]) -> str | None:
        """ "does fathom record calls", "does ringcentral video record": a word we do not know right after the
        opening verb of a question about an aspect is a product's name (with a name part like "video")."""
        vocabulary = self._vocabulary
        if len(words) < 3 or words[0] not in SLOT_VERBS | {"are"}:
            return None
        if words[0] in ("is", "are") and not (
            words[2] in vocabulary.judgements or words[2] in self._aspect_words or words[2] in STILL
        ):
            return None  # "is X …" names X only when what follows judges it: "is wickr still safe"
        name = words[1]
        never = vocabulary.stopwords | vocabulary.usage_objects | vocabulary.brands | vocabulary.judgements
        if name in never or name in self._known_words or name.isdigit():
            return None
        if words[2] in vocabulary.name_parts:
            return f"{name} {words[2]}"
        return name

    def _slot_name_in_question(self, words: list[str]) -> str | None:
        """ "is line encrypted", "does wire need a phone number", "what does session store": an everyday-word
        name right after a question's opening verb is the platform ("my session at 3" is not)."""
        short = len(words) <= MAX_SHORT_FOLLOW_UP
        for index, word in enumerate(words[1:], start=1):
            before = words[index - 1]
            named = before in SLOT_VERBS or before in SLOT_NAME_VERBS or (short and before in FOLLOW_UP_SLOT)
            if word in self._slot_names and named:
                return self._slot_names[word]
        return None

    def _product_beside_topic(self, words: list[str], taken: set[int]) -> str | None:
        """An unknown product in a topic question, only in a product's own slot: "is Fireflies ok for notes",
        "can I use Otterly for transcripts". Everyday words around a topic ("what does open source mean",
        "under GDPR", "hipaa just for doctors") are not products."""
        name = self._names.find(words, taken)
        if name is None:
            return None
        size = len(name.split())
        vocabulary = self._vocabulary
        for start in range(len(words) - size + 1):
            if " ".join(words[start : start + size]) != name:
                continue
            before = words[start - 1] if start > 0 else None
            after = words[start + size] if start + size < len(words) else None
            judged = after is None or after in vocabulary.judgements or after in vocabulary.usage
            if judged and (before is None or before in PRODUCT_SLOT_BEFORE):
                return name
        return None

    def _kind(self, words: list[str], name: str | None = None) -> str | None:
        """The topic for the kind of product an unknown name seems to be ("… for session notes": AI note-takers).
        The name itself speaks first: "RingCentral Video" is a video platform whatever the question asks."""
        if name is not None:
            found = self._kind(name.split())
            if found is not None:
                return found
        folded = {fold_plural(word) for word in words}
        folded |= {" ".join(pair) for pair in pairwise(words)}
        for topic, kind_words in self._vocabulary.kinds.items():
            if topic in self._topic_ids and (folded & kind_words or set(words) & kind_words):
                return topic
        return None

    def _name_slot(self, words: Sequence[str], start: int, end: int) -> bool:
        """Whether a typo at words[start:end] sits where people put a platform's name ("is whatsap safe",
        "zoon for sessions", "teams vs gogle meet"), so reading it as that name is safe. Elsewhere
        ("I'm a therapist in Leeds", "can I message clients") an everyday word is just that."""
        vocabulary = self._vocabulary
        before = words[start - 1] if start > 0 else None
        after = words[end] if end < len(words) else None
        if before in vocabulary.slot_before or before in vocabulary.compare:
            return True
        if after in vocabulary.judgements or after in vocabulary.compare or after in vocabulary.usage:
            return True
        if after in vocabulary.name_suffixes or after in vocabulary.product_words:
            return True
        return len(words) <= 2

    def _topic_first(self, joined: str, words: list[str], mentions: list[Mention]) -> str | None:
        """The topic of a how-to question, or of "what/which <topic word> …", even when a platform is named:
        "how do I secure my jitsi meeting", "what browser should I use for jitsi"."""
        if mentions and self._starts_with(joined, self._vocabulary.how_to):
            return mentions[0].entry_id
        if words[0] in ("what", "which"):
            return next((mention.entry_id for mention in mentions if mention.start == 1), None)
        return None

    def _asks_for_recommendation(self, joined: str, words: list[str], topics: list[Mention]) -> bool:
        """ "which app should I use", "what's the safest video app", "which messaging app is best": a recommend
        phrase, or a choosing word with a product word; never when a topic is what is being chosen ("should I
        use a vpn", "best browser")."""
        vocabulary = self._vocabulary
        if topics and topics[0].entry_id in vocabulary.chosen_topics:
            return False
        padded = f" {joined} "
        if any(phrase in padded for phrase in self._recommend):
            return True
        if topics:
            return False
        wordset = set(words)
        return bool(wordset & vocabulary.product_words) and bool(wordset & vocabulary.choosing_words)

    def _wants_a_kind_of_product(self, words: list[str]) -> bool:
        """ "free secure video call app for therapists?": a product word with a wish, when no name was found
        (checked after unknown names, so "jami app safe?" is about Jami)."""
        vocabulary = self._vocabulary
        wordset = set(words)
        wishes = bool(wordset & vocabulary.judgements) and words[0] not in vocabulary.room.question_openers
        return wishes and bool(wordset & vocabulary.product_words)

    def _with_compared_slot_names(self, words: list[str], mentions: list[Mention]) -> list[Mention]:
        """Everyday-word names next to a comparison word are platforms: "wire vs signal", "signal or session",
        "is session better than signal"; "my session at 3" is not."""
        compare = self._vocabulary.compare
        if not set(words) & compare:
            return mentions
        taken = positions(mentions)
        added = [
            Mention(self._slot_names[word], index, index + 1)
            for index, word in enumerate(words)
            if word in self._slot_names
            and index not in taken
            and (
                (index > 0 and words[index - 1] in compare) or (index + 1 < len(words) and words[index + 1] in compare)
            )
        ]
        if not added or len(mentions) + len(added) < 2:
            return mentions  # one everyday word beside "and" is not a comparison
        return sorted([*mentions, *added], key=lambda mention: mention.start)

    def _without_suffixes(self, words: list[str], mentions: list[Mention]) -> list[Mention]:
        """Drops "messenger" in "briar messenger": a suffix word right after another platform's name."""
        kept: list[Mention] = []
        for mention in mentions:
            phrase = " ".join(words[mention.start : mention.end])
            follows = bool(kept) and kept[-1].end == mention.start
            if follows and phrase in self._vocabulary.name_suffixes:
                continue
            kept.append(mention)
        return kept

    def _command(self, words: list[str], trimmed: str) -> Reading | None:
        if words[0] == "list":
            return Reading(Intent.LIST, command="list")  # "list all the apps you've reviewed"
        # Most messages are no command: all the phrases at once tell, before the commands one by one tell which.
        starts_a_command = trimmed in self._command_phrases or trimmed.startswith(self._command_openings)
        for command, phrases, openings in self._commands if starts_a_command else ():
            if trimmed in phrases or trimmed.startswith(openings):
                intent = {
                    "help": Intent.HELP,
                    "list": Intent.LIST,
                    "more": Intent.MORE,
                    "privacy": Intent.PRIVACY,
                    "forget": Intent.FORGET,
                    "export": Intent.EXPORT,
                    "invite": Intent.INVITE,
                    "settings": Intent.SETTINGS,
                }.get(command, Intent.UNKNOWN)
                return Reading(intent, command=command)
        for phrase, setting in SETTING_WORDS.items():
            size = len(phrase.split())
            value = words[size:]
            if " ".join(words[:size]) == phrase and 0 < len(value) <= MAX_SETTING_WORDS and self._a_value(value):
                return Reading(Intent.SETTINGS, command=setting, argument=" ".join(value))
        return None

    def _a_value(self, words: list[str]) -> bool:
        """ "name Dr Lee" sets a name; "name a safe app for video therapy" is a question, not a name."""
        vocabulary = self._vocabulary
        question_words = vocabulary.judgements | vocabulary.product_words | vocabulary.usage | vocabulary.choosing_words
        return not set(words) & question_words

    def _room(self, words: list[str], trimmed: str) -> Reading | None:
        room = self._vocabulary.room
        if self._starts_with(trimmed, room.starts):
            return Reading(Intent.ROOM)
        # Questions about rooms and links ("is a meeting link safe", "how do I secure a room") are not requests.
        if words[0] in room.question_openers or self._starts_with(trimmed, self._vocabulary.how_to):
            return None
        wordset = set(words)
        if wordset & room.words and wordset & room.with_ and not wordset & self._vocabulary.judgements:
            return Reading(Intent.ROOM)
        # A request verb with a room word ("make me a room", "gimme a link"), or with a meeting word and a
        # setting-up verb ("set up a meeting for 3", "start a video call").
        if wordset & room.actions and wordset & room.words:
            return Reading(Intent.ROOM)
        if wordset & room.setup_actions and wordset & room.meetings:
            return Reading(Intent.ROOM)
        return None

    def _greeting(self, trimmed: str, words: list[str]) -> bool:
        """ "hi", "thank you", and a short message that opens with a greeting and asks nothing ("hello there")."""
        greetings = self._vocabulary.greetings
        if trimmed in greetings:
            return True
        opens = words[0] in greetings or " ".join(words[:2]) in greetings
        # "ok great thank you", "🙂 thank you so much that really helped": thanks anywhere in a short message.
        thanks = bool(set(words) & self._vocabulary.thanks) and len(words) <= MAX_THANKS_WORDS
        return (opens and len(words) <= 4) or thanks

    def _topics(self, words: list[str], platform_mentions: list[Mention], deletes: Deletes) -> list[Mention]:
        # Words that named a platform are not topic words ("outlook email": email is part of the question
        # about Outlook, not the email topic, but the platform wins anyway; this keeps topics honest).
        taken = positions(platform_mentions)
        remaining = [word if index not in taken else "\x00" for index, word in enumerate(words)]
        found = [mention for mention in self.topics.find(remaining, deletes) if not mention.doubtful]
        # The most specific phrase first; on a tie the later one, usually the object of the question
        # ("how to secure my home router": the router, not "secure my").
        return sorted(found, key=lambda mention: (mention.end - mention.start, mention.start), reverse=True)

    def _use(self, words: list[str]) -> str | None:
        scores = {use: len(set(words) & terms) for use, terms in self._vocabulary.uses.items()}
        best = max(scores.values(), default=0)
        winners = [use for use, score in scores.items() if score == best]
        return winners[0] if best and len(winners) == 1 else None

    @staticmethod
    def _starts_with(text: str, phrases: frozenset[str]) -> bool:
        return text in phrases or text.startswith(_openings(phrases))


@lru_cache(maxsize=32)
def _openings(phrases: frozenset[str]) -> tuple[str, ...]:
    """The phrases, each followed by a space: what a message opening with one of them starts with.

    Safe to keep: the keys are the vocabulary's own phrase sets (a handful, fixed when it loads), never a
    question's words."""
    return tuple(f"{phrase} " for phrase in phrases)


def _unique(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(ids))
