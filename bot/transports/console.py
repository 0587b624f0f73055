"""The terminal: `confidant chat` and `confidant ask` talk to the assistant directly, as its local user."""

from __future__ import annotations

from bot.shared.incoming import Incoming
from bot.transports.messenger import Messenger

CONSOLE = Messenger(name="console", local=True)
LOCAL_USER = "local"


def incoming(text: str) -> Incoming:
    # No message key: console questions never pass through the inbox, so nothing deduplicates them.
    return Incoming(transport=CONSOLE.name, sender=LOCAL_USER, chat=LOCAL_USER, text=text, message_key="")
