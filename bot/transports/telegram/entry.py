"""Telegram in the messenger registry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.transports.messenger import Messenger

if TYPE_CHECKING:
    from bot.config import Settings


def _enabled(settings: Settings) -> bool:
    return settings.telegram_token is not None


def _problems(settings: Settings) -> list[str]:
    # Said plainly rather than ignored: an operator who set the token expects Telegram to answer.
    return [
        "CONFIDANT_TELEGRAM_TOKEN: the Telegram transport is not in this version yet; "
        "unset it, and use Signal (CONFIDANT_SIGNAL_URL) or `confidant chat`"
    ]


TELEGRAM = Messenger(
    name="telegram",
    switched_on_by="CONFIDANT_TELEGRAM_TOKEN",
    enabled=_enabled,
    problems=_problems,
)
