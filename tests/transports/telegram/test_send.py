"""Sending through PTB's real Bot and HTTP stack to the fake Bot API: format, buttons, and the at-most-once
rules for every way a send can go wrong."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.core.messengers import DeliveryError
from bot.shared.answer import Answer, Intent, Section
from bot.shared.incoming import Incoming
from bot.transports.backoff import Backoff
from bot.transports.telegram.send import NON_TEXT, TelegramSender
from tests.fakes.telegram_api import USER, Failure, FakeBotApi
from tests.transports.telegram.harness import make_transport

QUESTION = Incoming(
    transport="telegram", sender=str(USER["id"]), chat=str(USER["id"]), text="is whatsapp safe", message_key="k"
)
WHATSAPP = Answer(
    intent=Intent.PLATFORM,
    title="WhatsApp",
    verdict="Usable with care",
    sections=(Section("Settings", ("Turn on disappearing messages & <backups> encryption",)),),
    platforms=("whatsapp",),
)


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
def time() -> FakeTime:
    return FakeTime()


@pytest.fixture
async def sender(api: FakeBotApi, time: FakeTime) -> AsyncIterator[TelegramSender]:
    transport = make_transport(api)
    bot: Bot = transport.application.bot
    await transport.application.initialize()
    try:
        yield TelegramSender(bot, backoff=Backoff(1.0, 4.0), clock=time.clock, sleep=time.sleep)
    finally:
        await transport.close()
        await transport.application.shutdown()


async def test_answers_go_as_html_without_link_previews_with_buttons(sender: TelegramSender, api: FakeBotApi) -> None:
    await sender.deliver(QUESTION, WHATSAPP)
    [sent] = api.sent()
    assert sent["chat_id"] == str(USER["id"])
    assert sent["parse_mode"] == "HTML"
    assert sent["link_preview_options"] == {"is_disabled": True}
    assert "disappearing messages &amp; &lt;backups&gt; encryption" in sent["text"]
    buttons = sent["reply_markup"]["inline_keyboard"][0]
    assert [(b["text"], b["callback_data"]) for b in buttons] == [
        ("More", "more"),
        ("Compare with Signal", "compare:whatsapp"),
    ]


async def test_a_long_answer_is_several_messages_with_the_buttons_on_the_last(
    sender: TelegramSender, api: FakeBotApi
) -> None:
    sections = tuple(Section(f"Part {n}", ("word " * 400,)) for n in range(6))
    await sender.deliver(QUESTION, Answer(intent=Intent.TOPIC, title="Long", sections=sections))
    sent = api.sent()
    assert len(sent) > 1
    assert all(len(s["text"]) <= 4096 for s in sent)
    assert [("reply_markup" in s) for s in sent] == [False] * (len(sent) - 1) + [True]


async def test_flood_control_waits_as_told_and_pauses_every_send(
    sender: TelegramSender, api: FakeBotApi, time: FakeTime
) -> None:
    api.fail("sendMessage", Failure(status=429, description="Too Many Requests: retry after 7", retry_after=7))
    await sender.deliver(QUESTION, WHATSAPP)
    assert len(api.sent()) == 2
    assert time.now >= 7  # nothing was sent before the wait was over
    assert sender.paused_for == 0


@pytest.mark.parametrize(
    "failure",
    [Failure(status=500), Failure(status=502, description="Bad Gateway"), Failure(raise_="connect")],
    ids=["500", "502", "connection refused"],
)
async def test_a_send_telegram_never_took_is_retried_with_backoff(
    sender: TelegramSender, api: FakeBotApi, time: FakeTime, failure: Failure
) -> None:
    api.fail("sendMessage", failure)
    await sender.deliver(QUESTION, WHATSAPP)
    assert len(api.sent()) == 2
    assert sender.retries == 1 and time.slept


async def test_a_timeout_after_the_request_went_out_is_never_resent(sender: TelegramSender, api: FakeBotApi) -> None:
    api.fail("sendMessage", Failure(raise_="read-timeout"))
    with pytest.raises(DeliveryError) as caught:
        await sender.deliver(QUESTION, WHATSAPP)
    assert caught.value.outcome == "delivery-unknown"
    assert len(api.sent()) == 1


async def test_a_refusal_is_a_failure_without_retry(sender: TelegramSender, api: FakeBotApi) -> None:
    api.fail("sendMessage", Failure(status=403, description="Forbidden: bot was blocked by the user"))
    with pytest.raises(DeliveryError) as caught:
        await sender.deliver(QUESTION, WHATSAPP)
    assert (caught.value.outcome, caught.value.reason) == ("failed", "Forbidden")
    assert len(api.sent()) == 1


async def test_retries_give_up_after_the_last_attempt(sender: TelegramSender, api: FakeBotApi) -> None:
    api.fail("sendMessage", *[Failure(status=500)] * 5)
    with pytest.raises(DeliveryError) as caught:
        await sender.deliver(QUESTION, WHATSAPP)
    assert caught.value.outcome == "failed"
    assert len(api.sent()) == 5


async def test_a_failure_after_the_first_part_is_delivery_unknown(sender: TelegramSender, api: FakeBotApi) -> None:
    room = Answer(intent=Intent.ROOM, title="Host link", follow_ups=(Answer(intent=Intent.ROOM, title="Client"),))
    api.fail("sendMessage", None, Failure(status=403))  # the first part goes through
    with pytest.raises(DeliveryError) as caught:
        await sender.deliver(QUESTION, room)
    assert caught.value.outcome == "delivery-unknown"
    assert len(api.sent()) == 2


async def test_non_text_gets_one_polite_line_but_a_stranger_only_the_private_note(
    sender: TelegramSender, api: FakeBotApi
) -> None:
    picture = Incoming(transport="telegram", sender="1", chat="1", text="", message_key="p")
    await sender.deliver(picture, Answer(intent=Intent.UNKNOWN, title="I'm not sure what you are asking"))
    private = Answer(intent=Intent.REFUSED, title="This Confidant is private")
    await sender.deliver(picture, private)
    first, second = api.texts()
    assert first.startswith(f"<b>{NON_TEXT.title}</b>")
    assert second.startswith("<b>This Confidant is private</b>")
