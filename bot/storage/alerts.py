"""Operator alerts in the database, so that every instance pauses together and `confidant signal …` on any
host finds them.

A changed safety number is kept by the conversation's keyed hash and pseudonym only: the operator's command
finds the person's address again among the identities signal-cli-rest-api lists. A rate-limit challenge
token is needed as it is to lift the limit, so it is sealed (AES-GCM, with a key derived from the secret key)
rather than kept readable.
"""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.stores import Alerts
from bot.shared.pseudonym import Keyer
from bot.storage.dialect import insert_for, now_seconds
from bot.storage.models import OperatorAlert

table = cast(Table, OperatorAlert.__table__)
RATE_LIMIT = "rate-limit"
UNTRUSTED = "untrusted"


class OperatorAlerts:
    """Implements `bot.core.stores.AlertStore`."""

    def __init__(self, engine: AsyncEngine, keyer: Keyer) -> None:
        self._engine = engine
        self._key = keyer.subkey("operator-alerts")

    async def load(self) -> Alerts:
        now = now_seconds(self._engine.dialect.name)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(select(table, now.label("now")))).mappings().all()
        paused_for, challenge = 0.0, None
        untrusted: dict[str, tuple[str, datetime]] = {}
        for row in rows:
            if row["kind"] == RATE_LIMIT:
                paused_for = max(0.0, float(row["until"] or 0.0) - float(row["now"]))
                challenge = self._unseal(row["sealed"]) if row["sealed"] else None
            elif row["kind"] == UNTRUSTED:
                untrusted[row["subject"]] = (row["pseudonym"], row["raised_at"])
        return Alerts(paused_for=paused_for, challenge=challenge, untrusted=untrusted)

    async def rate_limited(self, seconds: float, challenge: str | None) -> None:
        dialect = self._engine.dialect.name
        values: dict[str, object] = {
            "pseudonym": "",
            "raised_at": datetime.now(UTC),
            "until": now_seconds(dialect) + seconds,
        }
        if challenge is not None:
            values["sealed"] = self._seal(challenge)
        upsert = insert_for(dialect, table).values(kind=RATE_LIMIT, subject="", **values)
        async with self._engine.begin() as connection:
            await connection.execute(upsert.on_conflict_do_update(index_elements=["kind", "subject"], set_=values))

    async def challenge_solved(self) -> None:
        await self._delete(RATE_LIMIT, "")

    async def untrusted(self, conversation: str, pseudonym: str) -> None:
        values = {"pseudonym": pseudonym, "raised_at": datetime.now(UTC)}
        upsert = insert_for(self._engine.dialect.name, table).values(kind=UNTRUSTED, subject=conversation, **values)
        async with self._engine.begin() as connection:
            await connection.execute(upsert.on_conflict_do_nothing(index_elements=["kind", "subject"]))

    async def trusted(self, conversation: str) -> None:
        await self._delete(UNTRUSTED, conversation)

    async def _delete(self, kind: str, subject: str) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(delete(table).where(table.c.kind == kind, table.c.subject == subject))

    def _seal(self, value: str) -> str:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(12)
        return base64.b64encode(nonce + AESGCM(self._key).encrypt(nonce, value.encode(), b"challenge")).decode()

    def _unseal(self, sealed: str) -> str | None:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        raw = base64.b64decode(sealed)
        try:
            return AESGCM(self._key).decrypt(raw[:12], raw[12:], b"challenge").decode()
        except (InvalidTag, ValueError):
            return None  # sealed under another secret key: the operator passes --token instead
