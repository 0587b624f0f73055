from __future__ import annotations

import base64
import re
import secrets
import uuid

import pytest

from bot.rooms.names import (
    MIN_CUSTOM_BITS,
    WeakRoomNameError,
    check_custom_name,
    estimate_bits,
    is_valid_room_name,
    new_room_name,
)


def test_a_new_name_is_lowercase_url_safe_and_short() -> None:
    name = new_room_name()
    assert re.fullmatch(r"[a-z0-9-]+", name)
    assert 20 <= len(name) <= 50
    assert is_valid_room_name(name)


def test_a_new_name_carries_all_128_bits_it_was_given() -> None:
    raw = bytes(range(16))
    name = new_room_name(lambda n: raw[:n])
    # Decoding the name gives back every byte: nothing was truncated, hashed down or mixed with other input.
    padded = name.upper() + "=" * (-len(name) % 8)
    assert base64.b32decode(padded) == raw
    assert len(raw) * 8 >= 128


def test_a_random_source_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="16"):
        new_room_name(lambda n: b"\x00" * (n - 1))


def test_names_are_unique_over_100_000_draws() -> None:
    names = {new_room_name() for _ in range(100_000)}
    assert len(names) == 100_000
    assert all(is_valid_room_name(name) for name in list(names)[:1000])


@pytest.mark.parametrize(
    "name",
    [
        "MixedCaseRoomNameThatIsLong",  # Jitsi folds case: prosody would compare a different room
        "has space in the name here",
        "emoji-room-🙂-aaaaaaaaaaaaaaa",
        "tenant/room-aaaaaaaaaaaaaaaaa",
        "short",
        "x" * 51,
    ],
)
def test_the_room_pattern_rejects_what_jitsi_would_mangle(name: str) -> None:
    assert not is_valid_room_name(name)


@pytest.mark.parametrize(
    "name",
    [
        "counselling-session-with-jane-2026",
        "jane-smith-therapy-tuesday-10am",
        "mytherapyroomforclientsonly",
        "sarahs-weekly-counselling-room",
        "correct-horse-battery-staple-xkcd",
        "purple-elephant-dances-quietly",
        "quickbrownfoxjumpsoverthelazydog",
        "room-2026-11-28-1500-jane-doe",
        "aaaaaaaaaaaaaaaaaaaaaaaa",
        "abcdefghijklmnopqrstuvwxyz",
        "01234567890123456789012345",
        "abababababababababababab",
        "x7k2-x7k2-x7k2-x7k2-x7k2-x7k2",
        "deadbeefdeadbeefdeadbeef",
    ],
)
def test_guessable_custom_names_are_refused(name: str) -> None:
    assert estimate_bits(name) < MIN_CUSTOM_BITS
    with pytest.raises(WeakRoomNameError, match="too easy to guess") as refused:
        check_custom_name(name)
    assert refused.value.bits < MIN_CUSTOM_BITS


def test_a_uuid_is_accepted_as_a_custom_name() -> None:
    # The Jitsi handbook suggests uuidgen; 122 random bits must pass however the hex happens to fall.
    for _ in range(200):
        name = str(uuid.uuid4())
        assert check_custom_name(name.upper()) == name


def test_random_strings_of_32_characters_are_accepted() -> None:
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    accepted = sum(
        estimate_bits("".join(secrets.choice(alphabet) for _ in range(32))) >= MIN_CUSTOM_BITS
        for _ in range(200)
    )
    assert accepted >= 190  # pessimistic by design, but not to the point of refusing random input


def test_custom_names_are_lowercased_and_trimmed() -> None:
    name = str(uuid.uuid4())
    assert check_custom_name(f"  {name.upper()} ") == name


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("room with spaces 5f3a9c2e-8d41-4b7e", "only letters, digits and hyphens"),
        ("räum-5f3a9c2e8d414b7e9a1c0d2f", "only letters, digits and hyphens"),
        ("tenant/5f3a9c2e8d414b7e9a1c0d2f", "only letters, digits and hyphens"),
        ("5f3a9c2e8d41", "between 20 and 50"),
        ("5f3a9c2e8d414b7e9a1c0d2f" * 3, "between 20 and 50"),
    ],
)
def test_custom_names_jitsi_would_mangle_are_refused(name: str, reason: str) -> None:
    with pytest.raises(WeakRoomNameError, match=reason):
        check_custom_name(name)
