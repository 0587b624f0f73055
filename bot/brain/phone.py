"""Phone-sized replies: a short answer is at most `REPLY_LIMIT` characters as the reader sees it.

An answer is built from parts in the order they are read, each with a priority. When the whole is too long,
the least important part gives way first (a list loses its last item before the part goes). Parts are cut only
at sentence ends, and the essential ones only as a last resort. "more" is where the rest lives.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import IntEnum

from bot.brain import sentences
from bot.render.plain import BLOCK_SEPARATOR, render_message, section_length
from bot.shared.answer import Answer, Section

REPLY_LIMIT = 900


class Priority(IntEnum):
    """How readily a part gives way: higher first."""

    ESSENTIAL = 0  # never dropped: what was asked, the notes about the question itself
    HIGH = 1  # gives way only when the answer would pass REPLY_LIMIT
    NORMAL = 2  # gives way when the answer passes its soft limit
    LOW = 3  # gives way first


@dataclass(frozen=True, slots=True)
class Part:
    """A section of an answer, with how it gives way when the answer is too long for a phone."""

    section: Section
    priority: Priority = Priority.ESSENTIAL
    shrinks: bool = False  # a list that loses items from its end before it goes
    keep: int = 0  # items a shrinking list keeps while the answer is only over its soft limit


def plain_length(answer: Answer) -> int:
    """The length of one message as the reader sees it in plain text (follow-up messages not counted)."""
    return len(render_message(answer))


def block_size(section: Section) -> int:
    """What a section adds to the length of a plain message: its block and the blank line before it."""
    return section_length(section) + len(BLOCK_SEPARATOR)


def fit(answer: Answer, parts: Sequence[Part], *, limit: int = REPLY_LIMIT, soft_limit: int | None = None) -> Answer:
    """`answer` with the parts' sections, the least important giving way until it fits `limit`.

    With `soft_limit`, parts of NORMAL priority and below already give way above that length: the answer aims at
    it, and only what matters more may take it up to `limit`."""
    kept = list(parts)
    # The message without sections, plus each section's block: a step that drops or shrinks a part measures
    # that part again, not the whole message (rendering it once per step cost more than the rest of fitting).
    frame = len(render_message(answer, sections=()))
    sizes = [block_size(part.section) for part in kept]
    length = frame + sum(sizes)
    while length > limit or (soft_limit is not None and length > soft_limit):
        only_soft = length <= limit
        lowest = Priority.NORMAL if only_soft else Priority.HIGH
        droppable = [
            index
            for index, part in enumerate(kept)
            if part.priority >= lowest and not (only_soft and len(part.section.lines) <= part.keep)
        ]
        if not droppable:
            break
        index = max(droppable, key=lambda position: (kept[position].priority, position))
        part = kept[index]
        if part.shrinks and len(part.section.lines) > 1:
            # Built directly rather than with dataclasses.replace, which costs five times as much (a Section is its
            # heading and lines, a Part its section and three settings).
            shorter = Section(part.section.heading, part.section.lines[:-1])
            kept[index] = Part(shorter, part.priority, part.shrinks, part.keep)
            sizes[index] = block_size(kept[index].section)
        else:
            del kept[index]
            del sizes[index]
        length = frame + sum(sizes)
    built = replace(answer, sections=tuple(part.section for part in kept))
    return _trim_essentials(built, limit) if length > limit else built


def _trim_essentials(answer: Answer, limit: int) -> Answer:
    """Cut the longest lines until the answer fits: the last resort, rare with curated text."""
    lines = [list(section.lines) for section in answer.sections]
    for _ in range(20):
        over = plain_length(_with_lines(answer, lines)) - limit
        if over <= 0:
            break
        places = [(index, line) for index, section in enumerate(lines) for line in range(len(section))]
        if not places:
            break
        section, line = max(places, key=lambda place: len(lines[place[0]][place[1]]))
        text = lines[section][line]
        shorter = sentences.shorten(text, max(len(text) - over - 1, 60))
        if shorter == text:
            break
        lines[section][line] = shorter
    return _with_lines(answer, lines)


def _with_lines(answer: Answer, lines: list[list[str]]) -> Answer:
    return replace(
        answer,
        sections=tuple(
            replace(section, lines=tuple(texts)) for section, texts in zip(answer.sections, lines, strict=True)
        ),
    )
