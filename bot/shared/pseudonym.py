"""Keyed hashes: how the database knows a user or a message without holding the phone number or id."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from pathlib import Path


class Keyer:
    """HMAC-SHA256 with the installation's secret key: stable for one installation, useless to anyone else."""

    def __init__(self, secret: bytes) -> None:
        if len(secret) < 16:
            raise ValueError("the secret key must be at least 16 bytes")
        self._secret = secret

    def _digest(self, purpose: str, value: str) -> str:
        message = f"{purpose}\x00{value}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def subkey(self, purpose: str) -> bytes:
        """A 32-byte key for another use of the installation's secret (sealing what must be stored)."""
        return hmac.new(self._secret, f"subkey\x00{purpose}".encode(), hashlib.sha256).digest()

    def user_key(self, transport: str, ident: str) -> str:
        return self._digest("user", f"{transport}:{ident}")

    def message_key(self, key: str) -> str:
        return self._digest("message", key)

    def conversation_key(self, transport: str, chat: str) -> str:
        """One chat as the database knows it (inbox leases, alerts): without the chat's id."""
        return self._digest("conversation", f"{transport}:{chat}")

    def invitation(self, code: str) -> str:
        """What the database keeps of an invitation code: a keyed hash, so a copy of it lets nobody join."""
        return self._digest("invitation", code)

    def short(self, value: str) -> str:
        """A 10-character pseudonym for log lines, so operators can follow one conversation without its id."""
        return self._digest("log", value)[:10]

    def conversation(self, transport: str, chat: str) -> str:
        """The pseudonym of one chat, the same wherever it is logged (the worker, a transport, an operator
        command), so a log line and `confidant signal trust` name the same conversation."""
        return self.short(f"{transport}:{chat}")


def load_or_create_secret(path: Path) -> bytes:
    """The secret key kept in the data folder, created with owner-only permissions on first run."""
    try:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    secret = secrets.token_bytes(32)
    # O_EXCL: two processes starting together must not overwrite each other's key.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return bytes.fromhex(path.read_text(encoding="ascii").strip())
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secret.hex())
    return secret
