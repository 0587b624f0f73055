"""`confidant invite` and `confidant users list|remove`, run as the operator runs them (a subprocess), against
the database a running Confidant would use."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from bot.app import assistant_for
from bot.config import load_settings
from bot.keys import keyer_for
from bot.shared.answer import Intent
from bot.shared.incoming import Incoming
from bot.storage.database import create_engine
from bot.storage.invitations import Invitations
from bot.storage.models import Invitation
from bot.storage.strangers import Strangers
from bot.storage.users import Users
from tests.fakes.databases import once
from tests.test_cli import confidant

ADMIN = "signal:+447700900001"
CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


def env(tmp_path: Path) -> dict[str, str]:
    return {"CONFIDANT_DATA_DIR": str(tmp_path / "data"), "CONFIDANT_ADMINS": ADMIN}


async def join(tmp_path: Path, sender: str, code: str) -> Intent | None:
    """What a running Confidant (same data folder, same database) answers `join CODE` from `sender`."""
    settings = load_settings({"CONFIDANT_DATA_DIR": str(tmp_path / "data"), "CONFIDANT_ADMINS": ADMIN})
    engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'confidant.db'}")
    try:
        assistant = assistant_for(
            settings,
            keyer=keyer_for(settings),
            users=Users(engine),
            invitations=Invitations(engine),
            strangers=Strangers(engine),
        )
        message = Incoming(transport="signal", sender=sender, chat=sender, text=f"join {code}", message_key="k")
        answer = await assistant.respond(message)
    finally:
        await engine.dispose()
    return answer.intent if answer is not None else None


@once  # the CLI subprocess keeps its own SQLite database
def test_invite_prints_a_code_that_works_once(tmp_path: Path) -> None:
    result = confidant("invite", env=env(tmp_path))
    assert result.returncode == 0, result.stderr
    [code] = set(CODE.findall(result.stdout))
    assert f"join {code}" in result.stdout and "cannot be shown again" in result.stdout
    assert asyncio.run(join(tmp_path, "+447700900002", code)) is Intent.JOIN
    assert asyncio.run(join(tmp_path, "+447700900003", code)) is Intent.REFUSED


def test_invite_json_and_its_expiry(tmp_path: Path) -> None:
    before = datetime.now(UTC)
    result = confidant("invite", "--json", "--days", "2", env=env(tmp_path))
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stdout)
    assert set(record) == {"code", "expires_at"} and CODE.fullmatch(record["code"])
    expires = datetime.fromisoformat(record["expires_at"])
    assert before + timedelta(days=2) <= expires <= datetime.now(UTC) + timedelta(days=2)
    default = json.loads(confidant("invite", "--json", env=env(tmp_path)).stdout)
    assert datetime.fromisoformat(default["expires_at"]) - expires > timedelta(days=4, hours=23)
    refused = confidant("invite", "--days", "90", env=env(tmp_path))
    assert refused.returncode == 2 and "1 to 30 days" in refused.stderr


def test_the_database_keeps_only_a_keyed_hash_of_the_code(tmp_path: Path) -> None:
    code = json.loads(confidant("invite", "--json", env=env(tmp_path)).stdout)["code"]
    content = b"".join(path.read_bytes() for path in (tmp_path / "data").glob("confidant.db*"))
    for form in (code, code.replace("-", "")):
        assert form.encode() not in content

    async def stored() -> list[str]:
        engine = create_engine(f"sqlite:///{tmp_path / 'data' / 'confidant.db'}")
        async with engine.connect() as connection:
            keys = list((await connection.execute(select(Invitation.key))).scalars())
        await engine.dispose()
        return keys

    assert len(asyncio.run(stored())) == 1


@once  # the CLI subprocess keeps its own SQLite database
def test_users_list_and_remove(tmp_path: Path) -> None:
    code = json.loads(confidant("invite", "--json", env=env(tmp_path)).stdout)["code"]
    assert asyncio.run(join(tmp_path, "+447700900002", code)) is Intent.JOIN
    listed = confidant("users", "list", "--json", env=env(tmp_path))
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert [(row["role"], row["transport"]) for row in rows] == [("admin", "signal"), ("user", "signal")]
    admin, user = rows
    assert admin["since"] is None and datetime.fromisoformat(user["since"]) <= datetime.now(UTC)
    assert all(re.fullmatch(r"[0-9a-f]{10}", row["id"]) for row in rows)
    assert "+44770090000" not in listed.stdout

    text = confidant("users", "list", env=env(tmp_path)).stdout
    assert user["id"] in text and "(CONFIDANT_ADMINS)" in text and "0 invitation(s) not used yet" in text

    refused = confidant("users", "remove", admin["id"], env=env(tmp_path))
    assert refused.returncode == 1 and "CONFIDANT_ADMINS" in refused.stderr
    unknown = confidant("users", "remove", "0000000000", env=env(tmp_path))
    assert unknown.returncode == 1 and "no such user" in unknown.stderr
    removed = confidant("users", "remove", user["id"], env=env(tmp_path))
    assert removed.returncode == 0, removed.stderr
    assert [row["role"] for row in json.loads(confidant("users", "list", "--json", env=env(tmp_path)).stdout)] == [
        "admin"
    ]
    # Removed without a restart: the running Confidant now refuses them.
    assert asyncio.run(join(tmp_path, "+447700900002", "0000-0000-0000-0000")) is Intent.REFUSED
