"""What is remembered about people who may not use this Confidant, by the same keyed hash as `users.key`: when
they were last refused and how many wrong invitation codes they sent. Kept in the database so that a restart
neither repeats the refusal nor resets the count; purged once the windows that need it have passed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, delete, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.stores import StrangerState
from bot.storage.database import as_utc, session_factory
from bot.storage.models import Stranger


class Strangers:
    """Implements `bot.core.stores.StrangerStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)

    async def state(self, user_key: str) -> StrangerState:
        async with self._sessions() as session:
            row = await session.scalar(select(Stranger).where(Stranger.key == user_key))
        if row is None:
            return StrangerState()
        return StrangerState(
            refused_at=as_utc(row.refused_at) if row.refused_at is not None else None,
            codes_since=as_utc(row.codes_since) if row.codes_since is not None else None,
            wrong_codes=row.wrong_codes,
        )

    async def save(self, user_key: str, state: StrangerState) -> None:
        async with self._sessions.begin() as session:
            row = await session.scalar(select(Stranger).where(Stranger.key == user_key))
            if row is None:
                row = Stranger(key=user_key)
                session.add(row)
            row.refused_at, row.codes_since, row.wrong_codes = state.refused_at, state.codes_since, state.wrong_codes

    async def purge(self, refused_before: datetime, codes_before: datetime) -> int:
        """Forget strangers whose refusal and whose code attempts are both older than their windows."""
        old_refusal = or_(Stranger.refused_at.is_(None), Stranger.refused_at < refused_before)
        old_codes = or_(Stranger.codes_since.is_(None), Stranger.codes_since < codes_before)
        async with self._sessions.begin() as session:
            result = await session.execute(delete(Stranger).where(and_(old_refusal, old_codes)))
        return int(getattr(result, "rowcount", 0) or 0)
