from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.types import Options

from bot.config import Settings
from bot.rooms.names import WeakRoomNameError
from bot.rooms.room import Room
from bot.rooms.service import RoomService
from bot.shared.answer import Answer, Intent
from tests.rooms.helpers import (
    APP_ID,
    FIXED_NOW,
    JAAS_APP_ID,
    JAAS_KEY_ID,
    SECRET,
    XMPP_DOMAIN,
    ZONE,
    fixed_clock,
    fragment_params,
    token_from,
)

NOW = int(FIXED_NOW.timestamp())
USER_REF = "u7f3a9c2e8d41"
NO_TIME_CHECKS: Options = {"verify_exp": False, "verify_nbf": False, "verify_iat": False}


def decode_hs256(url: str) -> dict[str, Any]:
    token = token_from(url)
    assert jwt.get_unverified_header(token) == {"alg": "HS256", "typ": "JWT"}
    claims: dict[str, Any] = jwt.decode(
        token, SECRET, algorithms=["HS256"], audience=APP_ID, issuer=APP_ID, options=NO_TIME_CHECKS
    )
    return claims


def decode_rs256(url: str, key: rsa.RSAPrivateKey) -> dict[str, Any]:
    token = token_from(url)
    assert jwt.get_unverified_header(token) == {
        "alg": "RS256",
        "typ": "JWT",
        "kid": f"{JAAS_APP_ID}/{JAAS_KEY_ID}",
    }
    claims: dict[str, Any] = jwt.decode(
        token, key.public_key(), algorithms=["RS256"], audience="jitsi", issuer="chat", options=NO_TIME_CHECKS
    )
    return claims


def no_wildcards(value: object) -> bool:
    if isinstance(value, dict):
        return all(no_wildcards(k) and no_wildcards(v) for k, v in value.items())
    return "*" not in str(value)


def test_self_hosted_room_gives_the_host_alone_a_token(self_hosted_settings: Settings) -> None:
    service = RoomService.from_settings(self_hosted_settings, clock=fixed_clock)
    room = service.create(display_name="Sam Taylor", user_ref=USER_REF)

    assert room.backend == "self-hosted"
    assert room.host_url.startswith(f"https://meet.example.org/{room.room}#jwt=%22")
    assert room.client_url == f"https://meet.example.org/{room.room}#config.doNotStoreRoom=true"
    assert "jwt=" not in room.client_url
    assert "eyJ" not in room.client_url
    claims = decode_hs256(room.host_url)
    assert claims == {
        "iss": APP_ID,
        "aud": APP_ID,
        "sub": XMPP_DOMAIN,
        "room": room.room,
        "iat": NOW,
        "nbf": NOW - 60,
        "exp": NOW + 90 * 60,
        "context": {
            "user": {"id": USER_REF, "name": "Sam Taylor", "moderator": "true", "affiliation": "owner"},
            "features": {
                "recording": "false",
                "livestreaming": "false",
                "transcription": "false",
                "outbound-call": "false",
            },
        },
    }
    assert no_wildcards(claims)
    assert room.expires_at == datetime.fromtimestamp(claims["exp"], UTC)
    assert room.expires_at - FIXED_NOW <= timedelta(hours=4)


def test_jaas_room_gives_the_host_a_moderator_token_and_the_client_a_plain_one(
    jaas_settings: Settings, rsa_key: rsa.RSAPrivateKey
) -> None:
    service = RoomService.from_settings(jaas_settings, clock=fixed_clock)
    room = service.create(display_name=None, user_ref=USER_REF)

    assert room.backend == "jaas"
    base = f"https://8x8.vc/{JAAS_APP_ID}/{room.room}#jwt=%22"
    assert room.host_url.startswith(base)
    assert room.client_url.startswith(base)
    host, client = decode_rs256(room.host_url, rsa_key), decode_rs256(room.client_url, rsa_key)
    features = {
        "recording": "false",
        "livestreaming": "false",
        "transcription": "false",
        "outbound-call": "false",
        "sip-outbound-call": "false",
        "inbound-call": "false",
        "sip-inbound-call": "false",
        "file-upload": "false",
    }
    common = {"aud": "jitsi", "iss": "chat", "sub": JAAS_APP_ID, "room": room.room, "iat": NOW}
    assert host == {
        **common,
        "nbf": NOW - 60,
        "exp": NOW + 90 * 60,
        "context": {"user": {"id": USER_REF, "name": "Host", "moderator": "true"}, "features": features},
    }
    client_user = client["context"]["user"]
    assert client == {
        **common,
        "nbf": NOW - 15 * 60,
        "exp": NOW + 90 * 60,
        "context": {"user": client_user, "features": features},
    }
    assert client_user["moderator"] == "false"
    assert client_user["name"] == "Client"
    assert re.fullmatch(r"guest-[0-9a-f]{16}", client_user["id"])
    assert all(isinstance(value, str) for value in [*host["context"]["user"].values(), *client_user.values()])
    assert no_wildcards(host)
    assert no_wildcards(client)


