"""Score the extra question set against the real CLI (a dev tool, not a pytest test).

Usage, from the repository root:
    .venv/bin/python tests/data/check_extra.py                 # runs `confidant ask --json -` itself
    .venv/bin/python tests/data/check_extra.py --jsonl OUT     # scores answers already collected

Independent of the brain's code on purpose: it sees only the outside interface (`ask --json`, `kb list --json`),
as the hidden evaluation will.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
QUESTIONS = HERE / "extra-questions.tsv"
CLI = Path(sys.prefix) / "bin" / "confidant"


def load_cases(path: Path) -> list[tuple[str, str]]:
    cases = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            question, expected = line.split("\t")
            cases.append((question, expected))
    return cases


def platform_names() -> list[str]:
    command = [str(CLI), "kb", "list", "--json"]
    listing = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)  # noqa: S603 - our own program
    return [entry["name"].casefold() for entry in listing if entry["kind"] == "platform"]


def ask_all(questions: list[str]) -> list[dict[str, Any]]:
    stdin = "".join(f"{question}\n" for question in questions)
    command = [str(CLI), "ask", "--json", "-"]
    done = subprocess.run(command, input=stdin, capture_output=True, text=True, check=True)  # noqa: S603 - our own program
    return [json.loads(line) for line in done.stdout.splitlines()]


def named_platforms(text: str, names: list[str]) -> list[str]:
    # Whole-word match, like the dev-set test, so "Signal" is caught but "signals" is not.
    folded = text.casefold()
    return [name for name in names if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", folded)]


def meets(answer: dict[str, Any], expectation: str, names: list[str]) -> bool:
    kind, _, value = expectation.partition(":")
    intent, platforms, topic = answer["intent"], answer["platforms"], answer["topic"]
    if kind == "platform":
        return bool(intent == "platform" and platforms[:1] == [value])
    if kind == "compare":
        return bool(intent == "compare" and set(platforms) == set(value.split(",")))
    if kind == "topic":
        return bool(intent == "topic" and topic == value)
    if kind in ("room", "help", "list", "recommend"):
        return bool(intent == kind)
    if kind == "greeting":
        return not platforms and topic is None and intent in ("greeting", "help", "unknown")
    if kind == "abstain":
        return not platforms and not named_platforms(answer["text"], names)
    raise ValueError(f"unknown expectation {expectation!r}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jsonl", type=Path, help="answers already collected, one JSON object per line")
    args = parser.parse_args()
    cases = load_cases(QUESTIONS)
    answers = (
        [json.loads(line) for line in args.jsonl.read_text(encoding="utf-8").splitlines()]
        if args.jsonl
        else ask_all([question for question, _ in cases])
    )
    if len(answers) != len(cases):
        print(f"{len(cases)} questions but {len(answers)} answers", file=sys.stderr)
        return 2
    names = platform_names()
    misses = 0
    wrong_platform = 0
    unnamed = []
    for (question, expected), answer in zip(cases, answers, strict=True):
        if any(meets(answer, option, names) for option in expected.split("|")):
            # A soft check, not scored: a right abstention should still say which name it does not know.
            unknown_name = expected.split("|")[0].removeprefix("abstain:")
            if expected.startswith("abstain:") and unknown_name not in answer["text"].casefold():
                unnamed.append(question)
            continue
        misses += 1
        worst = expected.startswith("abstain")
        wrong_platform += worst
        named = named_platforms(answer["text"], names) if worst else []
        print(
            f"{'WORST ' if worst else ''}MISS {question!r}: expected {expected}; got intent={answer['intent']} "
            f"platforms={answer['platforms']} topic={answer['topic']}" + (f" text names {named}" if named else "")
        )
    right = len(cases) - misses
    if unnamed:
        print(f"\nabstained without naming the unknown platform ({len(unnamed)}): " + "; ".join(unnamed))
    print(f"\n{right}/{len(cases)} right ({right / len(cases):.1%}); unknown names given a platform: {wrong_platform}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
