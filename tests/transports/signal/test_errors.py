from __future__ import annotations

import pytest

from bot.transports.redact import redact
from bot.transports.signal.errors import (
    AccountNotRegistered,
    BadRequest,
    GroupProfileMissing,
    RateLimited,
    RecipientNotRegistered,
    SignalError,
    SignalTimeout,
    SignalUnavailable,
    UntrustedIdentity,
    error_from_response,
)


@pytest.mark.parametrize(
    ("status", "text", "kind", "ambiguous"),
    [
        (400, "Failed to send message due to untrusted identities", UntrustedIdentity, False),
        (400, "Unable to complete request due to untrusted recipient keys", UntrustedIdentity, False),
        (400, "User +4930111111 is not registered.", AccountNotRegistered, False),
        (400, "The user +4915122222222 is not registered.", RecipientNotRegistered, False),
        (400, 'Unregistered user "+4915122222222"', RecipientNotRegistered, False),
        (400, "Cannot send message to group - please first update your profile.", GroupProfileMissing, False),
        (400, "Failed to send message due to rate limiting", RateLimited, True),
        (400, "CAPTCHA proof required for sending to +4915122222222", RateLimited, True),
        (400, "Failed to send message: [429] Rate limit exceeded", RateLimited, True),
        (400, "process killed as timeout reached", SignalTimeout, True),
        (400, "Couldn't process request - invalid recipient", BadRequest, False),
        (400, "Failed to send (some recipients failed)", BadRequest, True),
        (500, "internal error", SignalUnavailable, True),
    ],
)
def test_mapping(status: int, text: str, kind: type[SignalError], ambiguous: bool) -> None:
    error = error_from_response(status, {"error": text})
    assert type(error) is kind
    assert error.ambiguous is ambiguous
    assert error.detail == text


def test_429_keeps_challenge_tokens() -> None:
    body = {"error": "Failed ... rate limiting.", "challenge_tokens": ["tok-1", ""], "account": "+4930111111"}
    error = error_from_response(429, body)
    assert isinstance(error, RateLimited)
    assert error.challenge_tokens == ("tok-1",)


def test_plain_text_bodies_are_accepted() -> None:
    error = error_from_response(404, "404 page not found")
    assert isinstance(error, BadRequest)
    assert error.status == 404


def test_str_never_contains_the_upstream_text() -> None:
    error = error_from_response(400, {"error": "The user +4915122222222 is not registered."})
    assert "+49" not in str(error)
    assert "HTTP 400" in str(error)


def test_redact_removes_ids_links_and_numbers() -> None:
    text = (
        "User +4915122222222 / 6f1c8e2a-3b7d-4a55-9c0e-1d2f3a4b5c6d in "
        "group.a3EwYjN4MHcxbEcybTF4OXlWYjRaYzBlUzhzUW4ybDVyN3RXOXlBMWJDMD0= at https://meet.jit.si/x"
    )
    cleaned = redact(text)
    for secret in ("+49151", "6f1c8e2a", "a3EwYjN4", "meet.jit.si"):
        assert secret not in cleaned
    assert cleaned.startswith("User <number>")
