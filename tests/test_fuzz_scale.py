"""The 100,000-example fuzz run (slow: `pytest -m slow`, which .ci/run runs once): the gate and doorkeeper, the
reader, the brain and the Signal envelope parser get arbitrary and almost-right input. Nothing may raise, and
every short reply fits a phone (bot/brain/phone.py: REPLY_LIMIT; a room, list, help or "more" may be longer)."""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.access.gate import AccessGate
from bot.access.invitations import join_argument, read_code
from bot.brain.brain import Brain
from bot.brain.phone import REPLY_LIMIT, plain_length
from bot.brain.reader import Reading
from bot.core.assistant import Assistant
from bot.kb.loader import KnowledgeBase
from bot.shared.answer import Answer, Intent
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.transports.signal.envelopes import ErrorFrame, Ignored, TextMessage, parse_frame
from tests.fakes import signal_envelopes as env

pytestmark = pytest.mark.slow

EXAMPLES = {"gate": 20_000, "reader": 30_000, "brain": 25_000, "envelopes": 25_000}
assert sum(EXAMPLES.values()) == 100_000

# Replies that may run past one phone screen, because they are lists or the long version on request.
MAY_BE_LONG = frozenset({Intent.ROOM, Intent.LIST, Intent.HELP, Intent.MORE})
FUZZ = settings(
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
)
ADMIN = "+447700900001"
SENDERS = (ADMIN, "+447700900002", "+447700900003", "6f1c8e2a-3b7d-4a55-9c0e-1d2f3a4b5c6d")
KEYER = Keyer(b"f" * 32)


def _everyday_words() -> list[str]:
    return [
        "is", "safe", "vs", "what", "about", "groups", "and", "on", "android", "more", "yes", "no", "room", "for",
        "3pm", "tomorrow", "record", "does", "it", "hipaa", "gdpr", "my", "client", "e2ee", "join", "/join",
        "/start", "invite", "export", "forget", "privacy", "region", "uk", "timezone", "name", "Dr", "Lee",
        "help", "list", "checklist", "sources", "?", "!", "🙂", "\u200b", "ｚｏｏｍ", "whatsаpp", "7K3M-Q9XD-2HPR-A4VB",
        "0000-0000-0000-0000", "+44 7700 900123", "eyJhbGciOiJIUzI1NiJ9.e30.c2ln", "https://meet.jit.si/x", "/room",
    ]  # fmt: skip


@pytest.fixture(scope="module")
def words(knowledge: KnowledgeBase) -> list[str]:
    names = [name for platform in knowledge.platforms.values() for name in (platform.name, *platform.aliases)]
    topics = [topic.name for topic in knowledge.topics.values()]
    return sorted({*names, *topics, *_everyday_words()})


def texts(words: list[str]) -> st.SearchStrategy[str]:
    """Arbitrary text, and sentences of the words Confidant reads, mixed with arbitrary ones."""
    word = st.one_of(st.sampled_from(words), st.text(max_size=12))
    return st.one_of(
        st.text(max_size=400),
        st.lists(word, max_size=16).map(" ".join),
        st.lists(st.sampled_from(words), min_size=1, max_size=6).map(" ".join),
    )


class Count:
    """How many examples a run really tried: the total is part of the claim."""

    def __init__(self) -> None:
        self.n = 0

    def __call__(self) -> None:
        self.n += 1


def check_length(answer: Answer) -> None:
    for message in (answer, *answer.follow_ups):
        if answer.intent not in MAY_BE_LONG:
            assert plain_length(message) <= REPLY_LIMIT, (answer.intent, answer.title, plain_length(message))


@pytest.fixture(scope="module")
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as runner:
        yield runner


def test_the_gate_and_doorkeeper_take_anything(
    knowledge: KnowledgeBase, words: list[str], runner: asyncio.Runner
) -> None:
    clock = [0.0]
    gate = AccessGate(mode="allowlist", admins=[f"signal:{ADMIN}"], local=["console"], clock=lambda: clock[0])
    assistant = Assistant(Brain(knowledge), keyer=KEYER, gate=gate)

    tried = Count()

    @settings(FUZZ, max_examples=EXAMPLES["gate"])
    @given(
        text=texts(words),
        sender=st.one_of(st.sampled_from(SENDERS), st.text(max_size=40)),
        transport=st.sampled_from(("signal", "telegram", "console", "other")),
        group=st.booleans(),
        addressed=st.booleans(),
        later=st.floats(min_value=0, max_value=120),
    )
    def run(text: str, sender: str, transport: str, group: bool, addressed: bool, later: float) -> None:
        tried()
        clock[0] += later
        message = Incoming(
            transport=transport, sender=sender, chat=sender, text=text, message_key=text,
            is_group=group, addressed=addressed,
        )  # fmt: skip
        answer = runner.run(assistant.respond(message))
        if answer is not None:
            check_length(answer)
            if gate.role(message) is None:
                # A stranger gets the refusal or the welcome (never here: no codes exist), nothing else.
                assert answer.intent is Intent.REFUSED and not answer.platforms
        argument = join_argument(text)
        code = read_code(argument) if argument is not None else None
        assert code is None or len(code) == 16

    run()
    assert tried.n >= EXAMPLES["gate"]


