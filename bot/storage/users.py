"""People by the keyed hash of their transport id: settings, and the role of those who joined with an invitation.
A row exists only for someone who set something or joined: a person who just asks questions leaves none."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.stores import Member
from bot.storage.database import as_utc, scrub, session_factory
from bot.storage.models import ConversationState, Stranger, User, UserSetting


def _member(user: User) -> Member | None:
    if user.role is None:
        return None
    return Member(
        key=user.key,
        role=user.role,
        transport=user.transport or "?",
        since=as_utc(user.joined_at) if user.joined_at is not None else None,
    )


class Users:
    """Implements `bot.core.stores.UserStore`."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
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
        """Delete every row about this person: settings, membership, what their conversation was about, and what
        was noted about them as a stranger. True if there was anything to delete. The SQLite files are scrubbed,
        so the rows do not linger on disk."""
        async with self._sessions.begin() as session:
            user_id = await session.scalar(select(User.id).where(User.key == user_key))
            stranger = await session.execute(delete(Stranger).where(Stranger.key == user_key))
            await session.execute(delete(ConversationState).where(ConversationState.user_key == user_key))
            if user_id is not None:
                await session.execute(delete(UserSetting).where(UserSetting.user_id == user_id))
                await session.execute(delete(User).where(User.id == user_id))
        await scrub(self._engine)
        return user_id is not None or bool(getattr(stranger, "rowcount", 0))

    async def role(self, user_keys: Sequence[str]) -> str | None:
        query = select(User.role).where(User.key.in_(list(user_keys)), User.role.is_not(None)).limit(1)
        async with self._sessions() as session:
            role: str | None = await session.scalar(query)
            return role

    async def join(self, user_key: str, transport: str, now: datetime) -> None:
        """Make this person a user (keeping any settings they set before), and forget them as a stranger."""
        async with self._sessions.begin() as session:
            user = await session.scalar(select(User).where(User.key == user_key))
            if user is None:
                session.add(User(key=user_key, created_at=now, role="user", transport=transport, joined_at=now))
            else:
                user.role, user.transport, user.joined_at = "user", transport, now
            await session.execute(delete(Stranger).where(Stranger.key == user_key))

    async def member(self, user_key: str) -> Member | None:
        async with self._sessions() as session:
            user = await session.scalar(select(User).where(User.key == user_key))
        return None if user is None else _member(user)

    async def members(self) -> list[Member]:
        """Everyone with a stored role, earliest first."""
        query = select(User).where(User.role.is_not(None)).order_by(User.joined_at, User.id)
        async with self._sessions() as session:
            users = (await session.scalars(query)).all()
        return [member for user in users if (member := _member(user)) is not None]