def test_client_ids_differ_between_rooms(jaas_settings: Settings, rsa_key: rsa.RSAPrivateKey) -> None:
    service = RoomService.from_settings(jaas_settings, clock=fixed_clock)
    ids = {
        decode_rs256(service.create(display_name=None, user_ref=USER_REF).client_url, rsa_key)["context"][
            "user"
        ]["id"]
        for _ in range(5)
    }
    assert len(ids) == 5


def test_public_room_has_one_link_and_no_token(public_settings: Settings) -> None:
    room = RoomService.from_settings(public_settings, clock=fixed_clock).create(
        display_name="Sam", user_ref=USER_REF
    )
    assert room.backend == "public"
    assert room.host_url == room.client_url == f"https://meet.jit.si/{room.room}#config.doNotStoreRoom=true"
    assert room.expires_at is None
    assert "jwt" not in fragment_params(room.host_url)


def test_a_scheduled_room_covers_its_session(self_hosted_settings: Settings) -> None:
    start = datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo(ZONE))
    room = RoomService.from_settings(self_hosted_settings, clock=fixed_clock).create(
        start, display_name=None, user_ref=USER_REF
    )
    claims = decode_hs256(room.host_url)
    assert claims["iat"] == NOW
    assert claims["nbf"] == int((start - timedelta(minutes=15)).timestamp())
    assert claims["exp"] == int((start + timedelta(minutes=90)).timestamp())
    assert claims["exp"] - claims["nbf"] <= 4 * 3600
    assert room.starts_at == start


def test_room_json_is_exactly_the_interface_object(self_hosted_settings: Settings) -> None:
    room = RoomService.from_settings(self_hosted_settings, clock=fixed_clock).create(
        display_name=None, user_ref=USER_REF
    )
    assert room.to_json() == {
        "room": room.room,
        "host_url": room.host_url,
        "client_url": room.client_url,
        "expires_at": "2026-11-28T13:30:00+00:00",
        "backend": "self-hosted",
    }


def test_a_room_repr_holds_no_secret(self_hosted_settings: Settings) -> None:
    room = RoomService.from_settings(self_hosted_settings, clock=fixed_clock).create(
        display_name=None, user_ref=USER_REF
    )
    assert room.room not in repr(room)
    assert "jwt=" not in repr(room)


def test_every_room_is_fresh(public_settings: Settings) -> None:
    service = RoomService.from_settings(public_settings)
    assert len({service.create(display_name=None, user_ref=USER_REF).room for _ in range(50)}) == 50


def test_the_random_source_is_injectable(public_settings: Settings) -> None:
    service = RoomService.from_settings(public_settings, clock=fixed_clock, token_bytes=lambda n: b"\x00" * n)
    assert service.create(display_name=None, user_ref=USER_REF).room == "a" * 26


@pytest.mark.parametrize("user_ref", ["+447700900123", "sam@example.org", "Sam Taylor", "*", "", "x" * 65])
def test_personal_data_is_refused_as_a_user_reference(self_hosted_settings: Settings, user_ref: str) -> None:
    service = RoomService.from_settings(self_hosted_settings, clock=fixed_clock)
    with pytest.raises(ValueError, match="opaque"):
        service.create(display_name=None, user_ref=user_ref)


def test_display_names_are_cleaned_and_bounded(self_hosted_settings: Settings) -> None:
    service = RoomService.from_settings(self_hosted_settings, clock=fixed_clock)
    name = decode_hs256(
        service.create(display_name="  Dr\x00  Sam\n" + "a" * 100, user_ref=USER_REF).host_url
    )["context"]["user"]["name"]
    assert name.startswith("Dr Sam a")
    assert len(name) == 64
    blank = decode_hs256(service.create(display_name=" \t", user_ref=USER_REF).host_url)
    assert blank["context"]["user"]["name"] == "Host"


def test_a_strong_custom_name_is_used_and_a_weak_one_refused(self_hosted_settings: Settings) -> None:
    service = RoomService.from_settings(self_hosted_settings, clock=fixed_clock)
    custom = "5f3a9c2e-8d41-4b7e-9a1c-0d2f6e8b4a17"
    room = service.create(display_name=None, user_ref=USER_REF, name=custom.upper())
    assert room.room == custom
    assert decode_hs256(room.host_url)["room"] == custom
    with pytest.raises(WeakRoomNameError):
        service.create(display_name=None, user_ref=USER_REF, name="counselling-with-jane-tuesday")


def room_links(answer: Answer) -> list[str]:
    return [link.url for message in (answer, *answer.follow_ups) for link in message.links]


