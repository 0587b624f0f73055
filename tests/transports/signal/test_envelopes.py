from __future__ import annotations

import base64
from typing import Any

import pytest

from bot.transports.signal.envelopes import (
    ErrorFrame,
    Ignored,
    TextMessage,
    own_uuid_from,
    parse_frame,
)
from tests.fakes import signal_envelopes as env


def parse(frame: Any, own_uuid: str | None = env.BOT_UUID) -> object:
    return parse_frame(frame, account=env.BOT_NUMBER, own_uuid=own_uuid)


def test_one_to_one_text_is_keyed_by_uuid() -> None:
    message = parse(env.text_frame("Is WhatsApp safe?"))
    assert isinstance(message, TextMessage)
    assert message.text == "Is WhatsApp safe?"
    assert message.sender == env.ANNA_UUID
    assert message.reply_to == env.ANNA_UUID
    assert message.addressed
    assert message.group_id is None
    assert message.key == f"signal|{env.BOT_NUMBER}|{env.ANNA_UUID}|1767225600123|message"
    assert message.sender_number == env.ANNA_NUMBER


def test_null_number_still_parses() -> None:
    message = parse(env.text_frame("hi", number=None))
    assert isinstance(message, TextMessage)
    assert message.sender == env.ANNA_UUID
    assert message.sender_number is None


def test_falls_back_to_source_when_uuid_is_null() -> None:
    message = parse(env.text_frame("hi", uuid=None))
    assert isinstance(message, TextMessage)
    assert message.sender == env.ANNA_NUMBER
    assert message.sender_number is None


def test_unknown_keys_and_nulls_are_tolerated() -> None:
    frame = env.text_frame("hello")
    frame["envelope"]["somethingNew"] = {"x": [1, 2]}
    frame["envelope"]["dataMessage"]["pollCreate"] = None
    frame["envelope"]["dataMessage"]["expiresInSeconds"] = None
    frame["envelope"]["sourceName"] = None
    assert isinstance(parse(frame), TextMessage)


def test_group_message_without_mention_is_not_addressed() -> None:
    message = parse(env.group_frame("we should use zoom"))
    assert isinstance(message, TextMessage)
    assert not message.addressed
    expected = "group." + base64.b64encode(env.GROUP_ID.encode()).decode()
    assert message.reply_to == expected


def test_group_message_mentioning_the_bot_is_addressed_and_placeholder_removed() -> None:
    message = parse(env.group_frame("is zoom safe?", mention_bot=True))
    assert isinstance(message, TextMessage)
    assert message.addressed
    assert message.text == "is zoom safe?"


def test_mention_by_uuid_only_counts_when_our_uuid_is_known() -> None:
    frame = env.group_frame("is zoom safe?", mention_bot=True)
    frame["envelope"]["dataMessage"]["mentions"][0]["number"] = None
    assert isinstance(message := parse(frame), TextMessage)
    assert message.addressed
    assert isinstance(unknown := parse(frame, own_uuid=None), TextMessage)
    assert not unknown.addressed


def test_group_command_is_addressed() -> None:
    message = parse(env.group_frame("/room"))
    assert isinstance(message, TextMessage)
    assert message.addressed


@pytest.mark.parametrize(
    ("frame", "reason"),
    [
        (env.sync_sent_frame("Hallo"), "own message"),
        (env.typing_frame(), "typing"),
        (env.receipt_frame(), "receipt"),
        (env.reaction_frame(), "reaction"),
        (env.exception_frame(), "exception"),
        (env.group_frame("x", group_type="UPDATE"), "group update"),
        (env.text_frame(None), "no text"),
        (env.text_frame("   "), "no text"),
        (env.envelope(storyMessage={"allowsReplies": True}), "story"),
        (env.envelope(callMessage={"offerMessage": {}}), "call"),
        (env.text_frame("hi", account="+4930999999"), "other account"),
        ({"envelope": None, "account": env.BOT_NUMBER}, "malformed"),
        (["not", "an", "object"], "malformed"),
        (env.text_frame("hi", number=None, uuid=None), "malformed"),
    ],
)
def test_everything_but_text_is_ignored(frame: Any, reason: str) -> None:
    assert parse(frame) == Ignored(reason)


def test_sync_from_a_linked_phone_is_dropped_even_with_another_uuid() -> None:
    frame = env.sync_sent_frame("Hallo")
    frame["envelope"]["sourceNumber"] = None
    assert parse(frame, own_uuid=None) == Ignored("sync")


def test_own_uuid_is_learned_from_own_envelopes() -> None:
    assert own_uuid_from(env.sync_sent_frame("x"), account=env.BOT_NUMBER) == env.BOT_UUID
    assert own_uuid_from(env.text_frame("x"), account=env.BOT_NUMBER) is None


def test_edit_is_a_new_message_with_its_own_key() -> None:
    message = parse(env.edit_frame("is whatsapp safe", target=1767225600123))
    assert isinstance(message, TextMessage)
    assert message.edit_of == 1767225600123
    assert message.key.endswith("|edit:1767225600123")
    original = parse(env.text_frame("is whatsap safe"))
    assert isinstance(original, TextMessage)
    assert original.key != message.key


def test_error_frame() -> None:
    parsed = parse(env.error_frame())
    assert isinstance(parsed, ErrorFrame)
    assert "reset" in parsed.detail


def test_attachments_are_reported_for_deletion() -> None:
    frame = env.text_frame("look")
    frame["envelope"]["dataMessage"]["attachments"] = [{"id": "abc.jpg", "contentType": "image/jpeg"}]
    message = parse(frame)
    assert isinstance(message, TextMessage)
    assert message.attachment_ids == ("abc.jpg",)
    frame["envelope"]["dataMessage"]["message"] = None
    assert parse(frame) == Ignored("no text", ("abc.jpg",))
