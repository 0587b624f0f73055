"""Conversation leases: with several instances on one database, one of them at a time answers a conversation.

A lease names its holder (a random id per process) and runs out `seconds` after it was last renewed, on the
database's clock. Taking one is a single upsert that succeeds only where there is no lease, or the lease ran
out, or it is the taker's already; the database's row lock on the lease makes two takers wait for each other,
so exactly one wins. A killed instance stops renewing, and its conversations pass to another instance when
their leases run out.

These functions work inside a transaction the caller opened, so that taking a lease and the inbox rows it
covers are committed together.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import cast

from sqlalchemy import Table, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.storage.dialect import insert_for, now_seconds
from bot.storage.models import InboxLease

leases = cast(Table, InboxLease.__table__)


async def take(connection: AsyncConnection, holder: str, conversations: Iterable[str], seconds: float) -> set[str]:
    """Take or renew the leases of `conversations` that are free, ran out or are ours; returns those we hold."""
    wanted = sorted(set(conversations))  # one order for every taker, so two never wait on each other in a ring
    if not wanted:
        return set()
    dialect = connection.dialect.name
    now = now_seconds(dialect)
    upsert = insert_for(dialect, leases).values(
        [{"conversation": conversation, "holder": holder, "expires_at": now + seconds} for conversation in wanted]
    )
    upsert = upsert.on_conflict_do_update(
        index_elements=["conversation"],
        set_={"holder": upsert.excluded.holder, "expires_at": upsert.excluded.expires_at},
        where=or_(leases.c.expires_at < now, leases.c.holder == holder),
    ).returning(leases.c.conversation)
    return set((await connection.execute(upsert)).scalars())


async def renew(connection: AsyncConnection, holder: str, seconds: float) -> None:
    now = now_seconds(connection.dialect.name)
    await connection.execute(update(leases).where(leases.c.holder == holder).values(expires_at=now + seconds))


async def give_up(connection: AsyncConnection, holder: str, conversation: str | None = None) -> None:
    """Give up one conversation, or (None) every one `holder` holds."""
    query = delete(leases).where(leases.c.holder == holder)
    if conversation is not None:
        query = query.where(leases.c.conversation == conversation)
    await connection.execute(query)


async def give_up_many(connection: AsyncConnection, holder: str, conversations: Collection[str]) -> None:
    """Give up several conversations `holder` holds, in one statement."""
    await connection.execute(
        delete(leases).where(leases.c.holder == holder, leases.c.conversation.in_(list(conversations)))
    )


async def unheld(connection: AsyncConnection, inbox: Table, transports: Collection[str] | None) -> list[str]:
    """Conversations with inbox rows and no live lease: new ones nobody took, and those of a killed instance."""
    now = now_seconds(connection.dialect.name)
    query = (
        select(inbox.c.conversation)
        .distinct()
        .select_from(inbox.outerjoin(leases, leases.c.conversation == inbox.c.conversation))
        .where(or_(leases.c.conversation.is_(None), leases.c.expires_at < now))
    )
    if transports is not None:
        query = query.where(inbox.c.transport.in_(list(transports)))
    return list((await connection.execute(query)).scalars())


async def clear(connection: AsyncConnection) -> None:
    """Forget every lease: for a database only one instance can use (SQLite, under the instance lock)."""
    await connection.execute(delete(leases))
