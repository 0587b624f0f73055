"""Does the reply answer the question? Scores question sets the way a counsellor would judge a reply.

A case is right when the brain found what was asked about (intent, platforms, topic) and what it was asked
(the aspects), and when, for a platform question with an aspect, the aspect's own answer starts within the first
`LEAD_CHARS` characters of the reply. Used by the regression tests and by `bench/reply_quality.py`.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import median

from bot.brain.aspect_lines import ANSWERS
from bot.brain.brain import Brain
from bot.brain.phone import plain_length
from bot.kb.loader import KnowledgeBase
from bot.render.plain import render_plain
from bot.shared.answer import Answer
from bot.shared.normalise import normalise

LEAD_CHARS = 400
SHORT_LIMIT = 900
# Replies that may run long: the person asked for everything ("more"), or for a list of it all.
LONG_INTENTS = frozenset({"more", "list", "help", "room"})


@dataclass(frozen=True, slots=True)
class Case:
    question: str
    intent: str
    platforms: tuple[str, ...]
    topic: str | None
    aspects: tuple[str, ...]
    conversation: str | None = None


@dataclass
class Score:
    cases: int = 0
    right: int = 0
    failures: list[str] = field(default_factory=list)
    lengths: list[int] = field(default_factory=list)
    too_long: list[str] = field(default_factory=list)
    missing_ids: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.right / self.cases if self.cases else 0.0

    @property
    def median_length(self) -> float:
        return median(self.lengths) if self.lengths else 0.0


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def read_cases(path: Path) -> list[Case]:
    """Both layouts: `question intent platforms topic aspects`, and conversations with two leading columns."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [
        Case(
            question=row["question"],
            intent=row["intent"].strip(),
            platforms=_ids(row["platforms"] or ""),
            topic=(row["topic"] or "").strip() or None,
            aspects=_ids(row["aspects"] or ""),
            conversation=row.get("conversation"),
        )
        for row in rows
    ]


def conversations(cases: Sequence[Case]) -> Iterator[list[Case]]:
    current: list[Case] = []
    for case in cases:
        if current and case.conversation != current[0].conversation:
            yield current
            current = []
        current.append(case)
    if current:
        yield current


def _lead_is_answer(answer: Answer, text: str, case: Case, knowledge: KnowledgeBase) -> bool:
    """For one platform and an aspect: does the aspect's own answer start in the reply's first characters?"""
    if answer.intent.value != "platform" or not case.aspects or len(answer.platforms) != 1:
        return True
    platform = knowledge.platforms[answer.platforms[0]]
    lead = normalise(text[:LEAD_CHARS])
    aspect = case.aspects[0]
    if aspect == "client-message":
        return "forward" in lead
    expected = platform.tips[0] if aspect == "settings" else ANSWERS[aspect](platform)
    return normalise(expected)[:30] in lead


def judge(brain: Brain, case: Case, *, user: str, score: Score) -> None:
    knowledge = brain.knowledge
    expected_ids = [*case.platforms, *([case.topic] if case.topic else [])]
    missing = [entry for entry in expected_ids if entry not in knowledge.platforms and entry not in knowledge.topics]
    if missing:
        score.missing_ids.append(f"{case.question!r}: {missing}")
        return
    reading = brain.read(case.question)
    answer = brain.answer(reading, user=user, text=case.question)
    text = render_plain(answer)
    score.cases += 1
    intent = answer.intent.value
    if intent not in LONG_INTENTS:
        for message in (answer, *answer.follow_ups):
            length = plain_length(message)
            score.lengths.append(length)
            if length > SHORT_LIMIT:
                score.too_long.append(f"{case.question!r}: {length} characters")
    problems = []
    if intent != case.intent:
        problems.append(f"intent {intent}")
    platforms = tuple(answer.platforms)
    if (set(platforms) if case.intent == "compare" else platforms) != (
        set(case.platforms) if case.intent == "compare" else case.platforms
    ):
        problems.append(f"platforms {list(platforms)}")
    if case.topic and answer.topic != case.topic:
        problems.append(f"topic {answer.topic}")
    if set(answer.aspects) != set(case.aspects) and case.intent != "more":
        problems.append(f"aspects {list(answer.aspects)}")
    if not problems and not _lead_is_answer(answer, text, case, knowledge):
        problems.append("the aspect's answer is not in the first 400 characters")
    if problems:
        expected = f"{case.intent} {list(case.platforms)} {case.topic} {list(case.aspects)}"
        score.failures.append(f"{case.question!r}: expected {expected}; got {', '.join(problems)}")
    else:
        score.right += 1


def score_questions(brain: Brain, cases: Sequence[Case]) -> Score:
    score = Score()
    for index, case in enumerate(cases):
        judge(brain, case, user=f"question-{index}", score=score)
    return score


def score_conversations(brain: Brain, cases: Sequence[Case]) -> Score:
    score = Score()
    for index, turns in enumerate(conversations(cases)):
        for turn in turns:
            judge(brain, turn, user=f"conversation-{index}", score=score)
    return score
