"""An `Answer` as Signal messages in signal-cli-rest-api's `styled` text mode.

Styled mode reads `**bold**`, `*italic*`, `~strike~`, `||spoiler||` and `` `mono` ``; a backslash escapes
a marker. Only our own template adds markers: every dynamic piece (knowledge-base text, names, URLs) goes
through `escape`, so a URL with `~user` or a snippet with an asterisk shows exactly as written.

signal-cli moves text beyond 2,000 UTF-8 bytes into a `text/x-signal-plain` attachment, which some clients
show badly, so messages are cut at paragraph boundaries well below that (`MAX_BYTES`).
"""

from __future__ import annotations

from bot.shared.answer import Answer

MAX_BYTES = 1800
_MARKERS = "\\*~|`"
STALE_NOTE = "Platforms change: check the sources before relying on this."


def escape(text: str) -> str:
    """Backslash-escape the markup characters (and the backslash itself) in text that is not ours."""
    # Every line of every reply comes through here, and most have no marker: five `in` tests find that out in C.
    # Otherwise one `replace` per marker, the backslash first so the escapes added after it stay single (both
    # far faster than a character-by-character join).
    if "\\" not in text and "*" not in text and "~" not in text and "|" not in text and "`" not in text:
        return text
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("~", "\\~").replace("|", "\\|").replace("`", "\\`")


def _span(marker: str, text: str) -> str:
    # A marker character right inside a span would read as `***` or `\**`, which styled mode mis-parses
    # (upstream #879); trimming it off the edges of a heading loses nothing a reader needs.
    inner = escape(text.strip().strip(_MARKERS).strip())
    return f"{marker}{inner}{marker}" if inner else ""


def bold(text: str) -> str:
    return _span("**", text)


def italic(text: str) -> str:
    return _span("*", text)


def _paragraphs(answer: Answer) -> list[str]:
    head = [bold(answer.title)]
    if answer.verdict:
        head.append(escape(answer.verdict))
    paragraphs = ["\n".join(part for part in head if part)]
    links = "\n".join(f"{escape(link.label)}: {escape(link.url)}" for link in answer.links)
    if links and answer.links_first:
        paragraphs.append(links)
    for section in answer.sections:
        lines = [bold(section.heading)] if section.heading else []
        lines.extend(escape(line) for line in section.lines)
        if lines:
            paragraphs.append("\n".join(lines))
    if links and not answer.links_first:
        paragraphs.append(links)
    dated = []
    if answer.reviewed is not None:
        dated.append(italic(f"Reviewed {answer.reviewed.isoformat()}"))
    if answer.stale:
        dated.append(escape(STALE_NOTE))
    if dated:
        paragraphs.append("\n".join(dated))
    if answer.footer:
        paragraphs.append(escape(answer.footer))
    return [p for p in paragraphs if p.strip()]


def render_signal(answer: Answer, *, max_bytes: int = MAX_BYTES) -> list[str]:
    """The messages to send, in order: the answer (split if long), then each follow-up (split if long)."""
    messages = split_message("\n\n".join(_paragraphs(answer)), max_bytes=max_bytes)
    for follow_up in answer.follow_ups:
        messages.extend(render_signal(follow_up, max_bytes=max_bytes))
    return messages


def _size(text: str) -> int:
    return len(text.encode("utf-8"))


def split_message(text: str, *, max_bytes: int = MAX_BYTES) -> list[str]:
    """Pack paragraphs into messages of at most `max_bytes`; longer paragraphs are cut at lines, words."""
    if not text.strip():
        return []
    if _size(text) <= max_bytes:
        return [text.strip("\n")]  # most replies: one message, which the packing below would give too
    chunks: list[str] = []
    # The size of each chunk so far: sizes add up when texts are joined, so each piece is measured once instead
    # of the whole chunk again for every piece.
    sizes: list[int] = []
    for separator, pieces in _pieces(text, max_bytes):
        for piece in pieces:
            piece_size = _size(piece)
            if chunks and sizes[-1] + _size(separator) + piece_size <= max_bytes:
                chunks[-1] += separator + piece
                sizes[-1] += _size(separator) + piece_size
            else:
                chunks.append(piece)
                sizes.append(piece_size)
    return [chunk.strip("\n") for chunk in chunks if chunk.strip()]


def _pieces(text: str, max_bytes: int) -> list[tuple[str, list[str]]]:
    # (separator to the previous piece, pieces): paragraphs join with a blank line, cut lines with a newline.
    out: list[tuple[str, list[str]]] = []
    for paragraph in text.split("\n\n"):
        if _size(paragraph) <= max_bytes:
            out.append(("\n\n", [paragraph]))
            continue
        lines = _fit(paragraph.split("\n"), "\n", max_bytes)
        out.append(("\n\n", lines[:1]))
        out.extend(("\n", [line]) for line in lines[1:])
    return out


def _fit(parts: list[str], joiner: str, max_bytes: int) -> list[str]:
    """Greedy packing of `parts`; a part too big on its own is cut at spaces, then at characters."""
    packed: list[str] = []
    for part in parts:
        for piece in _cut(part, max_bytes) if _size(part) > max_bytes else [part]:
            if packed and _size(packed[-1] + joiner + piece) <= max_bytes:
                packed[-1] += joiner + piece
            else:
                packed.append(piece)
    return packed


def _cut(line: str, max_bytes: int) -> list[str]:
    words = line.split(" ")
    if len(words) > 1:
        return _fit(words, " ", max_bytes)
    pieces: list[str] = []
    current = ""
    for ch in line:
        if _size(current + ch) > max_bytes:
            # Never end a piece on a lone escaping backslash: it would escape nothing, or the next message.
            carry = ""
            if current.endswith("\\") and (len(current) - len(current.rstrip("\\"))) % 2 == 1:
                current, carry = current[:-1], "\\"
            pieces.append(current)
            current = carry
        current += ch
    if current:
        pieces.append(current)
    return pieces
