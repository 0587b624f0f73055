"""Per-user settings, keyed by the keyed hash of the user's transport id. A user row exists only once they set
something: a person who just asks questions leaves no row behind.

Settings are read for every message, so they are kept in memory: written through on `set` and `forget`, and
dropped whenever the change counter (`settings_version`, bumped in the same transaction as every change, by
any instance or `confidant users remove`) moved. The counter is read at most every `check_every` seconds,
so another process's change holds here within that time; this process's own changes hold at once.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.storage.dialect import insert_for
from bot.storage.models import SettingsVersion, User, UserSetting

users = cast(Table, User.__table__)
user_settings = cast(Table, UserSetting.__table__)
versions = cast(Table, SettingsVersion.__table__)

# Seconds another process's change may take to be seen here (a forget, `confidant users remove`).
CHECK_EVERY = 0.5
# People whose settings are kept in memory; beyond it the cache starts afresh.
MAX_CACHED = 20_000


class Users:
    """Implements `bot.core.stores.UserStore`."""

    def __init__(
        self, engine: AsyncEngine, *, check_every: float = CHECK_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._engine = engine
        self._check_every = check_every
        self._clock = clock
        self._cache: dict[str, dict[str, str]] = {}
        self._version: int | None = None
        self._checked_at = float("-inf")
        # Changes made here: a read that overlapped one may have seen the old settings, so it is not kept.
        self._writes = 0
        # The cache holds everyone who has a setting (loaded whole at the last check), so a miss means none.
        self._complete = False

    async def settings(self, user_key: str) -> dict[str, str]:
        if self._clock() - self._checked_at >= self._check_every:
            async with self._engine.connect() as connection:
                await self._check(connection)
        cached = self._cache.get(user_key)
        if cached is not None:
            return dict(cached)
        if self._complete:
            return {}  # everyone with a setting is in memory: this person has none
        query = select(user_settings.c.name, user_settings.c.value).join(users).where(users.c.key == user_key)
        writes = self._writes
        async with self._engine.connect() as connection:
            found = {name: value for name, value in (await connection.execute(query)).all()}
        if writes == self._writes:
            self._keep(user_key, found)
        return dict(found)

    async def _check(self, connection: AsyncConnection) -> None:
        """Read the change counter; when it moved, load everyone's settings at once (only people who set
        something have any, so the table is small), so that no message needs a read of its own."""
        version = int(await connection.scalar(select(versions.c.version).where(versions.c.id == 1)) or 0)
        self._checked_at = self._clock()
        if version == self._version:
            return
        writes = self._writes
        self._cache.clear()
        self._complete = False
        self._version = version
        query = select(users.c.key, user_settings.c.name, user_settings.c.value).join(users).limit(MAX_CACHED + 1)
        rows = (await connection.execute(query)).all()
        if len(rows) > MAX_CACHED or writes != self._writes or version != self._version:
            return  # too many to keep, or changed meanwhile: read person by person until the next check
        snapshot: dict[str, dict[str, str]] = {}
        for key, name, value in rows:
            snapshot.setdefault(key, {})[name] = value
        self._cache = snapshot
        self._complete = True

    def _keep(self, user_key: str, settings: dict[str, str]) -> None:
        if len(self._cache) >= MAX_CACHED:
            self._cache.clear()
            self._complete = False
        self._cache[user_key] = settings

    async def _bump(self, connection: AsyncConnection) -> None:
        """Count a change, in the caller's transaction; forget the cache if another process changed something
        since the counter was last read here."""
        upsert = insert_for(connection.dialect.name, versions).values(id=1, version=1)
        upsert = upsert.on_conflict_do_update(
            index_elements=["id"], set_={"version": versions.c.version + 1}
        ).returning(versions.c.version)
        version = int((await connection.execute(upsert)).scalar_one())
        if self._version is None or version != self._version + 1:
            self._cache.clear()  # another process changed something too: read again at the next check
            self._complete = False
            self._checked_at = float("-inf")
            self._version = None  # reload everything at that check
        else:
            self._version = version

    async def set(self, user_key: str, name: str, value: str) -> None:
        async with self._engine.begin() as connection:
            user_id = await connection.scalar(select(users.c.id).where(users.c.key == user_key))
            if user_id is None:
                user_id = (
                    await connection.execute(
                        insert(users).values(key=user_key, created_at=datetime.now(UTC)).returning(users.c.id)
                    )
                ).scalar_one()
            changed = await connection.execute(
                update(user_settings)
                .where(user_settings.c.user_id == user_id, user_settings.c.name == name)
                .values(value=value)
            )
            if not changed.rowcount:
                await connection.execute(insert(user_settings).values(user_id=user_id, name=name, value=value))
            await self._bump(connection)
            settings = {
                n: v
                for n, v in (
                    await connection.execute(
                        select(user_settings.c.name, user_settings.c.value).where(user_settings.c.user_id == user_id)
                    )
                ).all()
            }
        self._writes += 1
        self._keep(user_key, settings)

    async def forget(self, user_key: str) -> bool:
        """Delete the user and their settings; True if there was anything to delete."""
        async with self._engine.begin() as connection:
            user_id = await connection.scalar(select(users.c.id).where(users.c.key == user_key))
            if user_id is not None:
                await connection.execute(delete(user_settings).where(user_settings.c.user_id == user_id))
                await connection.execute(delete(users).where(users.c.id == user_id))
                await self._bump(connection)
        self._writes += 1
        self._keep(user_key, {})
        return user_id is not None
