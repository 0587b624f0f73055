"""What the core needs from a messenger, as two separate seams: receiving and sending.

A receiver turns the messenger's frames into `Incoming` messages and hands each to an `Accept` callback (the
worker, which persists it before anything else happens). A sender delivers an `Answer` to the chat a message
came from. They are apart because they need not live together: with several instances of Confidant, only
one may receive from a messenger that allows one consumer (Telegram polling), while any instance may send.
The worker never sees a wire format.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from typing import Literal, Protocol, runtime_checkable

from bot.shared.answer import Answer
from bot.shared.incoming import Incoming

# Returns True when the message was new and is now durably queued, False for a duplicate.
Accept = Callable[[Incoming], Awaitable[bool]]

# How a delivery attempt ended when it did not succeed:
# "failed": the messenger certainly did not deliver it (nothing to undo, nothing to resend automatically);
# "delivery-unknown": it may or may not have arrived, so it must never be sent again automatically;
# "held": refused for now and certainly not delivered (Signal's captcha challenge, a changed safety number):
# kept in the inbox and sent, in order, once `Sender.blocked` says the refusal is lifted.
FailureOutcome = Literal["failed", "delivery-unknown", "held"]


class DeliveryError(Exception):
    """A send that did not (certainly) succeed. The message text never goes into `str(error)`."""

    def __init__(self, outcome: FailureOutcome, reason: str) -> None:
        super().__init__(f"{outcome}: {reason}")
        self.outcome: FailureOutcome = outcome
        # A short fixed phrase such as "rate limited" or "untrusted identity": safe to log.
        self.reason = reason


@runtime_checkable
class Receiver(Protocol):
    async def receive(self, accept: Accept) -> None:
        """Receive until `stop_receiving`, handing every text message to `accept` in arrival order."""

    async def stop_receiving(self) -> None:
        """Make `receive` return soon; messages already accepted are still answered."""


@runtime_checkable
class Sender(Protocol):
    """`name` equals `Incoming.transport` of the messages it answers."""

    name: str

    async def ready(self) -> None:
        """Wait until sending is allowed (a rate-limit pause is over); called before a send is recorded."""

    def blocked(self, message: Incoming) -> bool:
        """True while answers to this chat must wait (a refusal not lifted yet): nothing is tried meanwhile."""

    def working(self, message: Incoming) -> AbstractAsyncContextManager[None]:
        """Shown while the answer is prepared (a typing indicator); best effort, never raises."""

    async def deliver(self, message: Incoming, answer: Answer) -> None:
        """Send `answer` (and its follow-ups, in order) to the chat of `message`; raise `DeliveryError`."""
