"""What the program needs to know about one kind of messenger: its name, which settings switch it on, what
else they need, how to build it, and its operator sub-commands. Each messenger describes itself in a light
module (`entry.py`) so that the registry can list them all without importing any client library."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import httpx
    from sqlalchemy.ext.asyncio import AsyncEngine

    from bot.config import Settings
    from bot.core.stores import AlertStore
    from bot.shared.pseudonym import Keyer
    from bot.transports.base import Transport

    Subcommands = argparse._SubParsersAction[argparse.ArgumentParser]


@dataclass(frozen=True, slots=True)
class Wiring:
    """What `confidant run` hands every messenger it builds."""

    keyer: Keyer
    state_dir: Path
    engine: AsyncEngine | None = None
    # Operator alerts every instance shares (the database's); None keeps them in this process only.
    alerts: AlertStore | None = None
    # Tests route a messenger's HTTP through a fake; None means the real network.
    http_transport: httpx.AsyncBaseTransport | None = None


def _never(settings: Settings) -> bool:
    return False


def _no_problems(settings: Settings) -> list[str]:
    return []


@dataclass(frozen=True, slots=True)
class Messenger:
    """A messenger the program can serve: how it is switched on, checked, built and commanded."""

    name: str
    # The variables that switch it on, for the "no messenger is configured" line.
    switched_on_by: str = ""
    enabled: Callable[[Settings], bool] = _never
    # One line per missing or contradictory setting, naming the variable.
    problems: Callable[[Settings], list[str]] = _no_problems
    build: Callable[[Settings, Wiring], Transport] | None = None
    add_commands: Callable[[Subcommands], None] | None = None
    run_command: Callable[[argparse.Namespace, Settings], int] | None = None
    # Typed at this machine by whoever runs it (the terminal chat): no allowlist, no rate limit, never run
    # by `confidant run`.
    local: bool = False
