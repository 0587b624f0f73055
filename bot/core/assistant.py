"""The assistant: one incoming message in, one Answer (or nothing) out. Transport-neutral.

It puts the pieces in the order the brief asks for: the rate limit, then who is writing (the doorkeeper: a
stranger gets no further), the size limit, then the brain, with the assistant itself handling what needs state
(settings, export, invite, forget) or other services (rooms).
"""

from __future__ import annotations

import logging
import zoneinfo
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from bot.access.gate import AccessGate, Role
from bot.brain import entries, replies
from bot.brain.brain import Brain
from bot.brain.reader import Reading
from bot.core.doorkeeper import Doorkeeper, utc_now
from bot.core.export import export_answer
from bot.core.stores import InvitationStore, StrangerStore, UserStore
from bot.shared.answer import Answer, Intent, Section
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer

log = logging.getLogger(__name__)

REGIONS = ("uk", "eu", "us", "other")
MAX_NAME = 40
MAX_ASKED = 10_000  # users remembered as asked for their region; past this the memory starts again


class Rooms(Protocol):
    def answer(self, text: str, *, timezone: zoneinfo.ZoneInfo, display_name: str | None, user_ref: str) -> Answer: ...

    def checklist(self) -> Answer: ...


def _note(title: str, line: str, intent: Intent = Intent.SETTINGS) -> Answer:
    return Answer(intent=intent, title=title, sections=(Section(None, (line,)),))


