"""Every messenger Confidant knows, in one list: the runner, the CLI and the access gate ask it instead of
naming messengers themselves, so adding one is a new `entry.py` and a line here."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from bot.transports.console import CONSOLE
from bot.transports.messenger import Messenger, Wiring
from bot.transports.signal.entry import SIGNAL
from bot.transports.telegram.entry import TELEGRAM

if TYPE_CHECKING:
    from bot.config import Settings
    from bot.transports.base import Transport
    from bot.transports.messenger import Subcommands

MESSENGERS: tuple[Messenger, ...] = (CONSOLE, SIGNAL, TELEGRAM)


def names() -> tuple[str, ...]:
    return tuple(messenger.name for messenger in MESSENGERS)


def local_names() -> frozenset[str]:
    return frozenset(messenger.name for messenger in MESSENGERS if messenger.local)


def enabled(settings: Settings) -> list[Messenger]:
    return [messenger for messenger in MESSENGERS if messenger.enabled(settings)]


def problems(settings: Settings) -> list[str]:
    """What stops `confidant run`: nothing switched on, a messenger half configured, an admin of no messenger."""
    lines: list[str] = []
    on = enabled(settings)
    if not on:
        ways = " or ".join(f"{m.switched_on_by} for {m.name.title()}" for m in MESSENGERS if m.switched_on_by)
        lines.append(f"confidant run: no messenger is configured. Set {ways} (see README).")
    for messenger in on:
        lines.extend(messenger.problems(settings))
    known = names()
    for admin in settings.admins:
        if admin.partition(":")[0] not in known:
            lines.append(f"CONFIDANT_ADMINS: {admin.partition(':')[0]!r} is no messenger (known: {', '.join(known)})")
    return lines


def build(settings: Settings, wiring: Wiring) -> list[Transport]:
    return [messenger.build(settings, wiring) for messenger in enabled(settings) if messenger.build is not None]


def add_commands(subcommands: Subcommands) -> None:
    for messenger in MESSENGERS:
        if messenger.add_commands is not None:
            messenger.add_commands(subcommands)


def run_command(args: argparse.Namespace, settings: Settings) -> int | None:
    """The exit status of a messenger's own sub-command, or None if `args` names none."""
    for messenger in MESSENGERS:
        if messenger.run_command is not None and args.command == messenger.name:
            return messenger.run_command(args, settings)
    return None
