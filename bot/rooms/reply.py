"""What the counsellor reads: the host link, the client invitation and the 30-second checklist.

Two messages, so the counsellor can forward the second alone: the first holds the host link (on its first
lines, read on a phone between sessions), the two steps that matter most and when the link works; the second
is a short, neutral invitation with the client link and no names. The whole checklist, who runs the server and
what end-to-end encryption does and does not do come with "checklist" (or "more"), and in the terminal.

The wording never says the link switches on the lobby, a password or end-to-end encryption: Jitsi cannot
preset any of them from a link or a token, so the counsellor does it in the meeting, every time.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.rooms.backends import PUBLIC_JITSI_HOST
from bot.rooms.room import Room
from bot.rooms.when import EXAMPLES, describe_start
from bot.shared.answer import Answer, Intent, Link, Section

HOST_TITLE = "Your host link: do not forward"
CLIENT_TITLE = "Link for your client"

CHECKLIST = (
    "Open Security options (the shield icon) and turn on the lobby.",
    "If you like, add a password that only you know, so you can get back in if you drop out. "
    "Do not send it to your client.",
    "Turn on end-to-end encryption only if you both use a desktop Chromium browser (Chrome, Edge or Brave). "
    "If in doubt, use Verify and compare the emoji.",
    "Check the participant list: only you should be in the room before you let your client in.",
    "The link cannot switch any of these on, and they reset when a meeting ends, so do them every time.",
)


def _e2ee_limits(operator: str) -> tuple[str, ...]:
    return (
        "It protects audio, video and screen sharing, not the chat or polls.",
        "It does not work in the Jitsi mobile apps, and is only experimental in Safari and Firefox.",
        "It switches off recording, phone dial-in and the direct peer-to-peer connection, "
        "and works for up to about 20 people.",
        "Without it, the connection is still encrypted on the network, but "
        f"{operator} could technically access the audio and video on the server.",
        f"Even with it, {operator} can see the room name, display names, IP addresses and times.",
    )


def _server_section(backend: str, host: str) -> tuple[str, Section]:
    """(who runs the server, a section about it): the privacy trade-off of each back end in plain words."""
    if backend == "self-hosted":
        return "whoever runs your Jitsi server", Section(
            "About this server",
            (
                "Your link carries a sign-in token that makes you the host (moderator). Anyone holding it "
                "would become a host too, so keep it to yourself.",
                "Your client's link carries no token: they join as a guest and wait until you are there.",
            ),
        )
    if backend == "jaas":
        return "8x8", Section(
            "About this server",
            (
                "This room runs on 8x8's Jitsi as a Service (JaaS), under your data-processing agreement "
                "with 8x8.",
                "Each link carries its own sign-in token: yours makes you the host (moderator), your "
                "client's does not.",
            ),
        )
    private_option = (
        "The private option is a self-hosted Jitsi server (or 8x8 JaaS under a data-processing agreement). "
        "Whoever sets me up can connect me to it, and then I can give you a host link that signs you in."
    )
    if host == PUBLIC_JITSI_HOST:
        return "8x8, which runs meet.jit.si,", Section(
            "About meet.jit.si",
            (
                "On meet.jit.si the host must sign in with Google, GitHub or Facebook before the meeting "
                "can start. Your client needs no account.",
                "I cannot sign you in there, so your link and your client's link are the same.",
                "Anyone already waiting in the room is let in automatically when you arrive: turn on the "
                "lobby straight away and check the participant list.",
                "8x8 sees IP addresses and the room name, and your sign-in provider learns that you used it.",
                private_option,
            ),
        )
    return f"whoever runs {host}", Section(
        "About this server",
        (
            f"{host} is a Jitsi server run by someone else. I cannot issue sign-in tokens for it, so your "
            "link and your client's link are the same and anyone who has it can join or wait in the room.",
            "Ask who runs it, what it logs and whether they will sign a data-processing agreement.",
            private_option,
        ),
    )


def _validity(room: Room, tz: ZoneInfo) -> str:
    if room.expires_at is None or room.valid_from is None:
        return "This link never expires, so use it for this session only and make a new room next time."
    start, end = room.valid_from.astimezone(tz), room.expires_at.astimezone(tz)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%H:%M} on {end:%A} {end.day} {end:%B}"
    return (
        f"Your link works from {start:%H:%M} on {start:%A} {start.day} {start:%B} until {until} "
        f"({_zone(tz)}). Make a new room for every session."
    )


def _zone(tz: ZoneInfo) -> str:
    return "UTC" if tz.key in ("UTC", "Etc/UTC") else f"{tz.key} time"


# One line about the server for the short host message; the rest is in the checklist.
SERVER_NOTES = {
    "self-hosted": "Your link signs you in as the host; anyone holding it would be a host too.",
    "jaas": "Your link signs you in as the host on 8x8's JaaS; your client's link does not.",
}
PUBLIC_NOTE = (
    "On meet.jit.si you sign in with Google, GitHub or Facebook to start, and anyone already waiting is let "
    "in when you arrive: turn the lobby on at once."
)
OTHER_SERVER_NOTE = "{host} is run by someone else: anyone with this link can join or wait in the room."
QUICK_CHECKS = (
    "Shield icon → turn on the lobby.",
    "Check the participant list before you let your client in.",
)
CHECKLIST_POINTER = "Say “checklist” for the full checklist and what end-to-end encryption covers."


def _host(room_url: str) -> str:
    return urlsplit(room_url).hostname or "this server"


def _server_note(backend: str, host: str) -> str:
    if backend in SERVER_NOTES:
        return SERVER_NOTES[backend]
    return PUBLIC_NOTE if host == PUBLIC_JITSI_HOST else OTHER_SERVER_NOTE.format(host=host)


def room_answer(room: Room, *, now: datetime, tz: ZoneInfo, asked_for_time: bool) -> Answer:
    """The two messages for a new room: the counsellor's (host link first, the two checks that matter most)
    and the client invitation. The whole checklist is `checklist_answer`."""
    when = describe_start(room.starts_at, now=now, tz=tz)
    host_lines = (
        f"A new room for your session {when}." if asked_for_time else "A new room, ready now.",
        _validity(room, tz),
        "Forward only the next message to your client, ideally over Signal.",
    )
    return Answer(
        intent=Intent.ROOM,
        title=HOST_TITLE,
        links_first=True,
        sections=(
            Section(None, host_lines),
            Section("Before you let them in", QUICK_CHECKS),
            Section(None, (_server_note(room.backend, _host(room.client_url)),)),
        ),
        links=(Link(label="Host link", url=room.host_url, sensitive=True),),
        footer=f"{CHECKLIST_POINTER} I keep no copy of this room or its links.",
        follow_ups=(client_invitation(room, when=when if asked_for_time else None, tz=tz),),
    )


def checklist_answer(backend: str, server_url: str) -> Answer:
    """The 30-second checklist with who runs the server and the limits of end-to-end encryption."""
    operator, server = _server_section(backend, _host(server_url))
    return Answer(
        intent=Intent.ROOM,
        title="Before you admit your client",
        sections=(
            Section(None, CHECKLIST),
            server,
            Section("What end-to-end encryption does and does not do", _e2ee_limits(operator)),
        ),
        footer=(
            "I do not keep a copy of any room or its links. The settings after # in a link are conveniences "
            "(such as keeping the room out of the app's recent list), not security."
        ),
    )


def client_invitation(room: Room, *, when: str | None, tz: ZoneInfo) -> Answer:
    """A short invitation the counsellor can forward as it is: no names, nothing about the client."""
    timing = f"for our session {when} ({_zone(tz)})" if when else "for our session"
    lines = (
        f"Here is the link {timing}.",
        "It works best in Chrome, Edge or Brave on a computer. You may wait for a moment until I let you in.",
    )
    return Answer(
        intent=Intent.ROOM,
        title=CLIENT_TITLE,
        sections=(Section(None, lines),),
        links=(Link(label="Join the session", url=room.client_url, sensitive=True),),
    )


def unclear_time_answer(question: str) -> Answer:
    return Answer(
        intent=Intent.ROOM,
        title="When does the session start?",
        sections=(Section(None, (question, "I have not made a room yet.")),),
    )


def refused_name_answer(reason: str) -> Answer:
    return Answer(
        intent=Intent.ROOM,
        title="I cannot use that room name",
        sections=(
            Section(
                None,
                (
                    f"I did not make a room with that name: {reason}.",
                    "A room name works like a key: anyone who guesses it can knock. Say 'room' and I will "
                    f"make one nobody can guess. You can also add a time, for example {EXAMPLES}.",
                ),
            ),
        ),
    )
