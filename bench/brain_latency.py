"""Brain latency: per-question p50/p99 on the bundled knowledge base and on generated ones with 1,000 and 10,000
aliases, beside two baselines run on the same questions and aliases:
  - rapidfuzz `process.extractOne(question, all_aliases, scorer=WRatio)`
  - `difflib.get_close_matches(question, all_aliases)`
Then the whole of a reply on realistic questions (every question and conversation in tests/data): reading,
answering (the brain), rendering for each transport, and brain + render per question.
Also `confidant ask` cold start as a ratio to `python -c pass`.

Run by hand:  .venv/bin/python bench/brain_latency.py
"""

from __future__ import annotations

import csv
import difflib
import os
import random
import statistics
import string
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path

from rapidfuzz import fuzz, process

from bot.brain.brain import Brain
from bot.kb.loader import KnowledgeBase, bundled_knowledge_dir, load_knowledge
from bot.kb.schema import Platform
from bot.render.plain import render_plain
from bot.render.signal import render_signal
from bot.render.telegram import render_telegram
from bot.shared.answer import Answer

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
DEV_SET = DATA / "dev-questions.tsv"


def questions() -> list[str]:
    lines = DEV_SET.read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in lines if line.strip() and not line.startswith("#")]


def realistic_conversations() -> list[list[str]]:
    """Every question in tests/data, as conversations: a one-question set gives one-turn conversations."""
    found: list[list[str]] = []
    for path in sorted(DATA.glob("*.tsv")):
        lines = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if lines[0].startswith("question\t") or lines[0].startswith("conversation\t"):
            rows = list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))
            grouped: dict[str, list[str]] = {}
            for number, row in enumerate(rows):
                grouped.setdefault(row.get("conversation") or str(number), []).append(row["question"])
            found += grouped.values()
        else:
            found += [[line.split("\t")[0]] for line in lines if not line.startswith("#")]
    return found


