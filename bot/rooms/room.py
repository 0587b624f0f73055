"""A meeting room as issued: its name, the two links and how long the host's token lasts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.rooms.backends import BackendKind


@dataclass(frozen=True, slots=True)
class Room:
    """The name and links are bearer secrets, kept out of `repr` (and so out of any log of a traceback).

    `expires_at` is when the tokens stop working (None on a public server, where no token is issued);
    `starts_at` is the planned start, `valid_from` when the host's token starts working.
    """

    room: str = field(repr=False)
    host_url: str = field(repr=False)
    client_url: str = field(repr=False)
    expires_at: datetime | None
    backend: BackendKind
    starts_at: datetime
    valid_from: datetime | None = None

    def to_json(self) -> dict[str, str | None]:
        """The `confidant room --json` object (README, Meeting rooms)."""
        return {
            "room": self.room,
            "host_url": self.host_url,
            "client_url": self.client_url,
            "expires_at": None if self.expires_at is None else self.expires_at.astimezone(UTC).isoformat(),
            "backend": self.backend,
        }
