"""The assistant: one incoming message in, one Answer (or nothing) out. Transport-neutral.

It puts the pieces in this order: the rate limit, then who is writing (the doorkeeper: a
stranger gets no further), the size limit, then the brain, with the assistant itself handling what needs state
(settings, export, invite, forget, what the conversation is about) or other services (rooms).
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Protocol

from bot.access.gate import AccessGate, Role
from bot.brain import entries, replies
from bot.brain.brain import Brain
from bot.brain.context import Context
from bot.brain.reader import Reading
from bot.core.conversations import ConversationsInMemory
from bot.core.doorkeeper import Doorkeeper, utc_now
from bot.core.export import export_answer
from bot.core.stores import Conversation, ConversationStore, InvitationStore, StrangerStore, UserStore
from bot.shared.answer import Answer, Intent, Section
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.shared.quietlog import QuietLogger

# Not logging.getLogger: `confidant ask` would import logging only to drop these debug and info lines.
log = QuietLogger(__name__)

REGIONS = ("uk", "eu", "us", "other")
MAX_NAME = 40


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
        conversations: ConversationStore | None = None,
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
        # What each conversation is about. Loaded before every answer and saved after it, so that with several
        # instances the next message may be answered by any of them; this process's memory by default.
        self._conversations = conversations or ConversationsInMemory()
        self._rooms = rooms
        self._region = default_region
        self._timezone = default_timezone

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
        before = await self._conversations.load(user) or Conversation()
        self.brain.resume(user, _context(before))
        answer, after = await self._answer(message, reading, user, role, stored, before)
        if after is None:
            await self._conversations.forget(user)
        elif after != before:
            await self._conversations.save(user, after)
        return answer

    async def _answer(
        self,
        message: Incoming,
        reading: Reading,
        user: str,
        role: Role,
        stored: dict[str, str],
        before: Conversation,
    ) -> tuple[Answer, Conversation | None]:
        """The answer, and what the conversation is about afterwards (None: forget it)."""
        region = stored.get("region", self._region)
        # "more" right after a room is the room checklist; anything else ends that.
        unchanged = replace(before, after_room=False)
        if reading.command == "checklist" or (reading.intent is Intent.MORE and before.after_room):
            if self._rooms is None:
                return _note("Rooms are not set up", "Meeting rooms are not available here.", Intent.ROOM), unchanged
            return self._rooms.checklist(), unchanged
        if reading.intent is Intent.ROOM:
            return self._room(message.text, user, stored), replace(before, after_room=True)
        if reading.intent is Intent.SETTINGS:
            return await self._settings(user, reading, stored), unchanged
        if reading.intent is Intent.PRIVACY:
            return replies.privacy_answer(), unchanged
        if reading.intent is Intent.EXPORT:
            return await self._export(message, user, role, stored, before), unchanged
        if reading.intent is Intent.INVITE:
            return await self._invite(role), unchanged
        if reading.intent is Intent.FORGET:
            self.brain.forget(user)
            if self._users is not None:
                await self._users.forget(user)
            return replies.forgotten_answer(was_invited=role == "user"), None
        # Only a conversation (settings kept per user) can take an answer; stateless `ask` gives every region.
        ask_region = region is None and self._users is not None and not before.asked_region
        answer = self.brain.answer(reading, user=user, region=region, text=message.text, ask_region=ask_region)
        asked = ask_region and any(entries.ASK_REGION in section.lines for section in answer.sections)
        return answer, _with_context(unchanged, self.brain.recall(user), asked_region=before.asked_region or asked)

    async def _export(
        self, message: Incoming, user: str, role: Role, stored: dict[str, str], conversation: Conversation
    ) -> Answer:
        return export_answer(
            pseudonym=self._keyer.short(user),
            role=role,
            transport=message.transport,
            member=await self._users.member(user) if self._users is not None else None,
            settings=stored,
            conversation={
                "platforms": list(conversation.platforms),
                "topic": [conversation.topic] if conversation.topic else [],
                "aspects": list(conversation.aspects),
            },
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

    async def end_conversation(self, message: Incoming) -> None:
        """Forget what the conversation with this sender was about (not their settings): the next message
        starts afresh. `ask` with several independent questions uses it between them."""
        user = self._keyer.user_key(message.transport, message.sender)
        self.brain.forget(user)
        await self._conversations.forget(user)

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


def _context(conversation: Conversation) -> Context | None:
    if not (conversation.platforms or conversation.topic or conversation.suggestion or conversation.aspects):
        return None
    return Context(
        conversation.platforms, conversation.topic, conversation.suggestion, conversation.aspects, conversation.at
    )


def _with_context(conversation: Conversation, context: Context | None, *, asked_region: bool) -> Conversation:
    context = context or Context()
    return replace(
        conversation,
        platforms=context.platforms,
        topic=context.topic,
        suggestion=context.suggestion,
        aspects=context.aspects,
        asked_region=asked_region,
        at=context.at,
    )


def _timezone_name(typed: str) -> str | None:
    """'europe london' (normalised) back to 'Europe/London', if that zone exists."""
    wanted = typed.replace(" ", "_").casefold()
    for name in zoneinfo.available_timezones():
        if name.casefold().replace("/", "_") == wanted or name.casefold() == wanted:
            return name
    return None
