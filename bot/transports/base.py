"""What the delivery worker needs from a messenger transport, and nothing more.

A transport has two halves. Its receive half turns the messenger's frames into `Incoming` messages and hands
them to an `Accept` callback (the worker, which persists them before anything else happens). Its send half
delivers an `Answer` to the chat a message came from. The worker never sees a wire format, so Telegram can
reuse it unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Literal, Protocol, runtime_checkable

from bot.shared.answer import Answer
from bot.shared.incoming import Incoming

# Returns True when the message was new and is now durably queued, False for a duplicate.
Accept = Callable[[Incoming], Awaitable[bool]]

# How a delivery attempt ended when it did not succeed:
# "failed": the messenger certainly did not deliver it (nothing to undo, nothing to resend automatically);
# "delivery-unknown": it may or may not have arrived, so it must never be sent again automatically.
FailureOutcome = Literal["failed", "delivery-unknown"]


class DeliveryError(Exception):
    """A send that did not (certainly) succeed. The message text never goes into `str(error)`."""

    def __init__(self, outcome: FailureOutcome, reason: str) -> None:
        super().__init__(f"{outcome}: {reason}")
        self.outcome: FailureOutcome = outcome
        # A short fixed phrase such as "rate limited" or "untrusted identity": safe to log.
        self.reason = reason


class TransportStartupError(Exception):
    """The transport cannot run (server unreachable, account missing); `lines` are shown to the operator."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("\n".join(lines))
        self.lines = lines


@runtime_checkable
class Transport(Protocol):
    """One messenger. `name` equals `Incoming.transport` for every message it produces."""

    name: str

    async def start(self) -> None:
        """Check the outside service is usable; raise `TransportStartupError` with clear lines if not."""

    async def receive(self, accept: Accept) -> None:
        """Receive until `stop_receiving`, handing every text message to `accept` in arrival order."""

    async def stop_receiving(self) -> None:
        """Make `receive` return soon; messages already accepted are still answered."""

    async def ready(self) -> None:
        """Wait until sending is allowed (a rate-limit pause is over); called before a send is recorded."""

    def working(self, message: Incoming) -> AbstractAsyncContextManager[None]:
        """Shown while the answer is prepared (a typing indicator); best effort, never raises."""

    async def deliver(self, message: Incoming, answer: Answer) -> None:
        """Send `answer` (and its follow-ups, in order) to the chat of `message`; raise `DeliveryError`."""

    def health(self) -> Mapping[str, object]:
        """A snapshot for /healthz and /metrics; holds no ids or text."""

    async def close(self) -> None:
        """Release connections. Called once, after the worker has finished."""
