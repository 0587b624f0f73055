"""The knowledge-base schema: what a curator writes in `knowledge/platforms/*.yaml` and `knowledge/topics/*.yaml`.

Field names follow the counsellor's two kinds of privacy first (session, wider), then the detail. Validation is
strict (unknown fields are typos) and the consistency rules live here, next to the fields they protect.

The entries are plain frozen dataclasses, so that the brain and the knowledge-base snapshot (bot/kb/snapshot.py)
use them without importing pydantic; the validating loader (bot/kb/loader.py) has pydantic check the same
fields and rules (bot/kb/rules.py, bot/kb/validation.py), so there is one schema, not two.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Literal

from bot.kb.rules import Rule, Validated

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"

Slug = Annotated[str, Rule(pattern=SLUG)]
Text = Annotated[str, Rule(min_length=1)]
# The direct answer to one aspect of a question ("does Zoom record?"): it leads a reply read on a phone, so it
# stays within two or three sentences.
ASPECT_MAX_CHARS = 420
AspectText = Annotated[str, Rule(min_length=1, max_length=ASPECT_MAX_CHARS)]
# A message the counsellor forwards to the client as it is.
CLIENT_MESSAGE_MAX_CHARS = 700
ClientMessage = Annotated[str, Rule(min_length=1, max_length=CLIENT_MESSAGE_MAX_CHARS)]


def _check_url(url: str) -> str:
    if not re.fullmatch(r"https://[^\s/]+\.[^\s/]+(/\S*)?", url):
        raise ValueError(f"{url!r} is not an https:// URL")
    return url


Url = Annotated[str, Rule(check=_check_url)]


class Verdict(StrEnum):
    RECOMMENDED = "recommended"
    CARE = "acceptable-with-care"
    AVOID = "avoid"
    RETIRED = "retired"


class Use(StrEnum):
    """What a counsellor uses a platform for; `recommend` answers by use."""

    VIDEO = "video-sessions"
    MESSAGING = "messaging"
    EMAIL = "email"


class Category(StrEnum):
    MESSENGER = "messenger"
    VIDEO = "video-meeting"
    TELEHEALTH = "telehealth"
    EMAIL = "email"
    PHONE = "phone-sms"
    TEAM_CHAT = "team-chat"
    SOCIAL = "social"
    PRACTICE = "practice-software"  # client records, booking, billing; often with video built in
    AI = "ai-tool"  # AI assistants, chatbots, note-takers and scribes


class E2EEState(StrEnum):
    DEFAULT = "default"  # on for everyone without doing anything
    OPTIONAL = "optional"  # someone must switch it on
    PARTIAL = "partial"  # only in some cases (e.g. email between users of the same service)
    NONE = "none"
    NOT_APPLICABLE = "n/a"


@dataclass(frozen=True, kw_only=True)
class E2EE(Validated):
    """End-to-end encryption per surface: apps differ within themselves."""

    chat_1to1: E2EEState = E2EEState.NOT_APPLICABLE
    chat_group: E2EEState = E2EEState.NOT_APPLICABLE
    calls: E2EEState = E2EEState.NOT_APPLICABLE
    meetings: E2EEState = E2EEState.NOT_APPLICABLE
    email: E2EEState = E2EEState.NOT_APPLICABLE
    backups: E2EEState = E2EEState.NOT_APPLICABLE
    since: Text | None = None  # when it arrived / became default, in words with dates
    caveats: tuple[Text, ...] = ()


@dataclass(frozen=True, kw_only=True)
class Summary(Validated):
    """The two kinds of privacy, in one or two plain sentences each: what the bot says first."""

    session: Text  # during a session: can anyone listen in?
    wider: Text  # beyond it: data, metadata, business model


@dataclass(frozen=True, kw_only=True)
class Presence(Validated):
    """Does the app show when someone is online? A confidentiality leak: it shows who is a client and when."""

    shown: Text  # what others see by default ("online", "last seen", read receipts)
    can_hide: Literal["yes", "partly", "no", "n/a"]


@dataclass(frozen=True, kw_only=True)
class BusinessModel(Validated):
    """How the operator makes money, and whether ads are part of it."""

    summary: Text
    # True when this service shows its users ads, or when what it learns about its users (content, contacts,
    # metadata, usage) feeds ad targeting, here or in the operator's other products. A company with an ad
    # business elsewhere that keeps this service's data out of it is false; the summary then says so.
    advertising: bool


@dataclass(frozen=True, kw_only=True)
class OpenSource(Validated):
    """Whether the apps and the server are open source, and audited."""

    client: Literal["yes", "partly", "no"]
    server: Literal["yes", "partly", "no"]
    audits: Text | None = None


@dataclass(frozen=True, kw_only=True)
class Compliance(Validated):
    """What the operator offers for health-privacy law: a BAA in the US, processor terms in the UK and EU."""

    hipaa_baa: Text  # US: is a Business Associate Agreement offered, on which plans?
    gdpr: Text  # UK/EU: processor terms (DPA), data location
    uk: Text | None = None  # UK-only notes: ICO, NHS, professional bodies
    eu: Text | None = None  # EU-only notes: national regulators


@dataclass(frozen=True, kw_only=True)
class RegionLaw(Validated):
    """Law lines that apply in one region only: shown to users of that region, and all of them in "more"."""

    uk: Text | None = None
    eu: Text | None = None
    us: Text | None = None


@dataclass(frozen=True, kw_only=True)
class Incident(Validated):
    """Something that happened to the platform and bears on trusting it (a flaw, a breach, a shutdown), with its
    source."""

    date: date
    what: Text
    source: Url


@dataclass(frozen=True, kw_only=True)
class Retirement(Validated):
    """A platform that is gone, and the entry to use instead."""

    date: date
    successor: Slug  # id of the entry to use instead


@dataclass(frozen=True, kw_only=True)
class Platform(Validated):
    """A communication platform, as a counsellor weighs it for client work."""

    id: Slug
    name: Text
    operator: Text
    category: Category
    verdict: Verdict
    recommended_for: tuple[Use, ...] = ()
    aliases: tuple[Text, ...] = ()
    # Everyday phrasings ("texting clients") that find this entry only when no other platform is named, so
    # "can I text clients with iMessage" is about iMessage, not a comparison with SMS.
    context_aliases: tuple[Text, ...] = ()
    # False for names that are everyday words ("Session", "LINE", "Wire"): then only the aliases find the entry,
    # so "my next session" is not read as the Session app.
    match_name: bool = True
    summary: Summary
    e2ee: E2EE
    provider_access: Text  # can the company see or hear the content?
    metadata: Text  # what the provider keeps and shares even with E2EE
    presence: Presence
    identifiers: Text  # what you and the client must reveal to sign up, and what others see
    business_model: BusinessModel
    open_source: OpenSource
    jurisdiction: Text
    compliance: Compliance
    # The direct answers to what counsellors ask about a platform (the aspects of a question), each in two or
    # three plain sentences: a reply leads with the one the question asks about.
    recording: AspectText  # who can record, is everyone told, where recordings and AI summaries go
    groups: AspectText  # group chats and calls: encryption, who sees whose number, group sessions
    mobile: AspectText  # the phone apps: joining from a phone, what differs on Android and iPhone
    accounts: AspectText  # what the client needs to join: an account, an app, a browser
    cost: AspectText  # free and paid plans, and which plan the safe set-up needs
    ai_features: AspectText  # built-in AI: what is sent to it, is it on by default, how to turn it off
    backups: AspectText  # where chat history and backups go, and whether they are encrypted
    # A short, warm message to forward to the client as it is, in the second person: what they need, what to
    # change on their side, what the counsellor will and will not do.
    client_message: ClientMessage
    incidents: tuple[Incident, ...] = ()
    tips: Annotated[tuple[Text, ...], Rule(min_length=1)]
    alternatives: tuple[Slug, ...] = ()
    conflicts: Text | None = None  # where sources disagree, say so
    retired: Retirement | None = None
    sources: Annotated[tuple[Url, ...], Rule(min_length=2)]
    reviewed: date

    def __post_init__(self) -> None:
        # Rules across fields, on every entry built, the validated ones and those a snapshot restores.
        if self.verdict is Verdict.RECOMMENDED:
            if not self.recommended_for:
                raise ValueError("recommended_for: a recommended platform must say what it is recommended for")
            if self.business_model.advertising:
                raise ValueError("verdict: an advertising business cannot be recommended")
            for use in self.recommended_for:
                surfaces = USE_SURFACES[use]
                if not any(getattr(self.e2ee, surface) in accepted for surface, accepted in surfaces):
                    names = " or ".join(surface for surface, _ in surfaces)
                    raise ValueError(f"recommended_for: {use.value} needs end-to-end encryption by default on {names}")
        elif self.recommended_for:
            raise ValueError("recommended_for: only a recommended platform may list uses")
        if (self.verdict is Verdict.RETIRED) != (self.retired is not None):
            raise ValueError("retired: a retired verdict needs `retired` (date and successor), and only it")


_DEFAULT = frozenset({E2EEState.DEFAULT})
USE_SURFACES: dict[Use, tuple[tuple[str, frozenset[E2EEState]], ...]] = {
    Use.VIDEO: (("calls", _DEFAULT), ("meetings", _DEFAULT)),
    Use.MESSAGING: (("chat_1to1", _DEFAULT),),
    # No email is end-to-end encrypted to every recipient; between users of one service is the best there is.
    Use.EMAIL: (("email", frozenset({E2EEState.DEFAULT, E2EEState.PARTIAL})),),
}


@dataclass(frozen=True, kw_only=True)
class Topic(Validated):
    """A question about privacy in client work that is about no one platform."""

    id: Slug
    name: Text
    phrasings: Annotated[tuple[Text, ...], Rule(min_length=1)]  # words and phrases that should find this topic
    short: Text
    long: Text
    law: RegionLaw | None = None  # a law of one region (an Illinois act, the UK Data Act): shown to that region
    related: tuple[Slug, ...] = ()
    sources: Annotated[tuple[Url, ...], Rule(min_length=2)]
    reviewed: date

    def __post_init__(self) -> None:
        words = len(self.short.split())
        if words > 120:
            raise ValueError(f"short: {words} words; keep it to 120 or fewer (put the rest in `long`)")


Entry = Platform | Topic
