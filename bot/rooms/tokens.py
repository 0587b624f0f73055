"""Jitsi JWTs: the validity window and the exact claim sets for self-hosted (HS256) and 8x8 JaaS (RS256).

Prosody checks `nbf` and `exp` with no leeway, so `nbf` is a minute in the past; a token without `exp` never
expires, so it is always set, covering the session plus a reconnect buffer but never more than about four
hours. Every `context.user` value is a string (Jitsi compares `moderator` with "true"), and every claim names
one room and one domain: never `*`. No email or avatar: an avatar URL is fetched by every participant and
an email address makes the client ask Gravatar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from bot.rooms.names import is_valid_room_name

SESSION_LENGTH = timedelta(minutes=60)
RECONNECT_BUFFER = timedelta(minutes=30)
MAX_LIFETIME = timedelta(hours=4)
CLOCK_SKEW = timedelta(seconds=60)
EARLY_ENTRY = timedelta(minutes=15)

# Everything that could record or widen the meeting is off for every token.
SELF_HOSTED_FEATURES = {
    "recording": "false",
    "livestreaming": "false",
    "transcription": "false",
    "outbound-call": "false",
}
JAAS_FEATURES = {
    **SELF_HOSTED_FEATURES,
    "sip-outbound-call": "false",
    "inbound-call": "false",
    "sip-inbound-call": "false",
    "file-upload": "false",
}


@dataclass(frozen=True, slots=True)
class TokenWindow:
    """Integer Unix seconds. `not_before` is the host's; a JaaS client may enter 15 minutes before start."""

    issued_at: int
    not_before: int
    client_not_before: int
    expires_at: int


def token_window(now: datetime, start: datetime) -> TokenWindow:
    """The validity window for a session starting at `start` (which may be now or a little in the past)."""
    if now.tzinfo is None or start.tzinfo is None:
        raise ValueError("now and start must be timezone-aware")
    if start + SESSION_LENGTH <= now:
        raise ValueError("the session is already over")
    opens = start - EARLY_ENTRY
    # Right now: usable at once, a minute early for clock skew. Later: from a quarter of an hour before.
    not_before = now - CLOCK_SKEW if opens <= now else opens
    expires = min(start + SESSION_LENGTH + RECONNECT_BUFFER, max(now, opens) + MAX_LIFETIME)
    return TokenWindow(
        issued_at=int(now.timestamp()),
        not_before=int(not_before.timestamp()),
        client_not_before=int(opens.timestamp()),
        expires_at=int(expires.timestamp()),
    )


def _check(room: str, *values: str) -> None:
    # Prosody compares the room claim with the lowercased room in the URL: anything else fails at the door.
    if not is_valid_room_name(room):
        raise ValueError("room name must match [a-z0-9-]{20,50}")
    if any(not value or "*" in value for value in values):
        raise ValueError("token claims must be non-empty and never contain '*'")


def self_hosted_claims(
    *, app_id: str, xmpp_domain: str, room: str, user_id: str, name: str, window: TokenWindow
) -> dict[str, Any]:
    """The counsellor's token for a self-hosted server. jicofo makes every token holder a moderator."""
    _check(room, app_id, xmpp_domain, user_id, name)
    return {
        "iss": app_id,
        "aud": app_id,
        "sub": xmpp_domain,
        "room": room,
        "iat": window.issued_at,
        "nbf": window.not_before,
        "exp": window.expires_at,
        "context": {
            "user": {"id": user_id, "name": name, "moderator": "true", "affiliation": "owner"},
            "features": dict(SELF_HOSTED_FEATURES),
        },
    }


def jaas_claims(
    *, app_id: str, room: str, user_id: str, name: str, moderator: bool, window: TokenWindow
) -> dict[str, Any]:
    """A JaaS token: the host's (moderator) or the client's (not, and usable from 15 minutes before start)."""
    _check(room, app_id, user_id, name)
    return {
        "aud": "jitsi",
        "iss": "chat",
        "sub": app_id,
        "room": room,
        "iat": window.issued_at,
        "nbf": window.not_before if moderator else window.client_not_before,
        "exp": window.expires_at,
        "context": {
            "user": {"id": user_id, "name": name, "moderator": "true" if moderator else "false"},
            "features": dict(JAAS_FEATURES),
        },
    }


def sign_hs256(claims: dict[str, Any], secret: bytes) -> str:
    return jwt.encode(claims, secret, algorithm="HS256", headers={"typ": "JWT"})


def sign_rs256(claims: dict[str, Any], private_key: RSAPrivateKey, key_id: str) -> str:
    return jwt.encode(claims, private_key, algorithm="RS256", headers={"kid": key_id, "typ": "JWT"})
