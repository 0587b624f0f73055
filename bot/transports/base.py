"""A messenger transport as `confidant run` manages it: start-up checks, a receiver and a sender (the seams
the core owns, `bot.core.messengers`), health, and closing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

from bot.core.messengers import Receiver, Sender


class TransportStartupError(Exception):
    """The transport cannot run (server unreachable, account missing); `lines` are shown to the operator."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@runtime_checkable
class Transport(Protocol):
    """One messenger. `name` equals `Incoming.transport` for every message it produces."""

    name: str

    async def start(self) -> None:
        """Check the outside service is usable; raise `TransportStartupError` with clear lines if not."""

    @property
    def receiver(self) -> Receiver | None:
        """What receives for this instance; None when another instance receives and this one only sends."""

    @property
    def one_receiver(self) -> bool:
        """True when only one instance at a time may receive (polling: pollers would fight over the updates,
        or share them out); the others then only send. Known once `start` has succeeded."""

    @property
    def sender(self) -> Sender: ...

    def health(self) -> Mapping[str, object]:
        """A snapshot for /healthz and /metrics; holds no ids or text."""

    async def close(self) -> None:
        """Release connections. Called once, after the worker has finished."""
