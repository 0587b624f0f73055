"""Phone-sized replies: a short answer is at most `REPLY_LIMIT` characters as the reader sees it.

An answer is built from parts in the order they are read, each with a priority. When the whole is too long,
the least important part gives way first (a list loses its last item before the part goes), and what must stay
is cut at a sentence. "more" is where the rest lives, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.brain.answer import Answer, Section

REPLY_LIMIT = 900
ESSENTIAL = 0
STALE_LINE = "Platforms change: this entry is due for a re-check, so look at the sources too."


@dataclass(frozen=True, slots=True)
class Part:
    section: Section
    priority: int = ESSENTIAL  # higher gives way first
    shrinks: bool = False  # a list that may lose items from its end before it goes


def reviewed_line(answer: Answer) -> str | None:
    return f"Reviewed {answer.reviewed:%B %Y}." if answer.reviewed is not None else None


def plain_length(answer: Answer) -> int:
    """The length of one message as `render_plain` lays it out (tested to agree with it)."""
    blocks = [answer.title if not answer.verdict else f"{answer.title}: {answer.verdict}"]
    links = "\n".join(f"{link.label}: {link.url}" for link in answer.links)
    if links and answer.links_first:
        blocks.append(links)
    for section in answer.sections:
        bullet = "• " if section.heading is not None and len(section.lines) > 1 else ""
        lines = [f"{bullet}{line}" for line in section.lines]
        if section.heading is not None:
            lines.insert(0, f"{section.heading}:")
        blocks.append("\n".join(lines))
    if links and not answer.links_first:
        blocks.append(links)
    closing = reviewed_line(answer)
    if closing or answer.stale:
        blocks.append(" ".join(filter(None, (closing, STALE_LINE if answer.stale else None))))
    if answer.footer:
        blocks.append(answer.footer)
    return len("\n\n".join(blocks))


def fit(answer: Answer, parts: Sequence[Part], *, limit: int = REPLY_LIMIT) -> Answer:
    """`answer` with the parts' sections, dropping or trimming the least important until it fits `limit`."""
    kept = list(parts)

    def build() -> Answer:
        return replace(answer, sections=tuple(part.section for part in kept))

    built = build()
    while plain_length(built) > limit:
        droppable = [index for index, part in enumerate(kept) if part.priority > ESSENTIAL]
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
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


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