@pytest.mark.parametrize(
    ("text", "start"),
    [
        ("room", FIXED_NOW),
        ("new meeting", FIXED_NOW),
        ("room for 3pm", datetime(2026, 11, 28, 15, 0, tzinfo=ZoneInfo(ZONE))),
        ("link for my 3pm", datetime(2026, 11, 28, 15, 0, tzinfo=ZoneInfo(ZONE))),
        ("room tomorrow 10:00", datetime(2026, 11, 29, 10, 0, tzinfo=ZoneInfo(ZONE))),
        ("room at 14:30", datetime(2026, 11, 28, 14, 30, tzinfo=ZoneInfo(ZONE))),
        ("room in 2 hours", FIXED_NOW + timedelta(hours=2)),
    ],
)
def test_answer_reads_the_time_into_the_token(
    self_hosted_settings: Settings, text: str, start: datetime
) -> None:
    service = RoomService.from_settings(self_hosted_settings, clock=fixed_clock)
    answer = service.answer(text, timezone=ZoneInfo(ZONE), display_name=None, user_ref=USER_REF)
    assert answer.intent is Intent.ROOM
    host_url, client_url = room_links(answer)
    assert decode_hs256(host_url)["exp"] == int((start + timedelta(minutes=90)).timestamp())
    assert "jwt=" not in client_url


def test_an_unreadable_time_gets_a_question_and_no_room(self_hosted_settings: Settings) -> None:
    service = RoomService.from_settings(self_hosted_settings, clock=fixed_clock)
    answer = service.answer(
        "room for half three", timezone=ZoneInfo(ZONE), display_name=None, user_ref=USER_REF
    )
    assert answer.intent is Intent.ROOM
    assert room_links(answer) == []
    assert "?" in answer.title
    assert any("not made a room" in line for section in answer.sections for line in section.lines)


def test_answer_refuses_a_guessable_custom_name(self_hosted_settings: Settings) -> None:
    service = RoomService.from_settings(self_hosted_settings, clock=fixed_clock)
    answer = service.answer(
        "room called sarahs-weekly-counselling-room",
        timezone=ZoneInfo(ZONE),
        display_name=None,
        user_ref=USER_REF,
    )
    assert room_links(answer) == []
    assert "too easy to guess" in " ".join(answer.sections[0].lines)


def test_a_person_called_something_is_not_a_room_name(self_hosted_settings: Settings) -> None:
    service = RoomService.from_settings(self_hosted_settings, clock=fixed_clock)
    answer = service.answer(
        "room for my client called Jane at 3pm", timezone=ZoneInfo(ZONE), display_name=None, user_ref=USER_REF
    )
    host_url, _ = room_links(answer)
    claims = decode_hs256(host_url)
    assert "jane" not in claims["room"]
    assert len(claims["room"]) == 26


def test_answer_uses_a_strong_custom_name_and_still_reads_the_time(self_hosted_settings: Settings) -> None:
    service = RoomService.from_settings(self_hosted_settings, clock=fixed_clock)
    custom = "5f3a9c2e-8d41-4b7e-9a1c-0d2f6e8b4a17"
    answer = service.answer(
        f"room named {custom} for 3pm", timezone=ZoneInfo(ZONE), display_name=None, user_ref=USER_REF
    )
    host_url, _ = room_links(answer)
    claims = decode_hs256(host_url)
    assert claims["room"] == custom
    assert claims["exp"] == int(datetime(2026, 11, 28, 16, 30, tzinfo=ZoneInfo(ZONE)).timestamp())


def test_no_room_name_link_token_or_identity_reaches_the_logs(
    self_hosted_settings: Settings, jaas_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    rooms: list[Room] = []
    answers: list[Answer] = []
    for settings in (self_hosted_settings, jaas_settings):
        service = RoomService.from_settings(settings, clock=fixed_clock)
        rooms.append(service.create(display_name="Sam Taylor", user_ref=USER_REF))
        answers.append(
            service.answer(
                "room for 3pm", timezone=ZoneInfo(ZONE), display_name="Sam Taylor", user_ref=USER_REF
            )
        )
    assert caplog.records, "the service logs that it issued a room; this test checks what that says"
    secrets = {"Sam Taylor", USER_REF}
    for room in rooms:
        secrets |= {room.room, room.host_url, room.client_url, token_from(room.host_url)}
    for answer in answers:
        for url in room_links(answer):
            secrets |= {
                url,
                url.split("/")[4].split("#")[0] if "8x8" in url else url.split("/")[3].split("#")[0],
            }
    logged = "\n".join(
        f"{record.name} {record.getMessage()} {record.args!r} {record.__dict__!r}"
        for record in caplog.records
    )
    for secret in secrets:
        assert secret not in logged
    # Token fragments too: the signature part alone would still be a leak.
    for room in rooms:
        assert token_from(room.host_url).split(".")[2] not in logged
