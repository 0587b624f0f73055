from __future__ import annotations

import html
from datetime import date
from html.parser import HTMLParser

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.render.telegram import MAX_CHARS, TELEGRAM_NOTE, Button, _Line, buttons_for, render_telegram, size
from bot.shared.answer import Answer, Intent, Link, Section

# The tags Telegram's HTML mode accepts that we use; anything else would be a 400 from sendMessage.
ALLOWED = {"b", "i", "a"}


class Balance(HTMLParser):
    """Checks what Telegram checks: known tags only, each closed in order, and the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        assert tag in ALLOWED, tag
        self.open.append(tag)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open.pop() == tag, tag

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(message: str) -> Balance:
    parser = Balance()
    parser.feed(message)
    parser.close()
    assert parser.open == [], parser.open
    return parser


def test_every_dynamic_piece_is_escaped() -> None:
    answer = Answer(
        intent=Intent.PLATFORM,
        title="<Zoom> & co",
        verdict="Safe <b>with</b> settings",
        sections=(Section("Tips & <tricks>", ("use the lobby </a><script>",)),),
        links=(Link('Guide "quoted"', 'https://example.org/a?b=1&c="2"><x>'),),
        reviewed=date(2026, 11, 1),
    )
    [message] = render_telegram(answer)
    parsed = parse(message)
    text = "".join(parsed.text)
    assert "<Zoom> & co" in text
    assert "Safe <b>with</b> settings" in text
    assert "use the lobby </a><script>" in text
    assert parsed.hrefs == ['https://example.org/a?b=1&c="2"><x>']
    assert message.startswith("<b>&lt;Zoom&gt; &amp; co</b>")
    assert "<i>Reviewed November 2026</i>" in message


def test_help_and_privacy_say_honestly_that_telegram_is_not_end_to_end_encrypted() -> None:
    for intent in (Intent.HELP, Intent.PRIVACY, Intent.GREETING):
        [message] = render_telegram(Answer(intent=intent, title="What I can do"))
        assert html.escape(TELEGRAM_NOTE, quote=False) in message
    [platform] = render_telegram(Answer(intent=Intent.PLATFORM, title="Zoom"))
    assert "end-to-end" not in platform


def test_long_answers_split_at_paragraph_boundaries_under_the_limit() -> None:
    paragraphs = tuple(
        Section(f"Part {n}", tuple(f"line {n}.{k} " + "word " * 30 for k in range(5))) for n in range(40)
    )
    answer = Answer(intent=Intent.TOPIC, title="Long", sections=paragraphs)
    messages = render_telegram(answer)
    assert len(messages) > 1
    for message in messages:
        assert size(message) <= MAX_CHARS
        parse(message)
        # Each message starts at a paragraph: a heading, never the middle of one.
        assert message.startswith("<b>")
    joined = "\n\n".join(messages)
    assert all(f"<b>Part {n}</b>" in joined for n in range(40))


def test_a_line_longer_than_a_message_is_cut_with_its_tags_kept() -> None:
    answer = Answer(intent=Intent.TOPIC, title="x " * 3000, sections=(Section(None, ("&" * 5000,)),))
    messages = render_telegram(answer, max_chars=1000)
    for message in messages:
        assert size(message) <= 1000
        parse(message)
    assert "".join("".join(parse(m).text) for m in messages).count("&") == 5000


def test_follow_ups_are_messages_of_their_own() -> None:
    client = Answer(intent=Intent.ROOM, title="Client")
    answer = Answer(intent=Intent.ROOM, title="Your host link", follow_ups=(client,))
    assert render_telegram(answer) == ["<b>Your host link</b>", "<b>Client</b>"]


def test_buttons_offer_the_next_step() -> None:
    whatsapp = Answer(intent=Intent.PLATFORM, title="WhatsApp", platforms=("whatsapp",))
    assert buttons_for(whatsapp) == [Button("More", "more"), Button("Compare with Signal", "compare:whatsapp")]
    signal = Answer(intent=Intent.PLATFORM, title="Signal", platforms=("signal",))
    assert buttons_for(signal) == [Button("More", "more")]
    room = Answer(intent=Intent.ROOM, title="Host", follow_ups=(Answer(intent=Intent.ROOM, title="Client"),))
    assert buttons_for(room) == [Button("New room", "room")]
    assert buttons_for(Answer(intent=Intent.HELP, title="Help")) == []


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=0, max_size=900), min_size=1, max_size=12), st.integers(200, 4096))
def test_any_text_renders_to_balanced_messages_under_the_limit(lines: list[str], limit: int) -> None:
    answer = Answer(intent=Intent.TOPIC, title="T", sections=(Section("H", tuple(lines)),))
    for message in render_telegram(answer, max_chars=limit):
        assert size(message) <= limit
        parse(message)


@given(st.sampled_from(["\x00", "<b>\x00</b>", '<a href="x">\x00</a>']), st.text(alphabet="ab &<>\"'é"))
def test_a_line_is_its_template_around_its_escaped_text(template: str, text: str) -> None:
    assert _Line(template, text).html() == template.replace("\x00", html.escape(text, quote=False))
