"""Plain text: the terminal, `confidant ask`, and any transport without formatting."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

from bot.shared.answer import Answer, Section

BLOCK_SEPARATOR = "\n\n"
STALE_LINE = "Platforms change: this entry is due for a re-check, so look at the sources too."


@lru_cache(maxsize=512)
def month_year(day: date) -> str:
    """ "November 2026". Kept: strftime costs more than the rest of a line, and the dates are the knowledge
    base's review dates (a few dozen, nothing a user wrote)."""
    return f"{day:%B %Y}"


def reviewed_line(answer: Answer) -> str | None:
    if answer.reviewed is None:
        return None
    return f"Reviewed {month_year(answer.reviewed)}."


def render_plain(answer: Answer) -> str:
    """The answer as plain text; follow-up messages are separated by a blank line and a rule."""
    parts = [render_message(answer)]
    parts += [render_message(follow_up) for follow_up in answer.follow_ups]
    return "\n\n---\n\n".join(parts)


def section_block(section: Section) -> str:
    """One section as its block of the message. Blocks are joined by a blank line (`BLOCK_SEPARATOR`), so a
    section adds its block's length plus the separator's to a message, whatever else the message holds."""
    bullet = "• " if section.heading is not None and len(section.lines) > 1 else ""
    lines = [f"{bullet}{line}" for line in section.lines]
    if section.heading is not None:
        lines.insert(0, f"{section.heading}:")
    return "\n".join(lines)


def section_length(section: Section) -> int:
    """`len(section_block(section))`, counted without building the block (fitting a reply measures every
    section, and every shorter version of a list)."""
    bullet = 2 if section.heading is not None and len(section.lines) > 1 else 0  # "• "
    rows = len(section.lines) + (section.heading is not None)
    heading = len(section.heading) + 1 if section.heading is not None else 0  # "Heading:"
    newlines = rows - 1 if rows else 0
    return sum(map(len, section.lines)) + bullet * len(section.lines) + heading + newlines


def render_message(answer: Answer, sections: Sequence[Section] | None = None) -> str:
    """The answer's own message, without its follow-ups; with `sections` in place of the answer's own (for
    measuring a reply while it is being fitted, without copying the answer each time)."""
    blocks = [answer.title if not answer.verdict else f"{answer.title}: {answer.verdict}"]
    links = "\n".join(f"{link.label}: {link.url}" for link in answer.links)
    if links and answer.links_first:
        blocks.append(links)
    blocks.extend(section_block(section) for section in (answer.sections if sections is None else sections))
    if links and not answer.links_first:
        blocks.append(links)
    closing = [line for line in (reviewed_line(answer), STALE_LINE if answer.stale else None) if line]
    if closing:
        blocks.append(" ".join(closing))
    if answer.footer:
        blocks.append(answer.footer)
    return BLOCK_SEPARATOR.join(blocks)
