"""An `Answer` as Telegram messages in HTML parse mode, with the inline buttons that suit it.

Every dynamic piece (knowledge-base text, names, URLs) is escaped; only our own template adds tags. Each
line is balanced HTML on its own, so a message may end after any line: long answers are split at paragraph
boundaries first, then at lines, and a line too long by itself is cut at spaces with its tags repeated.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from bot.render.plain import month_year
from bot.shared.answer import Answer, Intent

# Telegram's limit is 4,096 characters of the text after parsing; counting the raw HTML (tags included) in
# UTF-16 code units, as Telegram counts, stays under it whatever the markup.
MAX_CHARS = 4096
STALE_NOTE = "Platforms change: check the sources before relying on this."
# Said wherever the bot explains itself: a counsellor must not mistake this chat for a private one.
TELEGRAM_NOTE = (
    "On Telegram: bot chats are not end-to-end encrypted, so Telegram's servers can read this chat. "
    "Keep client names and details out of it, and prefer Signal for anything sensitive."
)
_EXPLAINS_ITSELF = (Intent.HELP, Intent.GREETING, Intent.PRIVACY, Intent.JOIN, Intent.EXPORT)
_SLOT = "\x00"  # where a line's escaped text goes in its template


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button; `data` comes back in a callback query (at most 64 bytes, Telegram's limit)."""

    label: str
    data: str


@dataclass(frozen=True, slots=True)
class _Line:
    template: str  # balanced HTML with one _SLOT
    text: str  # not yet escaped

    def html(self) -> str:
        text = self.text
        # Most lines have nothing to escape: three `in` tests say so faster than html.escape's three replaces.
        if "&" in text or "<" in text or ">" in text:
            text = html.escape(text, quote=False)
        return text if self.template == _SLOT else self.template.replace(_SLOT, text)


def _plain(text: str) -> _Line:
    return _Line(_SLOT, text)


def _bold(text: str) -> _Line:
    return _Line(f"<b>{_SLOT}</b>", text)


def _paragraphs(answer: Answer) -> list[list[_Line]]:
    head = [_bold(answer.title)]
    if answer.verdict:
        head.append(_plain(answer.verdict))
    paragraphs = [head]
    for section in answer.sections:
        lines = [_bold(section.heading)] if section.heading else []
        bullet = "• " if section.heading is not None and len(section.lines) > 1 else ""
        lines.extend(_plain(bullet + line) for line in section.lines)
        paragraphs.append(lines)
    if answer.links:
        paragraphs.append(
            [_Line(f'<a href="{html.escape(link.url, quote=True)}">{_SLOT}</a>', link.label) for link in answer.links]
        )
    dated = []
    if answer.reviewed is not None:
        dated.append(_Line(f"<i>{_SLOT}</i>", f"Reviewed {month_year(answer.reviewed)}"))
    if answer.stale:
        dated.append(_plain(STALE_NOTE))
    paragraphs.append(dated)
    if answer.footer:
        paragraphs.append([_plain(answer.footer)])
    if answer.intent in _EXPLAINS_ITSELF:
        paragraphs.append([_Line(f"<i>{_SLOT}</i>", TELEGRAM_NOTE)])
    return [lines for lines in paragraphs if any(line.text.strip() for line in lines)]


def render_telegram(answer: Answer, *, max_chars: int = MAX_CHARS) -> list[str]:
    """The messages to send, in order: the answer (split if long), then each follow-up (split if long)."""
    messages = _pack(_paragraphs(answer), max_chars)
    for follow_up in answer.follow_ups:
        messages.extend(render_telegram(follow_up, max_chars=max_chars))
    return messages


def buttons_for(answer: Answer) -> list[Button]:
    """Buttons under an answer, for the next step people take most: the long version, a comparison with the
    messenger we recommend, another room."""
    if answer.intent is Intent.ROOM and answer.follow_ups:
        return [Button("New room", "room")]
    buttons: list[Button] = []
    if answer.intent in (Intent.PLATFORM, Intent.COMPARE, Intent.TOPIC):
        buttons.append(Button("More", "more"))
    if answer.intent is Intent.PLATFORM and len(answer.platforms) == 1 and answer.platforms[0] != "signal":
        buttons.append(Button("Compare with Signal", f"compare:{answer.platforms[0]}"[:64]))
    return buttons


def size(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


PARAGRAPH_BREAK = size("\n\n")


def _pack(paragraphs: list[list[_Line]], max_chars: int) -> list[str]:
    blocks = ["\n".join([line.html() for line in paragraph]) for paragraph in paragraphs]
    whole = "\n\n".join(blocks)
    if blocks and size(whole) <= max_chars:
        return [whole]  # most replies: one message, which the packing below would give too
    messages: list[str] = []
    # The size of each message so far: sizes add up when texts are joined, so each block is measured once
    # instead of the whole message again for every block.
    sizes: list[int] = []
    for paragraph, block in zip(paragraphs, blocks, strict=True):
        block_size = size(block)
        if messages and sizes[-1] + PARAGRAPH_BREAK + block_size <= max_chars:
            messages[-1] += "\n\n" + block
            sizes[-1] += PARAGRAPH_BREAK + block_size
        elif block_size <= max_chars:
            messages.append(block)
            sizes.append(block_size)
        else:
            pieces = _pack_lines(paragraph, max_chars)
            messages.extend(pieces)
            sizes.extend(size(piece) for piece in pieces)
    return messages


def _pack_lines(lines: list[_Line], max_chars: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        for piece in _cut(line, max_chars):
            if out and size(out[-1] + "\n" + piece) <= max_chars:
                out[-1] += "\n" + piece
            else:
                out.append(piece)
    return out


def _cut(line: _Line, max_chars: int) -> list[str]:
    """A line's HTML in pieces of at most `max_chars`, each with the line's tags around it."""
    if size(line.html()) <= max_chars:
        return [line.html()]
    pieces: list[str] = []
    current = ""
    for word in line.text.split(" "):
        candidate = f"{current} {word}" if current else word
        if size(_Line(line.template, candidate).html()) <= max_chars:
            current = candidate
            continue
        if current:
            pieces.append(_Line(line.template, current).html())
        current = word
        # A single word longer than a message (a pasted blob): cut it at characters.
        while size(_Line(line.template, current).html()) > max_chars:
            fits = len(current)
            while fits > 1 and size(_Line(line.template, current[:fits]).html()) > max_chars:
                fits = max(1, fits * 3 // 4)
            pieces.append(_Line(line.template, current[:fits]).html())
            current = current[fits:]
    if current:
        pieces.append(_Line(line.template, current).html())
    return pieces
