"""The direct answer to one aspect of a question about a platform ("does Zoom record?"), from the entry's fields.

Each aspect has a label and the field of the entry that answers it; the schema requires every one of them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.brain import sentences
from bot.kb.schema import ASPECT_MAX_CHARS, E2EEState, Platform
from bot.kb.words import E2EE_STATE_WORDS, SURFACE_LABELS

ASPECT_LABELS = {
    "e2ee": "Encryption",
    "recording": "Recording",
    "presence": "Online status",
    "phone-number": "Phone numbers",
    "groups": "Groups",
    "mobile": "On phones",
    "gdpr": "GDPR",
    "hipaa": "HIPAA",
    "business-model": "How it makes money",
    "open-source": "Open source",
    "ai": "AI features",
    "metadata": "What the company still sees",
    "data-location": "Where your data is",
    "backups": "Backups",
    "accounts": "What your client needs",
    "cost": "Cost",
    "client-message": "For your client",
    "settings": "Settings",
}

# General questions about an aspect, with no platform named, are answered by these topics where they exist.
ASPECT_TOPICS = {
    "e2ee": "e2ee",
    "recording": "recording",
    "presence": "presence",
    "phone-number": "phone-number",
    "groups": "group-sessions",
    "mobile": "joining-from-a-phone",
    "gdpr": "gdpr",
    "hipaa": "hipaa",
    "business-model": "business-model",
    "open-source": "open-source",
    "ai": "ai-note-takers",
    "metadata": "metadata",
    "data-location": "gdpr",
    "backups": "backups",
    "client-message": "telling-clients",
    "settings": "choosing-a-platform",
    "cost": "choosing-a-platform",
    "accounts": "choosing-a-platform",
}

CAN_HIDE = {
    "yes": "You can hide it.",
    "partly": "You can hide some of it.",
    "no": "You cannot hide it.",
    "n/a": "",
}


def e2ee_summary(platform: Platform) -> str:
    """ "Calls and one-to-one chats: end-to-end encrypted by default; backups: only if switched on." """
    groups: dict[E2EEState, list[str]] = {}
    for surface, label in SURFACE_LABELS.items():
        state = getattr(platform.e2ee, surface)
        if state is not E2EEState.NOT_APPLICABLE:
            groups.setdefault(state, []).append(label)
    parts = [f"{' and '.join(labels)}: {E2EE_STATE_WORDS[state]}" for state, labels in groups.items()]
    if not parts:
        return "End-to-end encryption does not apply here."
    return ("; ".join(parts) + ".").capitalize()


def open_source_text(platform: Platform) -> str:
    source = platform.open_source
    words = {"yes": "open source", "partly": "partly open source", "no": "not open source"}
    line = f"The apps are {words[source.client]}; the servers are {words[source.server]}."
    return f"{line} {source.audits}" if source.audits else line


ANSWERS: dict[str, Callable[[Platform], str]] = {
    "e2ee": e2ee_summary,
    "recording": lambda platform: platform.recording,
    "presence": lambda platform: f"{platform.presence.shown} {CAN_HIDE[platform.presence.can_hide]}".strip(),
    "phone-number": lambda platform: platform.identifiers,
    "groups": lambda platform: platform.groups,
    "mobile": lambda platform: platform.mobile,
    "gdpr": lambda platform: platform.compliance.gdpr,
    "hipaa": lambda platform: platform.compliance.hipaa_baa,
    "business-model": lambda platform: platform.business_model.summary,
    "open-source": open_source_text,
    "ai": lambda platform: platform.ai_features,
    "metadata": lambda platform: platform.metadata,
    "data-location": lambda platform: platform.jurisdiction,
    "backups": lambda platform: platform.backups,
    "accounts": lambda platform: platform.accounts,
    "cost": lambda platform: platform.cost,
}


def aspect_line(platform: Platform, aspect: str, *, limit: int = ASPECT_MAX_CHARS) -> str | None:
    """ "Recording: Zoom records only when the host starts it …", or None for an aspect answered otherwise
    (settings, the client message)."""
    answer = ANSWERS.get(aspect)
    if answer is None:
        return None
    return f"{ASPECT_LABELS[aspect]}: {sentences.whole(answer(platform), limit)}"


def tips_for(platform: Platform, aspects: Sequence[str], raises: Callable[[str], Sequence[str]]) -> tuple[str, ...]:
    """The entry's tips, those about the asked aspects first (`raises` tells which aspects a tip's text raises)."""
    if not aspects:
        return platform.tips
    wanted = set(aspects)
    relevant = [tip for tip in platform.tips if wanted & set(raises(tip))]
    return (*relevant, *(tip for tip in platform.tips if tip not in relevant))
