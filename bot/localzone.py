"""The machine's own time zone as an IANA name: the default of CONFIDANT_TIMEZONE.

Apart from bot/config.py (which re-exports it) because `confidant ask` needs the default without loading the
settings' validation (bot/unconfigured.py).
"""

from __future__ import annotations

import contextlib
import os
import zoneinfo
from collections.abc import Mapping
from pathlib import Path

ZONEINFO_PREFIXES = ("posix/", "right/")


def _zone_name(text: str) -> str | None:
    """An IANA name from a TZ value or a path into a zoneinfo folder, if it names a zone this machine knows."""
    name = text.strip().removeprefix(":")
    if "zoneinfo/" in name:
        name = name.rsplit("zoneinfo/", 1)[1]
        for prefix in ZONEINFO_PREFIXES:
            name = name.removeprefix(prefix)
    if not name or name.startswith("/") or name == "localtime":
        return None
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return None
    return name


def local_timezone(environ: Mapping[str, str] | None = None, localtime: Path = Path("/etc/localtime")) -> str:
    """The machine's own time zone as an IANA name: the TZ variable, else where /etc/localtime points,
    else /etc/timezone (Debian), else UTC. A zone given as POSIX rules (`TZ=GMT0BST,…`) has no IANA name."""
    env = os.environ if environ is None else environ
    if (tz := env.get("TZ")) and (found := _zone_name(tz)):
        return found
    with contextlib.suppress(OSError):
        if found := _zone_name(os.path.normpath(localtime.parent / os.readlink(localtime))):
            return found
    with contextlib.suppress(OSError, UnicodeDecodeError):
        if found := _zone_name((localtime.parent / "timezone").read_text(encoding="utf-8")):
            return found
    return "UTC"
