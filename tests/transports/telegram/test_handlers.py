"""Handlers, through PTB's real Application and `process_update`, with the Bot API faked over httpx."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.transports.base import Transport, TransportStartupError
from bot.transports.telegram.transport import COMMANDS, TelegramTransport
from tests.fakes.telegram_api import BOT, GROUP, STRANGER, USER, Failure, FakeBotApi, button, message, photo
from tests.transports.telegram.harness import Stored, feed, make_transport


@pytest.fixture
def api() -> FakeBotApi:
    return FakeBotApi()


@pytest.fixture
async def telegram(api: FakeBotApi) -> AsyncIterator[TelegramTransport]:
    transport = make_transport(api)
    await transport.start()
    try:
        yield transport
    finally:
        await transport.close()


@pytest.fixture
def stored(telegram: TelegramTransport) -> Stored:
    accept = Stored()
    telegram.accept_with(accept)
    return accept


async def test_start_checks_the_token_sets_the_command_menu_and_polls(
    telegram: TelegramTransport, api: FakeBotApi
) -> None:
    assert isinstance(telegram, Transport)
    methods = [name for name, _ in api.calls]
    assert methods[:1] == ["getMe"]
    [commands] = api.sent("setMyCommands")
    assert [c["command"] for c in commands["commands"]] == [command for command, _ in COMMANDS]
    menu = {c["command"] for c in commands["commands"]}
    assert {"start", "help", "room", "list", "more", "privacy", "export", "forget"} <= menu
    [delete] = api.sent("deleteWebhook")
    assert delete["drop_pending_updates"] is False  # pending questions are kept


async def test_private_text_is_stored_as_an_incoming_message(telegram: TelegramTransport, stored: Stored) -> None:
    assert await feed(telegram, message("is whatsapp safe?"))
    [incoming] = stored.messages
    assert incoming.transport == "telegram"
    assert (incoming.sender, incoming.chat) == (str(USER["id"]), str(USER["id"]))
    assert incoming.text == "is whatsapp safe?"
    assert incoming.message_key.startswith(f"telegram:{USER['id']}:")
    assert not incoming.is_group


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/start", "/start"),
        ("/help", "/help"),
        ("/room for 3pm", "/room for 3pm"),
        ("/list", "/list"),
        ("/more", "/more"),
        ("/privacy", "/privacy"),
        ("/forget", "/forget"),
        ("/export", "/export"),
        ("/start 7K3M-Q9XD-2HPR-A4VB", "/start 7K3M-Q9XD-2HPR-A4VB"),  # an invitation's deep link
        ("/join 7K3M-Q9XD-2HPR-A4VB", "/join 7K3M-Q9XD-2HPR-A4VB"),
        ("join 7K3M-Q9XD-2HPR-A4VB", "join 7K3M-Q9XD-2HPR-A4VB"),
        ("/invite", "/invite"),
    ],
)
async def test_commands_reach_the_brain_as_text(
    telegram: TelegramTransport, stored: Stored, text: str, expected: str
) -> None:
    assert await feed(telegram, message(text))
    assert [m.text for m in stored.messages] == [expected]


async def test_in_groups_only_what_is_addressed_to_the_bot_is_stored(
    telegram: TelegramTransport, stored: Stored
) -> None:
    in_group = {"chat": GROUP}
    await feed(telegram, message("anyone tried zoom?", **in_group), 1)
    await feed(telegram, message("/room@OtherBot", **in_group), 2)
    await feed(telegram, message("/room@ConfidantBot for 3pm", **in_group), 3)
    await feed(telegram, message("@ConfidantBot is zoom safe", **in_group), 4)
    reply = {"message_id": 5, "date": 0, "chat": GROUP, "from": BOT, "text": "Zoom: usable with care"}
    await feed(telegram, message("and on android?", reply_to_message=reply, **in_group), 5)
    assert [m.text for m in stored.messages] == ["/room for 3pm", "is zoom safe", "and on android?"]
    assert all(m.is_group and m.chat == str(GROUP["id"]) for m in stored.messages)
    # The chatter reached a handler and was dropped there; /room@OtherBot matched no handler at all.
    assert telegram.health()["ignored_updates"] == 1


async def test_a_photo_is_stored_without_its_content(telegram: TelegramTransport, stored: Stored) -> None:
    assert await feed(telegram, photo())
    [incoming] = stored.messages
    assert incoming.text == ""  # the caption (client notes, perhaps) is never kept


async def test_a_button_press_is_the_words_it_stands_for_and_is_acknowledged(
    telegram: TelegramTransport, stored: Stored, api: FakeBotApi
) -> None:
    await feed(telegram, button("compare:whatsapp"), 1)
    await feed(telegram, button("more"), 2)
    await feed(telegram, button("room"), 3)
    await feed(telegram, button("something we never sent"), 4)
    assert [m.text for m in stored.messages] == ["whatsapp vs signal", "more", "room"]
    assert len({m.message_key for m in stored.messages}) == 3
    assert len(api.sent("answerCallbackQuery")) == 3


async def test_strangers_are_stored_too_so_the_gate_can_tell_them_it_is_private(
    telegram: TelegramTransport, stored: Stored
) -> None:
    await feed(telegram, message("/start", user=STRANGER))
    assert [m.sender for m in stored.messages] == [str(STRANGER["id"])]


async def test_an_update_that_could_not_be_stored_is_reported_unstored(
    telegram: TelegramTransport, stored: Stored
) -> None:
    stored.broken = True
    assert not await feed(telegram, message("is zoom safe"), 1)
    stored.broken = False
    assert await feed(telegram, message("is zoom safe"), 2)


async def test_a_refused_token_stops_start_up_with_one_plain_line(api: FakeBotApi) -> None:
    api.fail("getMe", Failure(status=401, description="Unauthorized"))
    transport = make_transport(api)
    with pytest.raises(TransportStartupError) as caught:
        await transport.start()
    assert caught.value.lines == [
        "Telegram: CONFIDANT_TELEGRAM_TOKEN was refused by the Bot API; copy it again from @BotFather"
    ]
    await transport.close()
