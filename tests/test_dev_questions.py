"""The development question set, run through the real brain and bundled knowledge base.

Bar from the issue: at least 98% right, and not one answer that names a platform for a name we do not know.
"""

from __future__ import annotations

from pathlib import Path

from bot.brain.brain import Brain
from bot.brain.reader import Reading

DEV_SET = Path(__file__).parent / "data" / "dev-questions.tsv"


def _cases() -> list[tuple[str, str]]:
    cases = []
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, expected = line.split("\t")
            cases.append((question, expected))
    return cases


def _meets(reading: Reading, expectation: str, text: str, brain: Brain) -> bool:
    kind, _, value = expectation.partition(":")
    intent = reading.intent.value
    if kind == "platform":
        return intent == "platform" and reading.platforms[:1] == (value,)
    if kind == "compare":
        return intent == "compare" and set(reading.platforms) == set(value.split(","))
    if kind == "topic":
        return intent == "topic" and reading.topic == value
    if kind in ("room", "help", "list", "recommend"):
        return intent == kind
    if kind == "greeting":
        return not reading.platforms and reading.topic is None and intent in ("greeting", "help", "unknown")
    if kind == "abstain":
        names = [platform.name.casefold() for platform in brain.knowledge.platforms.values()]
        answer_text = text.casefold()
        return not reading.platforms and not any(f" {name} " in f" {answer_text} " for name in names)
    raise AssertionError(f"unknown expectation {expectation!r}")


def test_dev_set_accuracy_and_no_wrong_platform(brain: Brain) -> None:
    from bot.render.plain import render_plain

    cases = _cases()
    failures = []
    wrong_platform = []
    for question, expected in cases:
        reading = brain.read(question)
        text = render_plain(brain.answer(reading, text=question))
        if not any(_meets(reading, option, text, brain) for option in expected.split("|")):
            failures.append(f"{question!r}: expected {expected}, got {reading.intent.value} {reading.platforms}")
            if expected.startswith("abstain"):
                wrong_platform.append(question)
    accuracy = 1 - len(failures) / len(cases)
    assert not wrong_platform, wrong_platform
    assert accuracy >= 0.98, "\n".join(failures)
    assert len(cases) >= 80
