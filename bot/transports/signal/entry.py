"""Signal in the messenger registry. Light: the client is imported only when Signal is built or commanded."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.transports.messenger import Messenger, Wiring
from bot.transports.signal.commands import add_signal_parser

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.transports.base import Transport


def _enabled(settings: Settings) -> bool:
    return settings.signal_url is not None


def _problems(settings: Settings) -> list[str]:
    if settings.signal_number is None:
        return ["CONFIDANT_SIGNAL_NUMBER: required when CONFIDANT_SIGNAL_URL is set"]
    return []


def _build(settings: Settings, wiring: Wiring) -> Transport:
    from bot.transports.signal.transport import SignalTransport

    return SignalTransport.from_settings(
        settings,
        keyer=wiring.keyer,
        state_dir=wiring.state_dir,
        alerts=wiring.alerts,
        http_transport=wiring.http_transport,
    )


def _run_command(args: argparse.Namespace, settings: Settings) -> int:
    from bot.transports.signal.admin import run_signal_command

    return run_signal_command(args, settings)


SIGNAL = Messenger(
    name="signal",
    switched_on_by="CONFIDANT_SIGNAL_URL and CONFIDANT_SIGNAL_NUMBER",
    enabled=_enabled,
    problems=_problems,
    build=_build,
    add_commands=add_signal_parser,
    run_command=_run_command,
)
