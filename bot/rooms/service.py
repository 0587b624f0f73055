"""The room feature's front door: make a room, or answer a room request in words.

Nothing is stored: a room exists only in the reply, so there is nothing to delete when its token expires.
Nothing identifying is logged either: no room name, link, token, display name or user reference.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.rooms.backends import Backend, Participant, backend_from_settings
from bot.rooms.names import TokenBytes, WeakRoomNameError, check_custom_name, new_room_name
from bot.rooms.reply import checklist_answer, refused_name_answer, room_answer, unclear_time_answer
from bot.rooms.room import Room
from bot.rooms.tokens import token_window
from bot.rooms.when import Unclear, parse_start
from bot.shared.answer import Answer

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]

DEFAULT_HOST_NAME = "Host"
CLIENT_NAME = "Client"  # neutral on purpose: the token must not name the client
MAX_DISPLAY_NAME = 64

# Only "room named X" / "room called X": "my client called Jane" is about a person, not a room name.
_CUSTOM_NAME = re.compile(r"\b(?:room|meeting)\s+(?:named|called)\s+(?P<name>\S+)", re.IGNORECASE)
# A user reference is an opaque keyed hash. An E.164 number (+...), an address (@), spaces or a wildcard (*)
# mean a caller passed personal data (or a skeleton key) where a pseudonym belongs.
_SAFE_USER_REF = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class RoomService:
    """Issues rooms on one back end. `clock` and `token_bytes` are the seams tests replace."""

    def __init__(
        self,
        backend: Backend,
        *,
        clock: Clock | None = None,
        token_bytes: TokenBytes | None = None,
    ) -> None:
        self._backend = backend
        self._clock = clock or _utc_now
        self._token_bytes = token_bytes or secrets.token_bytes

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        clock: Clock | None = None,
        token_bytes: TokenBytes | None = None,
    ) -> RoomService:
        """Raises `ConfigError` (one line per problem) for a weak secret, unreadable key or half a setup."""
        return cls(backend_from_settings(settings), clock=clock, token_bytes=token_bytes)

    @property
    def backend(self) -> Backend:
        return self._backend

    def create(
        self,
        start: datetime | None = None,
        *,
        display_name: str | None,
        user_ref: str,
        name: str | None = None,
    ) -> Room:
        """A fresh room starting at `start` (aware; None means now).

        `name` is a counsellor-chosen room name, refused with `WeakRoomNameError` below 96 bits.
        `ValueError` for a start whose session is already over or a user_ref that is not an opaque id.
        """
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        if start is not None and start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        _check_user_ref(user_ref)
        start = start or now
        room_name = check_custom_name(name) if name is not None else new_room_name(self._token_bytes)
        window = token_window(now, start)
        host = Participant(user_id=user_ref, name=_display_name(display_name))
        # A fresh opaque id per room, so two sessions' client tokens cannot be linked to each other.
        client = Participant(user_id="guest-" + self._token_bytes(8).hex(), name=CLIENT_NAME)
        links = self._backend.links(room_name, window, host, client)
        logger.debug("issued a meeting room on the %s back end", self._backend.kind)
        return Room(
            room=room_name,
            host_url=links.host_url,
            client_url=links.client_url,
            expires_at=datetime.fromtimestamp(window.expires_at, UTC) if links.issues_tokens else None,
            backend=self._backend.kind,
            starts_at=start,
            valid_from=datetime.fromtimestamp(window.not_before, UTC) if links.issues_tokens else None,
        )

    def checklist(self) -> Answer:
        """The full before-you-admit checklist for this server (what "checklist" or "more" after a room shows)."""
        return checklist_answer(self._backend.kind, self._backend.base_url)

    def answer(self, text: str, *, timezone: ZoneInfo, display_name: str | None, user_ref: str) -> Answer:
        """The reply to a room request such as "room", "link for my 3pm" or "room tomorrow 10:00"."""
        name: str | None = None
        match = _CUSTOM_NAME.search(text)
        if match is not None:
            name = match.group("name").strip(".,!?\"'")
            text = text[: match.start()] + " " + text[match.end() :]
        now = self._clock()
        start = parse_start(text, now=now, tz=timezone)
        if isinstance(start, Unclear):
            return unclear_time_answer(start.question)
        try:
            room = self.create(start.at, display_name=display_name, user_ref=user_ref, name=name)
        except WeakRoomNameError as error:
            return refused_name_answer(error.reason)
        return room_answer(room, now=now, tz=timezone, asked_for_time=start.asked)


def _check_user_ref(user_ref: str) -> None:
    if not _SAFE_USER_REF.fullmatch(user_ref):
        raise ValueError("user_ref must be an opaque id (a keyed hash), never a phone number or name")


def _display_name(display_name: str | None) -> str:
    # Shown to everyone in the meeting; control characters and runaway lengths have no place in a token.
    cleaned = " ".join("".join(c if c.isprintable() else " " for c in (display_name or "")).split())
    return cleaned[:MAX_DISPLAY_NAME] or DEFAULT_HOST_NAME
