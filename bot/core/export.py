"""`export`: everything Confidant holds about the person asking, in plain words and as one JSON object.

It is built from the stores themselves, not from a description of them, so it cannot drift from what is kept.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.core.stores import Member
from bot.shared.answer import Answer, Intent, Section

ROLE_WORDS = {
    "admin": "admin, named in this Confidant's configuration",
    "user": "invited user",
    "local": "the user at this computer's terminal",
    "guest": "guest (this Confidant answers anyone)",
}


def _day(moment: datetime) -> str:
    return f"{moment.day} {moment:%B %Y}"


def export_answer(
    *,
    pseudonym: str,
    role: str,
    transport: str,
    member: Member | None,
    settings: dict[str, str],
    conversation: dict[str, list[str]],
) -> Answer:
    since = member.since if member is not None else None
    record = {
        "id": pseudonym,
        "role": role,
        "transport": transport,
        "since": since.isoformat() if since is not None else None,
        "settings": settings,
        "in_memory": conversation,
        "waiting_messages": 1,  # this one, until the reply is sent
    }
    about = ", ".join(entry for values in conversation.values() for entry in values)
    lines = (
        f"You are {pseudonym} here: a keyed hash of your {transport} account, not your number or name.",
        f"Role: {ROLE_WORDS.get(role, role)}" + (f", since {_day(since)}." if since is not None else "."),
        "Settings: "
        + (", ".join(f"{name} {value}" for name, value in sorted(settings.items())) if settings else "none")
        + ".",
        f"In memory only, for “more”: {about or 'nothing'}.",
        "This message waits in my inbox until my reply is sent, then it is deleted.",
        "Not linked to you: a keyed hash of each message's id, kept a week to drop duplicates.",
    )
    return Answer(
        intent=Intent.EXPORT,
        title="What I hold about you",
        sections=(Section(None, lines), Section("As JSON", (json.dumps(record, ensure_ascii=False),))),
        footer="Say “forget” to delete it.",
    )
