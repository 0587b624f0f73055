"""Invitations, membership and strangers in the database, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.core.stores import StrangerState
from bot.shared.pseudonym import Keyer
from bot.storage.invitations import Invitations
from bot.storage.migrate import migrations_dir, upgrade
from bot.storage.models import Invitation, Stranger, User, UserSetting
from bot.storage.strangers import Strangers
from bot.storage.users import Users

KEYER = Keyer(b"k" * 32)
NOW = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
ANNA = KEYER.user_key("signal", "6f1c8e2a-3b7d-4a55-9c0e-1d2f3a4b5c6d")
ANNA_BY_NUMBER = KEYER.user_key("signal", "+447700900123")


async def test_an_invitation_works_once_and_only_until_it_expires(engine: AsyncEngine) -> None:
    invitations = Invitations(engine)
    await invitations.create(KEYER.invitation("CODE1"), now=NOW, expires_at=NOW + timedelta(days=7))
    await invitations.create(KEYER.invitation("CODE2"), now=NOW, expires_at=NOW + timedelta(days=7))
    assert await invitations.pending(NOW) == 2
    assert await invitations.redeem(KEYER.invitation("CODE1"), NOW + timedelta(days=1))
    assert not await invitations.redeem(KEYER.invitation("CODE1"), NOW + timedelta(days=1))  # used up
    assert not await invitations.redeem(KEYER.invitation("NOSUCH"), NOW)
    assert not await invitations.redeem(KEYER.invitation("CODE2"), NOW + timedelta(days=7))  # expired
    assert await invitations.purge(NOW + timedelta(days=7)) == 1
    assert await invitations.pending(NOW) == 0


async def test_two_people_racing_with_one_code_cannot_both_join(engine: AsyncEngine) -> None:
    invitations = Invitations(engine)
    await invitations.create(KEYER.invitation("RACE"), now=NOW, expires_at=NOW + timedelta(days=1))
    results = await asyncio.gather(*(invitations.redeem(KEYER.invitation("RACE"), NOW) for _ in range(5)))
    assert sorted(results) == [False, False, False, False, True]


async def test_only_the_keyed_hash_of_a_code_is_stored(engine: AsyncEngine) -> None:
    await Invitations(engine).create(KEYER.invitation("7K3MQ9XD2HPRA4VB"), now=NOW, expires_at=NOW)
    async with engine.connect() as connection:
        [row] = (await connection.execute(select(Invitation.__table__))).all()
    assert "7K3M" not in repr(row)
    assert row.key == KEYER.invitation("7K3MQ9XD2HPRA4VB")


async def test_joining_makes_a_user_whatever_id_they_write_from(engine: AsyncEngine) -> None:
    users = Users(engine)
    assert await users.role([ANNA, ANNA_BY_NUMBER]) is None
    await users.set(ANNA, "region", "uk")  # settings from before they joined are kept
    await users.join(ANNA, "signal", NOW)
    assert await users.role([ANNA_BY_NUMBER, ANNA]) == "user"
    assert await users.settings(ANNA) == {"region": "uk"}
    member = await users.member(ANNA)
    assert member is not None and (member.role, member.transport, member.since) == ("user", "signal", NOW)
    await users.set(KEYER.user_key("console", "local"), "region", "eu")  # a settings-only row: no role
    assert [m.key for m in await users.members()] == [ANNA]
    assert await users.member(KEYER.user_key("console", "local")) is None


async def test_forget_leaves_no_row_about_the_person(engine: AsyncEngine) -> None:
    users, strangers = Users(engine), Strangers(engine)
    await strangers.save(ANNA, StrangerState(refused_at=NOW, codes_since=NOW, wrong_codes=2))
    await users.join(ANNA, "signal", NOW)
    assert await strangers.state(ANNA) == StrangerState()  # joining forgets them as a stranger
    await users.set(ANNA, "name", "Dr Lee")
    await strangers.save(ANNA, StrangerState(refused_at=NOW))  # e.g. written by an older process
    assert await users.forget(ANNA)
    async with engine.connect() as connection:
        for model in (User, UserSetting, Stranger):
            assert await connection.scalar(select(model.__table__).limit(1)) is None, model.__tablename__
    assert not await users.forget(ANNA)


async def test_a_stranger_is_remembered_with_times_in_utc(engine: AsyncEngine) -> None:
    strangers = Strangers(engine)
    assert await strangers.state(ANNA) == StrangerState()
    saved = StrangerState(refused_at=NOW, codes_since=NOW - timedelta(minutes=5), wrong_codes=3)
    await strangers.save(ANNA, saved)
    assert await strangers.state(ANNA) == saved
    await strangers.save(ANNA, StrangerState(refused_at=NOW, wrong_codes=0))
    assert (await strangers.state(ANNA)).wrong_codes == 0


async def test_strangers_are_purged_once_both_windows_have_passed(engine: AsyncEngine) -> None:
    strangers = Strangers(engine)
    day, hour = timedelta(days=1), timedelta(hours=1)
    await strangers.save("refused-long-ago", StrangerState(refused_at=NOW - 2 * day))
    await strangers.save("refused-today", StrangerState(refused_at=NOW - hour))
    await strangers.save("guessing-now", StrangerState(refused_at=NOW - 2 * day, codes_since=NOW, wrong_codes=5))
    assert await strangers.purge(NOW - day, NOW - hour) == 1
    assert (await strangers.state("refused-today")).refused_at is not None
    assert (await strangers.state("guessing-now")).wrong_codes == 5


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


def _downgrade(connection: Connection) -> None:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    config.attributes["connection"] = connection
    command.downgrade(config, "0002")


async def test_the_people_revision_downgrades_and_upgrades_again(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.run_sync(_downgrade)
        assert not {"invitations", "strangers"} & await connection.run_sync(_tables)
    await upgrade(engine)
    async with engine.connect() as connection:
        assert {"invitations", "strangers"} <= await connection.run_sync(_tables)


async def test_the_app_tidies_expired_invitations_and_old_strangers_hourly(tmp_path: Path) -> None:
    from bot.app import open_app
    from bot.config import load_settings

    app = await open_app(load_settings({"CONFIDANT_DATA_DIR": str(tmp_path)}))
    try:
        await app.invitations.create(KEYER.invitation("OLD"), now=NOW, expires_at=NOW + timedelta(days=7))
        await app.invitations.create(KEYER.invitation("NEW"), now=NOW, expires_at=NOW + timedelta(days=9))
        await app.strangers.save("told", StrangerState(refused_at=NOW))
        assert await app.tidy(NOW + timedelta(days=1)) == 0  # still within its day
        assert await app.tidy(NOW + timedelta(days=8)) == 2  # the old invitation and the stranger
        assert await app.invitations.pending(NOW + timedelta(days=8)) == 1
    finally:
        await app.close()
