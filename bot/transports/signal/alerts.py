"""Things only the operator can resolve, kept where `confidant signal …` can find them.

A rate-limit challenge token and the address of a person whose safety number changed cannot go into a log
line (tokens and ids are never logged), yet the operator needs them to act. So they are written to a small
owner-only JSON file in the data folder; log lines name a pseudonym and the command to run, and the admin
command removes an entry once it is resolved.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


@dataclass
class AlertState:
    challenge_tokens: list[str] = field(default_factory=list)
    rate_limited_at: str | None = None
    # pseudonym -> {"recipient": id, "at": iso time}
    untrusted: dict[str, dict[str, str]] = field(default_factory=dict)


class OperatorAlerts:
    def __init__(self, path: Path) -> None:
        self.path = path

    def load(self) -> AlertState:
        try:
            data: Any = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return AlertState()
        if not isinstance(data, dict):
            return AlertState()
        tokens = data.get("challenge_tokens")
        untrusted = data.get("untrusted")
        return AlertState(
            challenge_tokens=[str(t) for t in tokens] if isinstance(tokens, list) else [],
            rate_limited_at=data.get("rate_limited_at") if isinstance(data.get("rate_limited_at"), str) else None,
            untrusted={
                str(k): {"recipient": str(v.get("recipient")), "at": str(v.get("at"))}
                for k, v in (untrusted.items() if isinstance(untrusted, dict) else ())
                if isinstance(v, dict) and v.get("recipient")
            },
        )

    def save(self, state: AlertState) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state.__dict__, handle, indent=2)
        os.replace(temporary, self.path)

    def rate_limited(self, tokens: tuple[str, ...]) -> None:
        state = self.load()
        state.challenge_tokens = list(dict.fromkeys([*tokens, *state.challenge_tokens]))[:5]
        state.rate_limited_at = _now()
        self.save(state)

    def challenge_solved(self, token: str) -> None:
        state = self.load()
        state.challenge_tokens = [t for t in state.challenge_tokens if t != token]
        if not state.challenge_tokens:
            state.rate_limited_at = None
        self.save(state)

    def untrusted_identity(self, pseudonym: str, recipient: str) -> None:
        state = self.load()
        state.untrusted[pseudonym] = {"recipient": recipient, "at": _now()}
        self.save(state)

    def trusted(self, pseudonym: str) -> None:
        state = self.load()
        if state.untrusted.pop(pseudonym, None) is not None:
            self.save(state)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
