"""Telegram updates as `Incoming` messages: what the bot was told, by whom, in which chat, and whether it was
meant for the bot at all. Pure translation; nothing here talks to Telegram.

In groups the bot reads only what is addressed to it: a /command, an @-mention, or a reply to one of its own
messages. Everything else is dropped before it is stored, as on Signal.
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import CallbackQuery, Chat, Message, MessageEntity

from bot.shared.incoming import Incoming

NAME = "telegram"
# What a button press stands for, in the words a person would type (the brain reads them like any message).
BUTTON_TEXTS = {"more": "more", "room": "room"}
COMPARE_PREFIX = "compare:"


@dataclass(frozen=True, slots=True)
class BotIdentity:
    id: int
    username: str


def _is_group(chat: Chat) -> bool:
    return chat.type != Chat.PRIVATE


def _mentions(message: Message, bot: BotIdentity) -> bool:
    handle = "@" + bot.username.casefold()
    for entity, text in message.parse_entities([MessageEntity.MENTION, MessageEntity.TEXT_MENTION]).items():
        if text.casefold() == handle or (entity.user is not None and entity.user.id == bot.id):
            return True
    return False


def _replies_to_bot(message: Message, bot: BotIdentity) -> bool:
    replied = message.reply_to_message
    return replied is not None and replied.from_user is not None and replied.from_user.id == bot.id


def _without_handle(text: str, bot: BotIdentity) -> str:
    """'/room@ConfidantBot for 3pm' -> '/room for 3pm'; '@ConfidantBot is zoom safe' -> 'is zoom safe'."""
    handle = "@" + bot.username
    words = [word for word in text.split(" ") if word.casefold() != handle.casefold()]
    if words and words[0].startswith("/") and words[0].casefold().endswith(handle.casefold()):
        words[0] = words[0][: -len(handle)]
    return " ".join(words).strip()


def from_message(message: Message, bot: BotIdentity, *, command: bool = False) -> Incoming | None:
    """The message as an `Incoming`, or None when it was not meant for the bot (or has no person behind it).

    A message without text (a photo, a voice note, a sticker) becomes an `Incoming` with empty text: its
    content is never stored, and the reply to it is one polite line (bot/transports/telegram/send.py).
    """
    sender = message.from_user
    if sender is None or sender.is_bot:
        return None
    group = _is_group(message.chat)
    if group and not (command or _mentions(message, bot) or _replies_to_bot(message, bot)):
        return None
    return Incoming(
        transport=NAME,
        sender=str(sender.id),
        chat=str(message.chat.id),
        text=_without_handle(message.text or "", bot),
        # message_id is unique within a chat; the inbox hashes the key, since it holds the chat id.
        message_key=f"{NAME}:{message.chat.id}:{message.message_id}",
        is_group=group,
        addressed=True,
    )


def from_button(query: CallbackQuery) -> Incoming | None:
    """A pressed inline button as the words it stands for; None for data we never sent."""
    data = query.data or ""
    if data.startswith(COMPARE_PREFIX) and data[len(COMPARE_PREFIX) :]:
        text = f"{data[len(COMPARE_PREFIX):]} vs signal"
    elif data in BUTTON_TEXTS:
        text = BUTTON_TEXTS[data]
    else:
        return None
    if query.message is None:
        return None
    chat = query.message.chat
    return Incoming(
        transport=NAME,
        sender=str(query.from_user.id),
        chat=str(chat.id),
        text=text,
        message_key=f"{NAME}:callback:{query.id}",
        is_group=_is_group(chat),
        addressed=True,
    )
