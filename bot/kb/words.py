"""The plain words for the schema's values, shared by everything that shows an entry: the chat replies (bot/brain)
and the website (bot/site) say "Usable with care" and "one-to-one chats" the same way."""

from __future__ import annotations

from bot.kb.schema import E2EEState, Verdict

VERDICT_LABELS = {
    Verdict.RECOMMENDED: "Recommended",
    Verdict.CARE: "Usable with care",
    Verdict.AVOID: "Avoid for client work",
    Verdict.RETIRED: "Retired",
}
# Best first: the order of verdicts in lists, scorecards and comparisons.
VERDICT_RANK = {Verdict.RECOMMENDED: 0, Verdict.CARE: 1, Verdict.AVOID: 2, Verdict.RETIRED: 3}

# The surfaces of `E2EE`, in the order answers list them.
SURFACE_LABELS = {
    "chat_1to1": "one-to-one chats",
    "chat_group": "group chats",
    "calls": "calls",
    "meetings": "video meetings",
    "email": "email",
    "backups": "backups",
}
# Best first. For email, "only between users of one service" (partial) is the best there is; something a
# person must switch on protects fewer sessions than something on for everyone.
E2EE_STATE_RANK = {
    E2EEState.DEFAULT: 0,
    E2EEState.PARTIAL: 1,
    E2EEState.OPTIONAL: 2,
    E2EEState.NONE: 3,
    E2EEState.NOT_APPLICABLE: 4,
}
E2EE_STATE_WORDS = {
    E2EEState.DEFAULT: "end-to-end encrypted by default",
    E2EEState.OPTIONAL: "end-to-end encrypted only if switched on",
    E2EEState.PARTIAL: "end-to-end encrypted only in some cases",
    E2EEState.NONE: "not end-to-end encrypted",
}
