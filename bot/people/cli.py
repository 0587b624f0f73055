"""`confidant invite [--json] [--days N]` and `confidant users list [--json]` / `confidant users remove ID`.

They work on the same database as a running `confidant run`, which reads membership from it for every message:
an invitation or a removal takes effect at once, with no restart. Output goes to the operator's terminal, never
to the log. People are shown by the 10-character pseudonym of their keyed hash, never by number or id.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TextIO

from bot.app import open_database
from bot.config import Settings
from bot.core.doorkeeper import INVITATION_LIFETIME, create_invitation
from bot.core.stores import Member
from bot.keys import keyer_for
from bot.shared.pseudonym import Keyer
from bot.storage.invitations import Invitations
from bot.storage.users import Users

MAX_DAYS = 30


async def invite(settings: Settings, *, as_json: bool, days: int | None, out: TextIO) -> int:
    keyer = keyer_for(settings)
    engine = await open_database(settings)
    try:
        lifetime = timedelta(days=days) if days is not None else INVITATION_LIFETIME
        invitation = await create_invitation(Invitations(engine), keyer, now=datetime.now(UTC), lifetime=lifetime)
    finally:
        await engine.dispose()
    if as_json:
        out.write(json.dumps({"code": invitation.code, "expires_at": invitation.expires_at.isoformat()}) + "\n")
        return 0
    out.write(
        f"Invitation code: {invitation.code}\n"
        f"It works once, until {invitation.until}. Give it to one colleague, privately; they send the bot:\n"
        f"  join {invitation.code}\n"
        "Only a keyed hash of it is kept, so it cannot be shown again.\n"
    )
    return 0


def admins(settings: Settings, keyer: Keyer) -> list[Member]:
    """The admins CONFIDANT_ADMINS names, by the pseudonym of the id written there."""
    listed = []
    for admin in settings.admins:
        transport, _, ident = admin.partition(":")
        listed.append(Member(key=keyer.user_key(transport, ident), role="admin", transport=transport, since=None))
    return listed


async def _people(settings: Settings) -> tuple[Keyer, list[Member], int]:
    keyer = keyer_for(settings)
    engine = await open_database(settings)
    try:
        members = await Users(engine).members()
        waiting = await Invitations(engine).pending(datetime.now(UTC))
    finally:
        await engine.dispose()
    return keyer, [*admins(settings, keyer), *members], waiting


async def list_users(settings: Settings, *, as_json: bool, out: TextIO) -> int:
    keyer, people, waiting = await _people(settings)
    rows = [
        {
            "id": keyer.short(person.key),
            "role": person.role,
            "transport": person.transport,
            "since": person.since.isoformat() if person.since is not None else None,
        }
        for person in people
    ]
    if as_json:
        out.write(json.dumps(rows) + "\n")
        return 0
    out.write(f"{'ID':<12}{'ROLE':<7}{'TRANSPORT':<11}SINCE\n")
    for row in rows:
        since = str(row["since"])[:10] if row["since"] else "(CONFIDANT_ADMINS)"
        out.write(f"{row['id']:<12}{row['role']:<7}{row['transport']:<11}{since}\n")
    out.write(f"{waiting} invitation(s) not used yet.\n")
    return 0


async def remove_user(settings: Settings, pseudonym: str, *, out: TextIO, err: TextIO) -> int:
    keyer, people, _ = await _people(settings)
    found = [person for person in people if keyer.short(person.key) == pseudonym.strip().lower()]
    if not found:
        err.write(f"{pseudonym}: no such user (see `confidant users list`)\n")
        return 1
    person = found[0]
    if person.role == "admin":
        err.write(f"{pseudonym} is an admin from CONFIDANT_ADMINS: take them out there and restart.\n")
        return 1
    engine = await open_database(settings)
    try:
        await Users(engine).forget(person.key)
    finally:
        await engine.dispose()
    out.write(f"Removed {pseudonym}: their membership and settings are deleted. A new invitation brings them back.\n")
    return 0