def test_the_reader_reads_anything(brain: Brain, words: list[str]) -> None:
    tried = Count()

    @settings(FUZZ, max_examples=EXAMPLES["reader"])
    @given(text=texts(words))
    def run(text: str) -> None:
        tried()
        reading = brain.read(text)
        assert isinstance(reading, Reading)
        assert all(platform in brain.knowledge.platforms for platform in reading.platforms)
        assert reading.topic is None or reading.topic in brain.knowledge.topics

    run()
    assert tried.n >= EXAMPLES["reader"]


def test_the_brain_answers_anything_within_a_phone_screen(brain: Brain, words: list[str]) -> None:
    tried = Count()

    @settings(FUZZ, max_examples=EXAMPLES["brain"])
    @given(
        text=texts(words),
        user=st.sampled_from(("a", "b", "c")),  # a few conversations, so follow-ups meet earlier answers
        region=st.sampled_from((None, "uk", "eu", "us", "other")),
    )
    def run(text: str, user: str, region: str | None) -> None:
        tried()
        answer = brain.ask(text, user=user, region=region)
        assert answer.title
        check_length(answer)
        assert all(platform in brain.knowledge.platforms for platform in answer.platforms)

    run()
    assert tried.n >= EXAMPLES["brain"]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
    max_leaves=8,
)
KEYS = (
    "envelope", "account", "error", "exception", "source", "sourceNumber", "sourceUuid", "timestamp",
    "dataMessage", "editMessage", "syncMessage", "typingMessage", "receiptMessage", "message", "groupInfo",
    "groupId", "mentions", "attachments", "reaction", "sticker", "remoteDelete", "isExpirationUpdate",
    "targetSentTimestamp", "uuid", "number", "start", "length", "id",
)  # fmt: skip


# Values a careless or newer signal-cli build might put anywhere.
ODD: tuple[object, ...] = (
    None,
    "",
    0,
    -1,
    2**63,
    1.5e308,
    True,
    [],
    {},
    "x" * 5000,
    [None, {}],
    {"": None},
    "\ufffc",
    "group.",
)


def _mutate(frame: Any, rng: random.Random) -> Any:
    """A real frame with some values replaced by odd ones, or removed, or odd keys added, at any depth."""
    if isinstance(frame, dict):
        mutated = {}
        for key, value in frame.items():
            choice = rng.randrange(10)
            if choice == 0:
                continue
            mutated[key] = rng.choice(ODD) if choice == 1 else _mutate(value, rng)
        if rng.random() < 0.3:
            mutated[rng.choice(KEYS)] = rng.choice(ODD)
        return mutated
    if isinstance(frame, list):
        return [_mutate(value, rng) for value in frame]
    return frame


REAL_FRAMES = (
    env.text_frame("is zoom safe?"),
    env.text_frame("hi", number=None),
    env.group_frame("room", mention_bot=True),
    env.sync_sent_frame("x"),
    env.typing_frame(),
    env.receipt_frame(),
    env.error_frame(),
    env.exception_frame(),
)
# Hypothesis picks the frame and a seed; the seed drives the many small mutations, which is far cheaper than
# drawing each from Hypothesis and keeps 25,000 examples within the time the slow set allows.
FRAMES = st.one_of(
    JSON,
    st.tuples(st.sampled_from(REAL_FRAMES), st.integers(0, 2**32)).map(
        lambda pair: _mutate(json.loads(json.dumps(pair[0])), random.Random(pair[1]))
    ),
)


def test_the_envelope_parser_takes_any_frame() -> None:
    tried = Count()

    @settings(FUZZ, max_examples=EXAMPLES["envelopes"])
    @given(frame=FRAMES, own=st.sampled_from((None, env.BOT_UUID)))
    def run(frame: Any, own: str | None) -> None:
        tried()
        parsed = parse_frame(frame, account=env.BOT_NUMBER, own_uuid=own)
        assert isinstance(parsed, TextMessage | Ignored | ErrorFrame)
        if isinstance(parsed, TextMessage):
            assert isinstance(parsed.text, str) and isinstance(parsed.sender, str)
            assert parsed.key and parsed.reply_to

    run()
    assert tried.n >= EXAMPLES["envelopes"]


def test_a_length_violation_would_be_caught() -> None:
    long = Answer(intent=Intent.PLATFORM, title="x" * (REPLY_LIMIT + 1))
    with pytest.raises(AssertionError):
        check_length(long)
    check_length(replace(long, intent=Intent.MORE))
