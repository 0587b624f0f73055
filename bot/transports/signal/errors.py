"""Typed failures of signal-cli-rest-api, mapped from HTTP status and the server's `error` text.

The server reports nearly everything as `400 {"error": "<signal-cli text>"}`, so the type is read from
the text.
The upstream text often contains phone numbers, so it is kept in `detail` for the operator's terminal and
never put into `str(error)`, which may end up in a log line or a traceback.

`ambiguous` answers the one question a sender must ask: could the server have carried the request out anyway?
Signal has no idempotency key, and "failed" sends are known to arrive (upstream issues #857, #881), so an
ambiguous send must never be repeated automatically.
"""

from __future__ import annotations

import re
from collections.abc import Mapping


class SignalError(Exception):
    kind = "signal error"
    # For requests that change something (a send): True when it may have taken effect despite the error.
    default_ambiguous = True

    def __init__(self, *, status: int | None = None, detail: str = "", ambiguous: bool | None = None) -> None:
        self.status = status
        self.detail = detail
        self.ambiguous = self.default_ambiguous if ambiguous is None else ambiguous
        where = f" (HTTP {status})" if status is not None else ""
        super().__init__(f"{self.kind}{where}")


class SignalUnavailable(SignalError):
    """Connection refused, DNS failure, or a 5xx. Not ambiguous only when no connection was ever made."""

    kind = "signal-cli-rest-api unavailable"


class SignalTimeout(SignalError):
    """No answer in time. The server may still be working on the request (json-rpc waits without limit)."""

    kind = "signal-cli-rest-api timed out"


class RateLimited(SignalError):
    """Refused for rate limiting; a captcha for `challenge_tokens` lifts it (`confidant signal challenge`)."""

    kind = "rate limited"

    def __init__(
        self,
        *,
        status: int | None = None,
        detail: str = "",
        challenge_tokens: tuple[str, ...] = (),
        ambiguous: bool | None = None,
    ) -> None:
        super().__init__(status=status, detail=detail, ambiguous=ambiguous)
        self.challenge_tokens = challenge_tokens


class UntrustedIdentity(SignalError):
    """The recipient's safety number changed; nothing was sent until the operator trusts the new key."""

    kind = "untrusted identity"
    default_ambiguous = False


class RecipientNotRegistered(SignalError):
    kind = "recipient not registered on Signal"
    default_ambiguous = False


class AccountNotRegistered(SignalError):
    """Our own number is not (or no longer) registered or linked in signal-cli."""

    kind = "bot account not registered or linked"
    default_ambiguous = False


class GroupProfileMissing(SignalError):
    """Groups need the bot to have a profile name first (`PUT /v1/profiles/{number}`)."""

    kind = "profile name missing for group send"
    default_ambiguous = False


class BadRequest(SignalError):
    """Anything else the server refused. Validation failures are certainly not sent; others may have been."""

    kind = "rejected by signal-cli-rest-api"


_SENDER_NOT_REGISTERED = re.compile(r"^\s*user \S+ is not registered", re.IGNORECASE)


def error_from_response(status: int, body: object) -> SignalError:
    """The typed error for a non-success response; `body` is the decoded JSON, or the raw text if not JSON."""
    if isinstance(body, Mapping):
        detail = str(body.get("error") or "")
        raw_tokens = body.get("challenge_tokens")
    else:
        detail = str(body or "")
        raw_tokens = None
    text = detail.lower()
    tokens = tuple(str(t) for t in raw_tokens if t) if isinstance(raw_tokens, list) else ()

    if status == 429 or "rate limit" in text or "captcha proof required" in text:
        return RateLimited(status=status, detail=detail, challenge_tokens=tokens)
    if "untrusted identit" in text or "untrusted recipient" in text:
        return UntrustedIdentity(status=status, detail=detail)
    if _SENDER_NOT_REGISTERED.search(detail):
        return AccountNotRegistered(status=status, detail=detail)
    if "is not registered" in text or "unregistered user" in text:
        return RecipientNotRegistered(status=status, detail=detail)
    if "update your profile" in text:
        return GroupProfileMissing(status=status, detail=detail)
    if "process killed as timeout reached" in text:
        return SignalTimeout(status=status, detail=detail)
    if status >= 500:
        return SignalUnavailable(status=status, detail=detail)
    # "Couldn't process request" is the server's own validation: signal-cli was never asked.
    validation = "couldn't process request" in text or "websocket" in text
    return BadRequest(status=status, detail=detail, ambiguous=not validation)
