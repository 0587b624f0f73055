"""`confidant room [--json]`: a fresh room in the terminal, as text or as the JSON object the README documents."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import TextIO
from zoneinfo import ZoneInfo

from bot.config import ConfigError, Settings
from bot.render.plain import render_plain
from bot.rooms.service import Clock, RoomService
from bot.rooms.when import Unclear, parse_start

# The terminal has no per-user identity; the token only needs an opaque id, never a name or number.
CLI_USER_REF = "confidant-cli"

EXIT_OK = 0
EXIT_UNCLEAR = 1
EXIT_CONFIG = 2


def run_room_command(
    settings: Settings,
    *,
    as_json: bool,
    when: str | None,
    out: TextIO,
    err: TextIO | None = None,
    display_name: str | None = None,
    clock: Clock | None = None,
) -> int:
    """Print a new room to `out`; problems go to `err` (stderr) as one line each, with a non-zero exit."""
    err = err if err is not None else sys.stderr
    try:
        service = RoomService.from_settings(settings, clock=clock)
    except ConfigError as error:
        for line in error.lines:
            print(line, file=err)
        return EXIT_CONFIG
    tz = ZoneInfo(settings.timezone)

    if not as_json:
        answer = service.answer(
            f"room {when or ''}", timezone=tz, display_name=display_name, user_ref=CLI_USER_REF
        )
        print(render_plain(answer), file=out)
        if answer.links:
            # The terminal has room for the whole checklist; a phone gets it on request.
            print(f"\n---\n\n{render_plain(service.checklist())}", file=out)
        # A question instead of a room is not success, for scripts that check.
        return EXIT_OK if answer.links else EXIT_UNCLEAR

    start = None
    if when:
        parsed = parse_start(when, now=(clock or _now)(), tz=tz)
        if isinstance(parsed, Unclear):
            print(parsed.question, file=err)
            return EXIT_UNCLEAR
        start = parsed.at
    room = service.create(start, display_name=display_name, user_ref=CLI_USER_REF)
    print(json.dumps(room.to_json()), file=out, flush=True)
    return EXIT_OK


def _now() -> datetime:
    return datetime.now(UTC)
