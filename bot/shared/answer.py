"""The structured reply the brain builds and the renderers turn into text for each transport."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Intent(StrEnum):
    PLATFORM = "platform"
    COMPARE = "compare"
    TOPIC = "topic"
    RECOMMEND = "recommend"
    ROOM = "room"
    LIST = "list"
    HELP = "help"
    GREETING = "greeting"
    UNKNOWN = "unknown"
    SETTINGS = "settings"
    PRIVACY = "privacy"
    FORGET = "forget"
    MORE = "more"
    EXPORT = "export"  # what Confidant stores about the person asking
    INVITE = "invite"  # an admin asked for an invitation code
    JOIN = "join"  # someone joined with an invitation code: the welcome
    # The access gate said no (a stranger, a flood, a message too long): nothing was read.
    REFUSED = "refused"


@dataclass(frozen=True, slots=True)
class Link:
    """A URL with a label. Renderers never shorten or preview it; `sensitive` ones are never logged."""

    label: str
    url: str
    sensitive: bool = False


@dataclass(frozen=True, slots=True)
class Section:
    """A block of the answer: an optional heading, then lines of plain text (renderers escape them)."""

    heading: str | None
    lines: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Answer:
    """What the assistant says, independent of how a transport shows it.

    `platforms` and `topic` are knowledge-base ids the answer is about (the `ask --json` fields). `verdict` is a
    one-line judgement shown prominently. `reviewed` is when the facts were last checked; `stale` asks the
    renderer to add the "platforms change, check the sources" line.
    """

    intent: Intent
    title: str
    verdict: str | None = None
    sections: tuple[Section, ...] = ()
    links: tuple[Link, ...] = ()
    reviewed: date | None = None
    stale: bool = False
    platforms: tuple[str, ...] = ()
    topic: str | None = None
    aspects: tuple[str, ...] = ()  # what the question asked about (the `ask --json` field)
    footer: str | None = None
    # Links right after the title instead of at the end: a room's host link must be the first thing read.
    links_first: bool = False
    # Each element is sent as its own message, in order (the room reply: host link apart from the client link).
    follow_ups: tuple[Answer, ...] = field(default=())