def _percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p99 and mean in milliseconds."""
    samples = sorted(samples)
    p50, p99 = statistics.median(samples) * 1000, samples[int(len(samples) * 0.99) - 1] * 1000
    return p50, p99, statistics.fmean(samples) * 1000


def reply_costs(knowledge: KnowledgeBase, rounds: int = 5, runs: int = 3) -> None:
    """Per question of a realistic conversation: the brain (read, answer), each renderer, and brain + render.

    The best of `runs` runs of `rounds` rounds, stage by stage: on a shared 2-core machine one run's p50 moves
    with whatever else is running."""
    brain = Brain(knowledge)
    conversations = realistic_conversations()
    names = ("read", "answer", "brain", "plain", "signal", "telegram", "brain+signal", "brain+telegram")
    renderers: dict[str, Callable[[Answer], object]] = {
        "plain": render_plain,
        "signal": render_signal,
        "telegram": render_telegram,
    }
    clock = time.perf_counter
    best: dict[str, tuple[float, float, float]] = {}
    for run in range(runs):
        stages: dict[str, list[float]] = {name: [] for name in names}
        for number in range(rounds):
            for conversation, turns in enumerate(conversations):
                user = f"{run}-{number}-{conversation}"
                for text in turns:
                    start = clock()
                    reading = brain.read(text)
                    read = clock()
                    answer = brain.answer(reading, user=user, text=text)
                    answered = clock()
                    stages["read"].append(read - start)
                    stages["answer"].append(answered - read)
                    stages["brain"].append(answered - start)
                    for name, render in renderers.items():
                        start = clock()
                        render(answer)
                        stages[name].append(clock() - start)
                    stages["brain+signal"].append(stages["brain"][-1] + stages["signal"][-1])
                    stages["brain+telegram"].append(stages["brain"][-1] + stages["telegram"][-1])
        for name, samples in stages.items():
            p50, p99, mean = _percentiles(samples)
            old = best.get(name, (p50, p99, mean))
            best[name] = (min(old[0], p50), min(old[1], p99), min(old[2], mean))
    questions = sum(len(turns) for turns in conversations)
    print(
        f"realistic questions ({questions} in {len(conversations)} conversations, bundled KB,"
        f" best of {runs} runs of {rounds} rounds):"
    )
    for name, (p50, p99, mean) in best.items():
        print(f"  {name:<15} p50 {p50:6.3f} ms p99 {p99:6.3f} ms mean {mean:6.3f} ms")


def timed(function: Callable[[str], object], inputs: Sequence[str], rounds: int) -> tuple[float, float]:
    samples = []
    for _ in range(rounds):
        for text in inputs:
            start = time.perf_counter()
            function(text)
            samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples) * 1000, samples[int(len(samples) * 0.99) - 1] * 1000


def grown(knowledge: KnowledgeBase, total_aliases: int, seed: int = 7) -> KnowledgeBase:
    """The bundled entries plus invented platforms until there are `total_aliases` aliases in all."""
    rng = random.Random(seed)
    template = knowledge.platforms["whatsapp"]
    platforms = dict(knowledge.platforms)
    count = sum(len(platform.aliases) + 1 for platform in platforms.values())
    number = 0
    while count < total_aliases:
        number += 1
        name = "".join(rng.choice(string.ascii_lowercase) for _ in range(rng.randint(6, 11)))
        aliases = (f"{name} app", f"{name}{rng.randint(10, 99)}", f"{name} chat pro")
        entry_id = f"gen-{number}-{name}"
        platforms[entry_id] = replace_platform(template, entry_id, name, aliases)
        count += len(aliases) + 1
    return KnowledgeBase(platforms=platforms, topics=knowledge.topics)


def replace_platform(template: Platform, entry_id: str, name: str, aliases: tuple[str, ...]) -> Platform:
    return replace(template, id=entry_id, name=name.title(), aliases=aliases)


def all_aliases(knowledge: KnowledgeBase) -> list[str]:
    return [phrase for platform in knowledge.platforms.values() for phrase in (platform.name, *platform.aliases)]


def row(label: str, knowledge: KnowledgeBase, inputs: list[str]) -> dict[str, float]:
    brain = Brain(knowledge)
    aliases = all_aliases(knowledge)
    brain_p50, brain_p99 = timed(brain.read, inputs, rounds=20)
    rf_p50, rf_p99 = timed(lambda text: process.extractOne(text, aliases, scorer=fuzz.WRatio), inputs, rounds=3)
    dl_p50, dl_p99 = timed(lambda text: difflib.get_close_matches(text, aliases), inputs, rounds=1)
    print(
        f"{label:<22} {len(aliases):>6} aliases | brain p50 {brain_p50:7.3f} ms p99 {brain_p99:7.3f} ms"
        f" | rapidfuzz WRatio p50 {rf_p50:7.3f} ms p99 {rf_p99:7.3f} | difflib p50 {dl_p50:8.3f} ms p99 {dl_p99:8.3f}"
        f" | speed-up vs rapidfuzz (p50) {rf_p50 / brain_p50:6.1f}x"
    )
    return {"p50": brain_p50, "p99": brain_p99, "rf_p50": rf_p50}


def cold_start(runs: int = 11) -> None:
    """`confidant ask` as a user starts it, against `python -c pass`, in turn so that drift hits both alike.

    With no CONFIDANT_ variable and in an empty folder, as on a machine where nothing configures Confidant (with
    one, `ask` validates the settings and loads pydantic: see the README's Cold start). One warm-up run leaves
    the knowledge-base and vocabulary caches; the figures are of the runs that find them."""
    environment = {name: value for name, value in os.environ.items() if not name.upper().startswith("CONFIDANT_")}
    ask_times: list[float] = []
    bare_times: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        for index in range(runs + 1):
            for command, times in (
                ([sys.executable, "-m", "bot", "ask", "is whatsapp safe"], ask_times),
                ([sys.executable, "-c", "pass"], bare_times),
            ):
                start = time.perf_counter()
                subprocess.run(command, check=True, capture_output=True, env=environment, cwd=folder)
                if index:
                    times.append((time.perf_counter() - start) * 1000)
    ratios = sorted(ask / bare for ask, bare in zip(ask_times, bare_times, strict=True))
    print(
        f"cold start: python -c pass {min(bare_times):.0f} ms best, {statistics.median(bare_times):.0f} ms median;"
        f" confidant ask {min(ask_times):.0f} ms best, {statistics.median(ask_times):.0f} ms median;"
        f" ratio {min(ask_times) / min(bare_times):.1f}x best to best, {statistics.median(ratios):.1f}x median of"
        f" {runs} pairs (target <= 10x)"
    )
    if "PYTHONDONTWRITEBYTECODE" in os.environ:
        print("  (PYTHONDONTWRITEBYTECODE is set: a module without up-to-date bytecode is compiled at every start)")


def main() -> None:
    knowledge = load_knowledge(bundled_knowledge_dir())
    inputs = questions()
    bundled = row("bundled", knowledge, inputs)
    small = row("generated 1,000", grown(knowledge, 1_000), inputs)
    large = row("generated 10,000", grown(knowledge, 10_000), inputs)
    print(f"growth 1,000 -> 10,000 aliases: brain p50 x{large['p50'] / small['p50']:.2f} (linear would be x10)")
    print(f"bundled p99 target <= 1 ms: {'met' if bundled['p99'] <= 1 else 'NOT met'}")
    reply_costs(knowledge)
    cold_start()


if __name__ == "__main__":
    main()