class Assistant:
    def __init__(
        self,
        brain: Brain,
        *,
        keyer: Keyer,
        gate: AccessGate,
        users: UserStore | None = None,
        rooms: Rooms | None = None,
        default_region: str | None = None,
        default_timezone: str = "UTC",
        invitations: InvitationStore | None = None,
        strangers: StrangerStore | None = None,
        now: Callable[[], datetime] = utc_now,
    ) -> None:
        self.brain = brain
        self._keyer = keyer
        self._gate = gate
        self._door = Doorkeeper(gate, keyer, users=users, invitations=invitations, strangers=strangers, now=now)
        self._users = users
        self._rooms = rooms
        self._region = default_region
        self._timezone = default_timezone
        # Users already asked which rules apply to them (asked once per conversation, in memory only).
        self._asked_region: set[str] = set()
        # Users whose last answer was a room: their "more" is the room checklist.
        self._after_room: set[str] = set()

    async def respond(self, message: Incoming) -> Answer | None:
        """The answer to send, or None to stay silent (a group message not meant for us, flooding)."""
        if message.is_group and not message.addressed:
            return None
        user = self._keyer.user_key(message.transport, message.sender)
        refusal = self._gate.throttle(message, user)
        if refusal is not None:
            log.info("message refused: rate limit", extra={"user": self._keyer.short(user)})
            return refusal.reply
        role = await self._door.role(message)
        if role is None:
            answer = await self._door.stranger(message, user)
            outcome = "joined" if answer is not None and answer.intent is Intent.JOIN else "stranger refused"
            log.info("message from a stranger: %s", outcome, extra={"user": self._keyer.short(user)})
            return answer
        refusal = self._gate.oversized(message)
        if refusal is not None:
            return refusal.reply
        if self._door.already_in(message):
            return _note("You are already in", "No code is needed: that one stays unused.", Intent.JOIN)
        reading = self.brain.read(message.text)
        log.debug("message read", extra={"user": self._keyer.short(user), "intent": str(reading.intent)})
        stored = await self._users.settings(user) if self._users is not None else {}
        region = stored.get("region", self._region)

        after_room = user in self._after_room
        self._after_room.discard(user)
        if reading.command == "checklist" or (reading.intent is Intent.MORE and after_room):
            if self._rooms is None:
                return _note("Rooms are not set up", "Meeting rooms are not available here.", Intent.ROOM)
            return self._rooms.checklist()
        if reading.intent is Intent.ROOM:
            if len(self._after_room) >= MAX_ASKED:
                self._after_room.clear()
            self._after_room.add(user)
            return self._room(message.text, user, stored)
        if reading.intent is Intent.SETTINGS:
            return await self._settings(user, reading, stored)
        if reading.intent is Intent.PRIVACY:
            return replies.privacy_answer()
        if reading.intent is Intent.EXPORT:
            return await self._export(message, user, role, stored)
        if reading.intent is Intent.INVITE:
            return await self._invite(role)
        if reading.intent is Intent.FORGET:
            self.brain.forget(user)
            self._asked_region.discard(user)
            if self._users is not None:
                await self._users.forget(user)
            return replies.forgotten_answer(was_invited=role == "user")
        # Only a conversation (settings kept per user) can take an answer; stateless `ask` gives every region.
        ask_region = region is None and self._users is not None and user not in self._asked_region
        answer = self.brain.answer(reading, user=user, region=region, text=message.text, ask_region=ask_region)
        if ask_region and any(entries.ASK_REGION in section.lines for section in answer.sections):
            if len(self._asked_region) >= MAX_ASKED:
                self._asked_region.clear()
            self._asked_region.add(user)
        return answer

    async def _export(self, message: Incoming, user: str, role: Role, stored: dict[str, str]) -> Answer:
        return export_answer(
            pseudonym=self._keyer.short(user),
            role=role,
            transport=message.transport,
            member=await self._users.member(user) if self._users is not None else None,
            settings=stored,
            conversation=self.brain.remembered(user),
        )

    async def _invite(self, role: Role) -> Answer:
        # The terminal's user sits at the operator's machine, so they may invite as an admin may.
        if role not in ("admin", "local"):
            return _note("Only the operator invites", "Ask whoever runs this Confidant to invite a colleague.")
        invitation = await self._door.invite()
        if invitation is None:
            return _note("Invitations need a database", "Run `confidant invite`, or say “invite” in `confidant chat`.")
        return Answer(
            intent=Intent.INVITE,
            title="Invitation code",
            sections=(
                Section(
                    None,
                    (
                        f"Give it to one colleague, privately. They send me: join {invitation.code}",
                        f"It works once, until {invitation.until}. "
                        "I keep only a keyed hash of it, so I cannot show it again.",
                    ),
                ),
            ),
        )

    def end_conversation(self, message: Incoming) -> None:
        """Forget what the conversation with this sender was about (not their settings): the next message
        starts afresh. `ask` with several independent questions uses it between them."""
        user = self._keyer.user_key(message.transport, message.sender)
        self.brain.forget(user)
        self._asked_region.discard(user)

    def _room(self, text: str, user: str, stored: dict[str, str]) -> Answer:
        if self._rooms is None:
            return _note("Rooms are not set up", "Meeting rooms are not available here.", Intent.ROOM)
        timezone = zoneinfo.ZoneInfo(stored.get("timezone", self._timezone))
        return self._rooms.answer(
            text,
            timezone=timezone,
            display_name=stored.get("name"),
            # Opaque and per-user, so a token never carries a phone number or a name the counsellor did not set.
            user_ref=self._keyer.short("room:" + user),
        )

    async def _settings(self, user: str, reading: Reading, stored: dict[str, str]) -> Answer:
        if reading.command == "settings" or reading.argument is None:
            return _note(
                "Your settings",
                f"Region: {stored.get('region', self._region or 'not set')}. "
                f"Time zone: {stored.get('timezone', self._timezone)}. "
                f"Name in meeting rooms: {stored.get('name', 'Host')}. "
                "Change one with “region uk”, “timezone Europe/London” or “name Dr Lee”.",
            )
        if self._users is None:
            return _note("Settings need a chat", "Settings are kept per user: use `confidant chat` or a messenger.")
        value = reading.argument
        if reading.command == "region":
            if value not in REGIONS:
                return _note("Which region?", "Say “region uk”, “region eu”, “region us” or “region other”.")
        elif reading.command == "timezone":
            zone = _timezone_name(value)
            if zone is None:
                return _note("Which time zone?", "Say it like “timezone Europe/London” or “timezone America/New_York”.")
            value = zone
        elif reading.command == "name":
            value = value.strip()[:MAX_NAME].title()
        await self._users.set(user, reading.command or "", value)
        return _note("Saved", f"Your {reading.command} is now {value}.")


def _timezone_name(typed: str) -> str | None:
    """'europe london' (normalised) back to 'Europe/London', if that zone exists."""
    wanted = typed.replace(" ", "_").casefold()
    for name in zoneinfo.available_timezones():
        if name.casefold().replace("/", "_") == wanted or name.casefold() == wanted:
            return name
    return None
