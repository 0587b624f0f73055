from __future__ import annotations

import io
import json

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.types import Options

from bot.config import Settings
from bot.rooms.cli import run_room_command
from tests.rooms.helpers import APP_ID, FIXED_NOW, SECRET, fixed_clock, settings_with, token_from

INTERFACE_KEYS = ["room", "host_url", "client_url", "expires_at", "backend"]
# The fixed clock is not the machine's, so PyJWT must not judge the times; the tests check them exactly.
NO_TIME_CHECKS: Options = {"verify_exp": False, "verify_nbf": False, "verify_iat": False}


def run(settings: Settings, *, as_json: bool, when: str | None = None) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = run_room_command(settings, as_json=as_json, when=when, out=out, err=err, clock=fixed_clock)
    return code, out.getvalue(), err.getvalue()


def test_json_for_self_hosted(self_hosted_settings: Settings) -> None:
    code, out, err = run(self_hosted_settings, as_json=True)
    assert (code, err) == (0, "")
    assert out.endswith("\n")
    assert out.count("\n") == 1
    room = json.loads(out)
    assert list(room) == INTERFACE_KEYS
    assert room["backend"] == "self-hosted"
    assert room["expires_at"] == "2026-11-28T13:30:00+00:00"
    claims = jwt.decode(
        token_from(room["host_url"]),
        SECRET,
        algorithms=["HS256"],
        audience=APP_ID,
        options=NO_TIME_CHECKS,
    )
    assert claims["room"] == room["room"]
    assert "jwt=" not in room["client_url"]


def test_json_for_jaas(jaas_settings: Settings, rsa_key: rsa.RSAPrivateKey) -> None:
    code, out, _ = run(jaas_settings, as_json=True)
    room = json.loads(out)
    assert code == 0
    assert room["backend"] == "jaas"
    for url, moderator in ((room["host_url"], "true"), (room["client_url"], "false")):
        claims = jwt.decode(
            token_from(url),
            rsa_key.public_key(),
            algorithms=["RS256"],
            audience="jitsi",
            options=NO_TIME_CHECKS,
        )
        assert claims["context"]["user"]["moderator"] == moderator


def test_json_for_public(public_settings: Settings) -> None:
    code, out, _ = run(public_settings, as_json=True)
    room = json.loads(out)
    assert code == 0
    assert room["backend"] == "public"
    assert room["expires_at"] is None
    assert room["host_url"] == room["client_url"]


def test_json_with_a_time(self_hosted_settings: Settings) -> None:
    code, out, _ = run(self_hosted_settings, as_json=True, when="tomorrow 10:00")
    assert code == 0
    # 10:00 in New York on 29 November is 15:00 UTC; the token lasts until 16:30 UTC.
    assert json.loads(out)["expires_at"] == "2026-11-29T16:30:00+00:00"


def test_plain_text_shows_both_messages(self_hosted_settings: Settings) -> None:
    code, out, _ = run(self_hosted_settings, as_json=False, when="3pm")
    assert code == 0
    host_part, client_part, checklist = out.split("\n---\n")
    assert host_part.startswith("Your host link: do not forward")
    assert "#jwt=%22" in host_part
    assert "Link for your client" in client_part
    # The token's fragment, not the letters "jwt": a random room name contains them now and then.
    assert "#jwt=" not in client_part
    # The terminal has room for the whole checklist, which a phone gets on request.
    assert "Before you admit your client" in checklist
    assert "#jwt=" not in checklist


@pytest.mark.parametrize("as_json", [True, False])
def test_an_unreadable_time_is_a_question_and_a_failure(
    self_hosted_settings: Settings, as_json: bool
) -> None:
    code, out, err = run(self_hosted_settings, as_json=as_json, when="half three")
    assert code == 1
    assert "https://" not in out
    assert "could not read the time" in (err if as_json else out)


def test_bad_configuration_is_one_line_per_problem_and_exit_2() -> None:
    settings = settings_with(
        jitsi_url="https://meet.example.org", jitsi_app_id=APP_ID, jitsi_app_secret="short"
    )
    code, out, err = run(settings, as_json=True)
    assert (code, out) == (2, "")
    assert sorted(err.splitlines()) == [
        "CONFIDANT_JITSI_APP_SECRET: must be at least 32 bytes",
        "CONFIDANT_JITSI_XMPP_DOMAIN: must be set too for token sign-in on your own Jitsi server",
    ]
    assert "short" not in err


def test_the_fixed_clock_is_what_the_command_uses(self_hosted_settings: Settings) -> None:
    _, out, _ = run(self_hosted_settings, as_json=True)
    claims = jwt.decode(
        token_from(json.loads(out)["host_url"]),
        SECRET,
        algorithms=["HS256"],
        audience=APP_ID,
        options=NO_TIME_CHECKS,
    )
    assert claims["iat"] == int(FIXED_NOW.timestamp())
