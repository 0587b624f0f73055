"""The one message shape every transport translates into."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Incoming:
    """A text message from a person, as a transport received it.

    `sender` and `chat` are the transport's own ids (a phone number, a Signal UUID, a Telegram chat id). They are
    needed to reply, so they travel with the message, but the core never logs them and stores them only in the
    inbox row that waits for the answer; users are known to the database by a keyed hash (`bot.shared.pseudonym`).
    """

    transport: str
    sender: str
    chat: str
    text: str
    # Unique per message within the transport (Signal: account, sender uuid, envelope timestamp and kind).
    # Hashed before it is stored, because it usually contains the sender's id.
    message_key: str
    is_group: bool = False
    # Set by a transport when the bot was @-mentioned or addressed with a /command in a group.
    addressed: bool = True
    # Other ids of the same sender (a Signal number beside the UUID), for the allowlist only; kept in the inbox
    # row with the message, so a resumed message is still recognised.
    sender_aliases: tuple[str, ...] = ()
    received_at: datetime = field(default_factory=lambda: datetime.now(UTC))
