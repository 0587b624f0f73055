"""Per-user settings, keyed by the keyed hash of the user's transport id. A user row exists only once they set
something: a person who just asks questions leaves no row behind."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.storage.database import session_factory
from bot.storage.models import User, UserSetting


class Users:
    """Implements `bot.core.stores.UserStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._sessions = session_factory(engine)

    async def settings(self, user_key: str) -> dict[str, str]:
        query = select(UserSetting.name, UserSetting.value).join(User).where(User.key == user_key)
        async with self._sessions() as session:
            return {name: value for name, value in (await session.execute(query)).all()}

    async def set(self, user_key: str, name: str, value: str) -> None:
        async with self._sessions.begin() as session:
            user = await session.scalar(select(User).where(User.key == user_key))
            if user is None:
                user = User(key=user_key, created_at=datetime.now(UTC))
                session.add(user)
                await session.flush()
            setting = await session.scalar(
                select(UserSetting).where(UserSetting.user_id == user.id, UserSetting.name == name)
            )
            if setting is None:
                session.add(UserSetting(user_id=user.id, name=name, value=value))
            else:
                setting.value = value

    async def forget(self, user_key: str) -> bool:
        """Delete the user and their settings; True if there was anything to delete."""
        async with self._sessions.begin() as session:
            user_id = await session.scalar(select(User.id).where(User.key == user_key))
            if user_id is None:
                return False
            await session.execute(delete(UserSetting).where(UserSetting.user_id == user_id))
            await session.execute(delete(User).where(User.id == user_id))
        return True
