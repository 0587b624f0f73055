"""The fixed replies: help, greeting, privacy, "I don't know that one", "Did you mean …?"."""

from __future__ import annotations

from bot.shared.answer import Answer, Intent, Section

# What to check about any platform; shown when we have no entry, and with recommendations.
CHECKLIST = (
    "Is it end-to-end encrypted by default for what you will use (calls, video, chat)?",
    "How does the company make money? Ads or data sharing are a warning sign.",
    "Can clients see when you are online, or your phone number?",
    "Is it open source or independently audited?",
    "Will the company sign a processor agreement (UK/EU GDPR) or a BAA (US HIPAA)?",
    "Where is the data kept, and can you delete it?",
)

EXAMPLES = ("is WhatsApp safe?", "zoom vs jitsi", "what is e2ee?", "which browser?", "room")


def help_answer() -> Answer:
    return Answer(
        intent=Intent.HELP,
        title="What I can do",
        sections=(
            Section(
                None,
                (
                    "I tell you whether a communication platform is safe for client work, from reviewed, "
                    "sourced and dated notes, and I make private video-meeting links.",
                ),
            ),
            Section("Try", tuple(f"“{example}”" for example in EXAMPLES)),
            Section(
                "Commands",
                (
                    "list: every platform I have reviewed",
                    "more: the long version of my last answer",
                    "room, or room for 3pm: a meeting link",
                    "region uk|eu|us|other: which rules I mention",
                    "timezone Europe/London, name Dr Lee: your room settings",
                    "privacy: what I store; export: show it; forget: delete it",
                ),
            ),
        ),
    )


GREETING_LINES = {
    "thanks": "You're welcome. Ask again whenever you need to.",
    "bye": "Goodbye. Platforms change, so check again before you switch to a new one.",
    "hello": "Hello! Ask me about a platform, like “is WhatsApp safe?”, or say “room” for a meeting link.",
}


def greeting_answer(kind: str = "hello") -> Answer:
    line = GREETING_LINES.get(kind, GREETING_LINES["hello"])
    return Answer(intent=Intent.GREETING, title="Confidant", sections=(Section(None, (line,)),))


def unknown_answer(name: str | None) -> Answer:
    if name:
        title = f"I have no reviewed entry for “{name}”"
        opening = "So I won't guess. Here is what to check before using it with clients:"
    else:
        title = "I'm not sure what you are asking"
        opening = "I answer questions about platforms and privacy. Before using any platform with clients, check:"
    return Answer(
        intent=Intent.UNKNOWN,
        title=title,
        sections=(Section(None, (opening,)), Section(None, CHECKLIST)),
        footer="Say “list” for the platforms I have reviewed, or “help”.",
    )


def no_entry_of_kind(name: str, kind: str) -> str:
    return (
        f"I have no reviewed entry for “{name}”, so I won't judge it. "
        f"What I can say about {_lower_first(kind)} in general:"
    )


def _lower_first(title: str) -> str:
    """ "Choosing a platform" -> "choosing a platform"; "AI note-takers" stays as it is."""
    if len(title) > 1 and title[1].isupper():
        return title
    return title[:1].lower() + title[1:]


def suggestion_answer(typed: str, name: str) -> Answer:
    return Answer(
        intent=Intent.UNKNOWN,
        title=f"Did you mean {name}?",
        sections=(Section(None, (f"I don't know “{typed}”. Say “yes” for {name}, or check the spelling.",)),),
    )


# What /privacy says, one claim a line. Each is proven by a test named in tests/test_claims.py, which fails when
# a line is added here without one.
PRIVACY_LINES = (
    "Your messages are kept only until answered, then deleted and scrubbed from disk.",
    "I know you by a keyed hash of your account, never your number or name.",
    "A keyed hash of each message's id is kept a week, to spot a message sent twice.",
    "If Signal cannot deliver to you, my operator sees a pseudonym, not your number, and your answer waits.",
    "Kept: settings you set (region, time zone, name for rooms) and, if you were invited, the day you joined.",
    "Someone I may not answer is told so once a day; their keyed hash is kept for that day.",
    "What your last answer was about (platforms, topic, aspect; never your words) is kept a day at most, for “more”.",
    "I never log message text, numbers, tokens, codes or links, and never store meeting links.",
    "Say “export” to see what I hold about you, and “forget” to delete it.",
)


def privacy_answer() -> Answer:
    return Answer(intent=Intent.PRIVACY, title="What I keep about you", sections=(Section(None, PRIVACY_LINES),))


def forgotten_answer(*, was_invited: bool = False) -> Answer:
    lines = ["I deleted your settings and everything else I held about you."]
    if was_invited:
        lines.append("That included your invitation: to use me again, ask for a new one.")
    return Answer(intent=Intent.FORGET, title="Done", sections=(Section(None, tuple(lines)),))


def private_answer() -> Answer:
    """The one reply a stranger gets (once a day): nothing about the knowledge base or the people who use it."""
    return Answer(
        intent=Intent.REFUSED,
        title="This Confidant is private",
        sections=(Section(None, ("It answers only people its operator invited. Have a code? Send: join CODE",)),),
    )


def welcome_answer() -> Answer:
    return Answer(
        intent=Intent.JOIN,
        title="Welcome to Confidant",
        sections=(
            Section(
                None,
                (
                    "I tell counsellors and therapists whether a platform is safe for client work, from reviewed, "
                    "sourced and dated notes, and I make private video-meeting links.",
                ),
            ),
            Section("Try", ("“is WhatsApp safe?”", "“zoom vs jitsi”", "“room”", "“help”")),
            Section(
                "What I keep",
                (
                    "Your messages, only until I have answered them.",
                    "You, as a keyed hash of your account (never your number or name), and the day you joined.",
                    "Settings you choose: region, time zone, your name for rooms.",
                    "“privacy” says more; “export” shows it all; “forget” deletes it and ends your access.",
                ),
            ),
        ),
    )
