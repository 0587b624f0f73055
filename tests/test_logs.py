from __future__ import annotations

import pytest

from bot.logs import redact
from bot.transports.redact import without_credentials


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("sent to +447700900123", "7700900123"),
        ("User +4915122222222 is not registered", "15122222222"),
        ("from 6f1c8e2a-3b7d-4a55-9c0e-1d2f3a4b5c6d", "6f1c8e2a"),
        ("to group.dGVzdGdyb3VwaWRiYXNlNjQ=", "dGVzdGdyb3Vw"),
        ("GET https://api.telegram.org/bot123456:ABCDEFGHIJKLMNOPQRSTUVWX/getMe", "ABCDEFGH"),
        ("token eyJhbGciOiJIUzI1NiJ9.eyJyb29tIjoiYWJjIn0.c2lnbmF0dXJl", "eyJyb29t"),
        ("room https://meet.jit.si/pzyvnctr35rb73nzxvg7cunmc4", "pzyvnctr35rb"),
    ],
)
def test_private_pieces_are_replaced(text: str, secret: str) -> None:
    assert secret not in redact(text)


def test_ordinary_words_and_small_numbers_stay() -> None:
    assert redact("answered 12 messages in 340 ms") == "answered 12 messages in 340 ms"


def test_credentials_are_taken_out_of_a_server_url() -> None:
    assert without_credentials("http://bot:s3cret@127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1"
    assert without_credentials("http://127.0.0.1:8080") == "http://127.0.0.1:8080"
