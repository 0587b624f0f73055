"""Phone-sized replies: a short answer is at most `REPLY_LIMIT` characters as the reader sees it.

An answer is built from parts in the order they are read, each with a priority. When the whole is too long,
the least important part gives way first (a list loses its last item before the part goes), and what must stay
is cut at a sentence. "more" is where the rest lives, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.render.plain import render_plain
from bot.shared.answer import Answer, Section

REPLY_LIMIT = 900
ESSENTIAL = 0


@dataclass(frozen=True, slots=True)
class Part:
    section: Section
    priority: int = ESSENTIAL  # higher gives way first
    shrinks: bool = False  # a list that may lose items from its end before it goes
    keep: int = 0  # lines a shrinking list keeps while the answer is only over the soft limit


def plain_length(answer: Answer) -> int:
    """The length of one message as the reader sees it in plain text (follow-up messages not counted)."""
    return len(render_plain(replace(answer, follow_ups=())))


def fit(
    answer: Answer,
    parts: Sequence[Part],
    *,
    limit: int = REPLY_LIMIT,
    soft_limit: int | None = None,
    soft_priority: int = 2,
) -> Answer:
    """`answer` with the parts' sections, dropping or trimming the least important until it fits `limit`.

    With `soft_limit`, parts of `soft_priority` or less important give way already above that length: the
    answer aims at it, and only what matters more may take it up to `limit`."""
    kept = list(parts)

    def build() -> Answer:
        return replace(answer, sections=tuple(part.section for part in kept))

    built = build()
    while plain_length(built) > limit or (soft_limit is not None and plain_length(built) > soft_limit):
        over_soft = plain_length(built) <= limit
        lowest = soft_priority if over_soft else ESSENTIAL + 1
        droppable = [
            index
            for index, part in enumerate(kept)
            if part.priority >= lowest and not (over_soft and len(part.section.lines) <= part.keep)
        ]
        if not droppable:
            break
        index = max(droppable, key=lambda position: (kept[position].priority, position))
        part = kept[index]
        if part.shrinks and len(part.section.lines) > 1:
            kept[index] = replace(part, section=replace(part.section, lines=part.section.lines[:-1]))
        else:
            del kept[index]
        built = build()
    if plain_length(built) > limit:
        built = _trim_essentials(built, limit)
    return built


def _trim_essentials(answer: Answer, limit: int) -> Answer:
    """Cut the longest lines at a sentence until the answer fits (the last resort; rare with curated text)."""
    sections = [list(section.lines) for section in answer.sections]
    for _ in range(20):
        over = plain_length(_with_lines(answer, sections)) - limit
        if over <= 0:
            break
        where = max(
            ((index, line) for index, lines in enumerate(sections) for line in range(len(lines))),
            key=lambda place: len(sections[place[0]][place[1]]),
            default=None,
        )
        if where is None:
            break
        text = sections[where[0]][where[1]]
        shorter = shorten(text, max(len(text) - over - 1, 60))
        if shorter == text:
            break
        sections[where[0]][where[1]] = shorter
    return _with_lines(answer, sections)


def shorten(text: str, limit: int) -> str:
    """Whole sentences up to `limit` characters; a first sentence that is longer is cut at a word, with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    sentences = _sentences(text)
    kept = ""
    for sentence in sentences:
        candidate = f"{kept} {sentence}".strip()
        if len(candidate) > limit:
            break
        kept = candidate
    if kept:
        return kept
    # No whole sentence fits: cut at the last clause break (a comma, a bracket) in the second half, else a word.
    head = text[: limit - 1]
    clause = max(head.rfind(mark) for mark in (", ", "; ", " (", " – ", " — "))
    cut = head[:clause] if clause > limit // 2 else head.rsplit(" ", 1)[0]
    return cut.rstrip(",;: ") + "…"


def _sentences(text: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for index, char in enumerate(text):
        ends = char in ".!?" and (index + 1 == len(text) or text[index + 1] == " ")
        # "e.g. ", "U.S. " and "Inc. " are not sentence ends: the next word starts with a capital after a real one.
        if ends and index + 2 < len(text) and not text[index + 2].isupper() and not text[index + 2].isdigit():
            continue
        if ends:
            sentences.append(text[start : index + 1].strip())
            start = index + 1
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    return sentences


def _with_lines(answer: Answer, sections: list[list[str]]) -> Answer:
    return replace(
        answer,
        sections=tuple(
            replace(section, lines=tuple(lines)) for section, lines in zip(answer.sections, sections, strict=True)
        ),
    )
