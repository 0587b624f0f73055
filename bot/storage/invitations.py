"""One-time invitations, stored only as the keyed hash of their code (the code itself is shown once, to the
admin who asked for it): a leaked database holds nothing anyone could join with."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import scrub
from bot.storage.models import Invitation


class Invitations:
    """Implements `bot.core.stores.InvitationStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    async def create(self, code_key: str, *, now: datetime, expires_at: datetime) -> None:
        async with self._engine.begin() as connection:
            await connection.execute(insert(Invitation).values(key=code_key, created_at=now, expires_at=expires_at))

    async def redeem(self, code_key: str, now: datetime) -> bool:
        """Deleting the row is what uses it up: one DELETE, so two people racing with one code cannot both win."""
        query = delete(Invitation).where(Invitation.key == code_key, Invitation.expires_at > now)
        async with self._engine.begin() as connection:
            used = (await connection.execute(query)).rowcount == 1
        await scrub(self._engine)
        return used

    async def purge(self, now: datetime) -> int:
        async with self._engine.begin() as connection:
            result = await connection.execute(delete(Invitation).where(Invitation.expires_at <= now))
        return int(result.rowcount or 0)

    async def pending(self, now: datetime) -> int:
        """How many invitations can still be used (for `confidant users list`)."""
        async with self._engine.connect() as connection:
            query = select(func.count()).select_from(Invitation).where(Invitation.expires_at > now)
            return int(await connection.scalar(query) or 0)
