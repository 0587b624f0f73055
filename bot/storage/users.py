"""People by the keyed hash of their transport id: settings, and the role of those who joined with an invitation.
A row exists only for someone who set something or joined: a person who just asks questions leaves none.

Settings and roles are read for every message, so they are kept in memory: written through on `set`, `join` and
`forget`, and reloaded whenever the change counter (`settings_version`, bumped in the same transaction as every
change, by any instance or `confidant users remove`) moved. The counter is read at most every `check_every`
seconds, so another process's change holds here within that time; this process's own changes hold at once.
Only people with a row are kept (those who set something or joined), so the whole table fits: a miss means
"no settings, no stored role", with no read of its own.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.core.stores import Member
from bot.storage.database import as_utc, scrub
from bot.storage.dialect import insert_for
from bot.storage.models import ConversationState, SettingsVersion, Stranger, User, UserSetting

users = cast(Table, User.__table__)
user_settings = cast(Table, UserSetting.__table__)
versions = cast(Table, SettingsVersion.__table__)
strangers = cast(Table, Stranger.__table__)
conversations = cast(Table, ConversationState.__table__)

# Seconds another process's change may take to be seen here (a forget, `confidant users remove`, a join).
CHECK_EVERY = 0.5
# People kept in memory; with more rows than this, each person is read on their own until the next change.
MAX_CACHED = 20_000


@dataclass(slots=True)
class _Person:
    role: str | None = None
    settings: dict[str, str] = field(default_factory=dict)


def _member(row: Any) -> Member | None:
    if row.role is None:
        return None
    return Member(
        key=row.key,
        role=row.role,
        transport=row.transport or "?",
        since=as_utc(row.joined_at) if row.joined_at is not None else None,
    )


class Users:
    """Implements `bot.core.stores.UserStore`."""

    def __init__(
        self, engine: AsyncEngine, *, check_every: float = CHECK_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._check_every = check_every
        self._clock = clock
        self._people: dict[str, _Person] = {}
        # True when `_people` holds everyone with a row (loaded whole at the last check): a miss means nobody.
        self._complete = False
        self._version: int | None = None
        self._checked_at = float("-inf")
        # Changes made here: a read that overlapped one may have seen the old rows, so it is not kept.
        self._writes = 0

    async def settings(self, user_key: str) -> dict[str, str]:
        person = await self._person(user_key)
        return dict(person.settings)

    async def role(self, user_keys: Sequence[str]) -> str | None:
        for user_key in user_keys:
            person = await self._person(user_key)
            if person.role is not None:
                return person.role
        return None

    async def _person(self, user_key: str) -> _Person:
        if self._clock() - self._checked_at >= self._check_every:
            # One check at a time: the messages that arrive meanwhile use what is in memory (or read the
            # database themselves while it is being reloaded), instead of each starting a check of its own.
            self._checked_at = self._clock()
            try:
                async with self._engine.connect() as connection:
                    await self._check(connection)
            except BaseException:
                self._checked_at = float("-inf")
                raise
        cached = self._people.get(user_key)
        if cached is not None:
            return cached
        if self._complete:
            return _Person()
        writes = self._writes
        async with self._engine.connect() as connection:
            person = await self._read(connection, user_key)
        if writes == self._writes:
            self._keep(user_key, person)
        return person

    @staticmethod
    async def _read(connection: AsyncConnection, user_key: str) -> _Person:
        query = (
            select(users.c.role, user_settings.c.name, user_settings.c.value)
            .select_from(users.outerjoin(user_settings))
            .where(users.c.key == user_key)
        )
        person = _Person()
        for role, name, value in (await connection.execute(query)).all():
            person.role = role
            if name is not None:
                person.settings[name] = value
        return person

    async def _check(self, connection: AsyncConnection) -> None:
        """Read the change counter; when it moved, load everyone with a row at once (only people who set
        something or joined have one, so the table is small), so that no message needs a read of its own."""
        version = int(await connection.scalar(select(versions.c.version).where(versions.c.id == 1)) or 0)
        if version == self._version:
            return
        writes = self._writes
        self._people, self._complete, self._version = {}, False, version
        query = (
            select(users.c.key, users.c.role, user_settings.c.name, user_settings.c.value)
            .select_from(users.outerjoin(user_settings))
            .limit(MAX_CACHED + 1)
        )
        rows = (await connection.execute(query)).all()
        if len(rows) > MAX_CACHED or writes != self._writes or version != self._version:
            return  # too many to keep, or changed meanwhile: read person by person until the next check
        people: dict[str, _Person] = {}
        for key, role, name, value in rows:
            person = people.setdefault(key, _Person(role=role))
            if name is not None:
                person.settings[name] = value
        self._people, self._complete = people, True

    def _keep(self, user_key: str, person: _Person) -> None:
        if len(self._people) >= MAX_CACHED:
            self._people.clear()
            self._complete = False
        self._people[user_key] = person

    async def _bump(self, connection: AsyncConnection) -> None:
        """Count a change, in the caller's transaction; when another process changed something too since the
        counter was last read here, drop what is in memory and reload it at the next read."""
        upsert = insert_for(connection.dialect.name, versions).values(id=1, version=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=["id"], set_={"version": versions.c.version + 1}
        ).returning(versions.c.version)
        version = int((await connection.execute(upsert)).scalar_one())
        if self._version is None or version != self._version + 1:
            self._people, self._complete = {}, False
            self._checked_at = float("-inf")
            self._version = None
        else:
            self._version = version

    async def _changed(self, user_key: str, connection: AsyncConnection) -> _Person:
        """Bump the counter and read this person back, in the change's transaction; `_remember` it once that
        transaction committed (a change that failed to commit must not be kept)."""
        await self._bump(connection)
        return await self._read(connection, user_key)

    def _remember(self, user_key: str, person: _Person) -> None:
        self._writes += 1
        if self._version is not None:
            self._keep(user_key, person)

    @staticmethod
    async def _user_id(connection: AsyncConnection, user_key: str) -> int | None:
        found = await connection.scalar(select(users.c.id).where(users.c.key == user_key))
        return None if found is None else int(found)

    async def set(self, user_key: str, name: str, value: str) -> None:
        async with self._engine.begin() as connection:
            user_id = await self._user_id(connection, user_key)
            if user_id is None:
                created = insert(users).values(key=user_key, created_at=datetime.now(UTC)).returning(users.c.id)
                user_id = int((await connection.execute(created)).scalar_one())
            changed = await connection.execute(
                update(user_settings)
                .where(user_settings.c.user_id == user_id, user_settings.c.name == name)
                .values(value=value)
            )
            if not changed.rowcount:
                await connection.execute(insert(user_settings).values(user_id=user_id, name=name, value=value))
            person = await self._changed(user_key, connection)
        self._remember(user_key, person)

    async def forget(self, user_key: str) -> bool:
        """Delete every row about this person: settings, membership, what their conversation was about, and what
        was noted about them as a stranger. True if there was anything to delete. The SQLite files are scrubbed,
        so the rows do not linger on disk."""
        async with self._engine.begin() as connection:
            user_id = await self._user_id(connection, user_key)
            stranger = await connection.execute(delete(strangers).where(strangers.c.key == user_key))
            await connection.execute(delete(conversations).where(conversations.c.user_key == user_key))
            if user_id is not None:
                await connection.execute(delete(user_settings).where(user_settings.c.user_id == user_id))
                await connection.execute(delete(users).where(users.c.id == user_id))
                await self._bump(connection)  # nothing of theirs is left to read back
        if user_id is not None:
            self._remember(user_key, _Person())
        await scrub(self._engine)
        return user_id is not None or bool(stranger.rowcount)

    async def join(self, user_key: str, transport: str, now: datetime) -> None:
        """Make this person a user (keeping any settings they set before), and forget them as a stranger."""
        async with self._engine.begin() as connection:
            user_id = await self._user_id(connection, user_key)
            joined = {"role": "user", "transport": transport, "joined_at": now}
            if user_id is None:
                await connection.execute(insert(users).values(key=user_key, created_at=now, **joined))
            else:
                await connection.execute(update(users).where(users.c.id == user_id).values(**joined))
            await connection.execute(delete(strangers).where(strangers.c.key == user_key))
            person = await self._changed(user_key, connection)
        self._remember(user_key, person)

    async def member(self, user_key: str) -> Member | None:
        async with self._engine.connect() as connection:
            row = (await connection.execute(select(users).where(users.c.key == user_key))).first()
        return None if row is None else _member(row)

    async def members(self) -> list[Member]:
        """Everyone with a stored role, earliest first."""
        query = select(users).where(users.c.role.is_not(None)).order_by(users.c.joined_at, users.c.id)
        async with self._engine.connect() as connection:
            rows = (await connection.execute(query)).all()
        return [member for row in rows if (member := _member(row)) is not None]
