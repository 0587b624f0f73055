"""Shared values and helpers for the room tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from bot.config import Settings, load_settings

# Saturday 28 November 2026, 12:00 UTC = 07:00 in New York: a zone whose date and offset differ from UTC.
FIXED_NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
ZONE = "America/New_York"
SECRET = "s3cret-" + "x" * 40
APP_ID = "confidant-test"
XMPP_DOMAIN = "meet.jitsi"
JAAS_APP_ID = "vpaas-magic-cookie-0123456789abcdef"
JAAS_KEY_ID = "4f4910"


def fixed_clock() -> datetime:
    return FIXED_NOW


def fragment_params(url: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(url).fragment, keep_blank_values=True))


def token_from(url: str) -> str:
    """The JWT in a link's fragment, which Jitsi reads as a JSON string: `#jwt=%22<token>%22`."""
    value = json.loads(fragment_params(url)["jwt"])
    assert isinstance(value, str)
    return value


def settings_with(**values: Any) -> Settings:
    return load_settings({f"CONFIDANT_{name.upper()}": str(value) for name, value in values.items()})
