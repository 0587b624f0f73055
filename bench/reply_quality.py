"""Reply quality as a counsellor feels it: does the reply answer the question, and how long is it?

For every question set in tests/data: how many replies found the right entry and aspect with the aspect's own
answer in the first 400 characters (aspect sets), and the length of every one-question reply (median, 90th
percentile, longest, and how many pass 900 characters). Then every platform x aspect and every topic.

Run by hand:  .venv/bin/python -m bench.reply_quality
"""

from __future__ import annotations

import statistics
from pathlib import Path

from bot.brain.aspects import ASPECTS
from bot.brain.brain import Brain
from bot.brain.phone import REPLY_LIMIT, plain_length
from bot.kb.loader import bundled_knowledge_dir, load_knowledge
from tests.answer_quality import read_cases, score_conversations, score_questions

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
# Which sets the reader was tuned on; the others were measured once, on their first run, and never tuned on.
TUNED_ON = {"dev-questions.tsv", "extra-questions.tsv", "qa2-questions.tsv", "aspect-questions-a.tsv"}
TUNED_ON |= {"conversations-a.tsv"}


def _lengths_line(lengths: list[int]) -> str:
    ordered = sorted(lengths)
    p90 = ordered[int(len(ordered) * 0.9) - 1]
    over = sum(1 for length in lengths if length > REPLY_LIMIT)
    return (
        f"median {statistics.median(lengths):.0f}, p90 {p90}, longest {max(lengths)}, "
        f"over {REPLY_LIMIT}: {over} of {len(lengths)}"
    )


def main() -> None:
    knowledge = load_knowledge(bundled_knowledge_dir())
    print(f"knowledge base: {len(knowledge.platforms)} platforms, {len(knowledge.topics)} topics\n")
    for name in ("aspect-questions-a.tsv", "aspect-questions-b.tsv", "conversations-a.tsv", "conversations-b.tsv"):
        cases = read_cases(DATA / name)
        brain = Brain(knowledge)
        score = (score_conversations if name.startswith("conversations") else score_questions)(brain, cases)
        tuned = "tuned on" if name in TUNED_ON else "never tuned on"
        print(f"{name} ({tuned}): {score.right}/{score.cases} = {score.accuracy:.1%}")
        print(f"  replies: {_lengths_line(score.lengths)}")
    brain = Brain(knowledge)
    lengths = []
    for platform in knowledge.platforms.values():
        for aspect in ("", *ASPECTS):
            question = f"{platform.id.replace('-', ' ')} {aspect.replace('-', ' ')}".strip()
            answer = brain.answer(brain.read(question), text=question)
            lengths += [plain_length(message) for message in (answer, *answer.follow_ups)]
    print(f"\nevery platform, plain and with each aspect: {_lengths_line(lengths)}")
    topics = [
        plain_length(brain.answer(brain.read(topic.name), text=topic.name)) for topic in knowledge.topics.values()
    ]
    print(f"every topic: {_lengths_line(topics)}")


if __name__ == "__main__":
    main()
