"""Telegram in the messenger registry. Light: python-telegram-bot is imported only when Telegram is built."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.transports.messenger import Messenger, Wiring

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.transports.base import Transport


def _enabled(settings: Settings) -> bool:
    return settings.telegram_token is not None


def _problems(settings: Settings) -> list[str]:
    lines = []
    if settings.telegram_webhook_url is not None and settings.telegram_webhook_secret is None:
        lines.append(
            "CONFIDANT_TELEGRAM_WEBHOOK_SECRET: required with CONFIDANT_TELEGRAM_WEBHOOK_URL, so that only "
            "Telegram can post updates"
        )
    if settings.telegram_webhook_url is not None and settings.telegram_webhook_addr == settings.http_addr:
        lines.append(
            "CONFIDANT_TELEGRAM_WEBHOOK_ADDR: must differ from CONFIDANT_HTTP_ADDR; the webhook faces the "
            "internet and /metrics must not"
        )
    return lines


def _build(settings: Settings, wiring: Wiring) -> Transport:
    from bot.transports.telegram.transport import TelegramTransport

    return TelegramTransport.from_settings(settings, keyer=wiring.keyer, http_transport=wiring.http_transport)


TELEGRAM = Messenger(
    name="telegram",
    switched_on_by="CONFIDANT_TELEGRAM_TOKEN",
    enabled=_enabled,
    problems=_problems,
    build=_build,
)
