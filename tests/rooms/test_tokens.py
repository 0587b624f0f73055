from __future__ import annotations

from datetime import timedelta
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from bot.rooms.tokens import (
    TokenWindow,
    jaas_claims,
    self_hosted_claims,
    sign_hs256,
    sign_rs256,
    token_window,
)
from tests.rooms.helpers import APP_ID, FIXED_NOW, JAAS_APP_ID, SECRET, XMPP_DOMAIN

ROOM = "mfrggzdfmztwq2lknnwg23tpoa"
NOW = int(FIXED_NOW.timestamp())
MINUTE = 60


def window_now() -> TokenWindow:
    return token_window(FIXED_NOW, FIXED_NOW)


def test_a_room_for_now_opens_a_minute_early_and_lasts_the_session_plus_half_an_hour() -> None:
    window = window_now()
    assert window.issued_at == NOW
    assert window.not_before == NOW - 60  # prosody has no leeway for clock skew
    assert window.client_not_before == NOW - 15 * MINUTE
    assert window.expires_at == NOW + 90 * MINUTE
    assert all(isinstance(value, int) for value in vars_of(window).values())


def vars_of(window: TokenWindow) -> dict[str, Any]:
    return {name: getattr(window, name) for name in window.__slots__}


def test_a_later_session_opens_a_quarter_of_an_hour_before_its_start() -> None:
    start = FIXED_NOW + timedelta(hours=26)
    window = token_window(FIXED_NOW, start)
    assert window.issued_at == NOW
    assert window.not_before == int((start - timedelta(minutes=15)).timestamp())
    assert window.expires_at == int((start + timedelta(minutes=90)).timestamp())
    assert window.expires_at - window.not_before <= 4 * 3600


def test_a_session_already_under_way_still_gets_a_usable_window() -> None:
    start = FIXED_NOW - timedelta(minutes=40)
    window = token_window(FIXED_NOW, start)
    assert window.not_before == NOW - 60
    assert window.expires_at == NOW + 50 * MINUTE


def test_a_session_that_is_over_gets_no_window() -> None:
    with pytest.raises(ValueError, match="over"):
        token_window(FIXED_NOW, FIXED_NOW - timedelta(hours=1))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        token_window(FIXED_NOW.replace(tzinfo=None), FIXED_NOW)


def test_self_hosted_claims_are_exactly_the_specified_set() -> None:
    claims = self_hosted_claims(
        app_id=APP_ID, xmpp_domain=XMPP_DOMAIN, room=ROOM, user_id="u-1a2b3c", name="Sam", window=window_now()
    )
    assert claims == {
        "iss": APP_ID,
        "aud": APP_ID,
        "sub": XMPP_DOMAIN,
        "room": ROOM,
        "iat": NOW,
        "nbf": NOW - 60,
        "exp": NOW + 90 * MINUTE,
        "context": {
            "user": {"id": "u-1a2b3c", "name": "Sam", "moderator": "true", "affiliation": "owner"},
            "features": {
                "recording": "false",
                "livestreaming": "false",
                "transcription": "false",
                "outbound-call": "false",
            },
        },
    }


JAAS_FEATURES = {
    "recording": "false",
    "livestreaming": "false",
    "transcription": "false",
    "outbound-call": "false",
    "sip-outbound-call": "false",
    "inbound-call": "false",
    "sip-inbound-call": "false",
    "file-upload": "false",
}


def test_jaas_host_claims_are_exactly_the_specified_set() -> None:
    claims = jaas_claims(
        app_id=JAAS_APP_ID, room=ROOM, user_id="u-1a2b3c", name="Sam", moderator=True, window=window_now()
    )
    assert claims == {
        "aud": "jitsi",
        "iss": "chat",
        "sub": JAAS_APP_ID,
        "room": ROOM,
        "iat": NOW,
        "nbf": NOW - 60,
        "exp": NOW + 90 * MINUTE,
        "context": {
            "user": {"id": "u-1a2b3c", "name": "Sam", "moderator": "true"},
            "features": JAAS_FEATURES,
        },
    }


def test_jaas_client_claims_are_not_moderator_and_open_15_minutes_before_the_start() -> None:
    claims = jaas_claims(
        app_id=JAAS_APP_ID, room=ROOM, user_id="guest-99", name="Client", moderator=False, window=window_now()
    )
    assert claims["context"]["user"] == {"id": "guest-99", "name": "Client", "moderator": "false"}
    assert claims["nbf"] == NOW - 15 * MINUTE
    assert claims["exp"] == NOW + 90 * MINUTE


@pytest.mark.parametrize("field", ["app_id", "xmpp_domain", "user_id", "name"])
def test_a_wildcard_never_reaches_a_claim(field: str) -> None:
    values = {"app_id": APP_ID, "xmpp_domain": XMPP_DOMAIN, "user_id": "u-1", "name": "Sam"}
    values[field] = "*"
    with pytest.raises(ValueError, match=r"\*"):
        self_hosted_claims(room=ROOM, window=window_now(), **values)


@pytest.mark.parametrize("room", ["*", "Mixed-Case-Room-Name-Here", "short"])
def test_a_room_prosody_would_not_match_is_refused(room: str) -> None:
    with pytest.raises(ValueError, match="room name"):
        jaas_claims(app_id=JAAS_APP_ID, room=room, user_id="u", name="n", moderator=True, window=window_now())


def test_hs256_tokens_verify_with_the_secret_and_have_the_plain_header() -> None:
    claims = self_hosted_claims(
        app_id=APP_ID, xmpp_domain=XMPP_DOMAIN, room=ROOM, user_id="u-1", name="Sam", window=window_now()
    )
    token = sign_hs256(claims, SECRET.encode())
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    decoded = jwt.decode(
        token, SECRET, algorithms=["HS256"], audience=APP_ID, issuer=APP_ID, options={"verify_exp": False,
        "verify_nbf": False, "verify_iat": False}
    )  # fmt: skip
    assert decoded == claims
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(
            token, SECRET + "x", algorithms=["HS256"], options={"verify_exp": False, "verify_aud": False}
        )


def test_rs256_tokens_verify_with_the_public_key_and_name_the_key(rsa_key: rsa.RSAPrivateKey) -> None:
    claims = jaas_claims(
        app_id=JAAS_APP_ID, room=ROOM, user_id="u-1", name="Sam", moderator=True, window=window_now()
    )
    kid = f"{JAAS_APP_ID}/4f4910"
    token = sign_rs256(claims, rsa_key, kid)
    assert jwt.get_unverified_header(token) == {"alg": "RS256", "typ": "JWT", "kid": kid}
    decoded = jwt.decode(
        token, rsa_key.public_key(), algorithms=["RS256"], audience="jitsi", issuer="chat",
        options={"verify_exp": False, "verify_nbf": False, "verify_iat": False},
    )  # fmt: skip
    assert decoded == claims
