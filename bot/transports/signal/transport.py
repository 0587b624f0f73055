"""Signal as a `Transport`: start-up checks, receiving in either mode, delivering answers.

Receiving: every frame is parsed and, if it is a text message for the bot, handed to the worker's `accept`,
which commits it to the inbox before returning; only then is a read receipt sent. Group messages that do not
mention the bot (and are not /commands) are dropped before they are stored: the bot keeps no copy of
conversations that were not meant for it.

Sending: styled text, split below signal-cli's length limit, one message after another. Nothing is retried
unless it certainly never reached the server (the client's connect retries); a rate limit pauses all sends
and leaves a challenge for the operator; a changed safety number waits for `confidant signal trust`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Coroutine, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from bot.core.messengers import Accept, DeliveryError, FailureOutcome
from bot.core.stores import AlertStore
from bot.render.signal import render_signal
from bot.shared.answer import Answer
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.transports.backoff import Backoff
from bot.transports.base import TransportStartupError
from bot.transports.redact import redact, without_credentials
from bot.transports.signal.client import About, SignalClient
from bot.transports.signal.envelopes import ErrorFrame, Ignored, TextMessage, own_uuid_from, parse_frame
from bot.transports.signal.errors import (
    BadRequest,
    RateLimited,
    SignalError,
    UntrustedIdentity,
)
from bot.transports.signal.receive import PollReceiver, WebSocketReceiver
from bot.transports.signal.refusals import Refusals

if TYPE_CHECKING:
    import httpx

    from bot.config import Settings

logger = logging.getLogger(__name__)

# Versions of signal-cli-rest-api whose wire format this transport was built and tested against (the fake in
# tests/fakes/signal_api.py follows it).
TESTED_VERSIONS = ("0.100",)

FALLBACK_TEXT = "Sorry, I could not send that answer. Please try again, or ask in other words."

ReceiveMode = Literal["auto", "websocket", "poll"]
Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class Tuning:
    """Timings; the defaults suit production, tests shrink them."""

    ping_interval: float = 20.0
    ping_timeout: float = 20.0
    close_timeout: float = 2.0
    idle_probe_after: float = 120.0
    reconnect_base: float = 1.0
    reconnect_cap: float = 30.0
    stable_after: float = 60.0
    poll_wait: int = 2
    poll_batch: int = 50
    # Only answers that take a while get a typing indicator: quick ones would just flicker.
    typing_delay: float = 1.0
    typing_refresh: float = 10.0
    startup_attempts: int = 8
    startup_base: float = 1.0
    startup_cap: float = 10.0
    rate_limit_pause: float = 60.0
    rate_limit_pause_cap: float = 3600.0
    # How often the shared alerts (pauses, untrusted people, solved captchas) are read back.
    alerts_every: float = 2.0
    read_receipts: bool = True
    typing: bool = True


_NOT_TYPING = contextlib.nullcontext()


class _Typing:
    """The typing indicator while one answer is prepared: a timer on the loop, and a task only for an answer
    slow enough to show it (most take less than `typing_delay`, and cost no task)."""

    __slots__ = ("_chat", "_task", "_timer", "_transport", "shown")

    def __init__(self, transport: SignalTransport, chat: str) -> None:
        self._transport = transport
        self._chat = chat
        self._timer: asyncio.TimerHandle | None = None
        self._task: asyncio.Task[None] | None = None
        self.shown = False

    async def __aenter__(self) -> None:
        self._timer = asyncio.get_running_loop().call_later(self._transport.tuning.typing_delay, self._start)

    def _start(self) -> None:
        self._timer = None
        self._task = asyncio.create_task(self._transport._typing(self._chat, self))

    async def __aexit__(self, *_: object) -> None:
        if self._timer is not None:
            self._timer.cancel()
            return
        task = self._task
        if task is None:
            return
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
        if self.shown:
            self._transport._in_background(self._transport._typing_off(self._chat))


class SignalTransport:
    name = "signal"

    def __init__(
        self,
        client: SignalClient,
        *,
        receive_mode: ReceiveMode = "auto",
        keyer: Keyer | None = None,
        alerts: AlertStore | None = None,
        tuning: Tuning | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.client = client
        self.number = client.number
        self._requested_mode: ReceiveMode = receive_mode
        self._keyer = keyer
        self.tuning = tuning or Tuning()
        self._clock = clock
        self._sleep = sleep
        self.about: About | None = None
        self.receive_mode: Literal["websocket", "poll"] | None = None
        self._receiver: WebSocketReceiver | PollReceiver | None = None
        self._accept: Accept | None = None
        self._own_uuid: str | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self.refusals = Refusals(alerts, clock=clock)
        self._pause = self.tuning.rate_limit_pause
        self.last_send_error: str | None = None
        self.ignored = 0
        self._stopped = False
        self._watcher: asyncio.Task[None] | None = None

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        keyer: Keyer | None,
        state_dir: Path,
        alerts: AlertStore | None = None,
        http_transport: httpx.AsyncBaseTransport | None = None,
        tuning: Tuning | None = None,
    ) -> SignalTransport:
        if settings.signal_url is None or settings.signal_number is None:
            raise TransportStartupError(["Signal needs CONFIDANT_SIGNAL_URL and CONFIDANT_SIGNAL_NUMBER"])
        # Alerts once lived in this file, with people's Signal addresses in it; they are in the database now.
        (state_dir / "signal-alerts.json").unlink(missing_ok=True)
        client = SignalClient(settings.signal_url, settings.signal_number, transport=http_transport)
        if tuning is None:
            tuning = Tuning(read_receipts=settings.signal_read_receipts, typing=settings.signal_typing)
        return cls(client, receive_mode=settings.signal_receive, keyer=keyer, alerts=alerts, tuning=tuning)

    # -- start-up --

    async def start(self) -> None:
        await self._wait_until_reachable()
        try:
            about = await self.client.about()
            accounts = await self.client.accounts()
        except SignalError as error:
            raise TransportStartupError(
                [f"Signal: signal-cli-rest-api answers but is not working ({error}); see README, Signal"]
            ) from None
        self.about = about
        logger.info("signal-cli-rest-api %s in %s mode", about.version, about.mode)
        if about.version not in TESTED_VERSIONS:
            logger.warning(
                "signal-cli-rest-api version %s is untested (tested: %s); pin the image tag in compose.yaml",
                about.version,
                ", ".join(TESTED_VERSIONS),
            )
        if self.number not in accounts:
            raise TransportStartupError(
                [
                    "Signal: number not registered or linked: CONFIDANT_SIGNAL_NUMBER is not among the "
                    "accounts of signal-cli-rest-api (GET /v1/accounts); see README, Signal: linking a number"
                ]
            )
        self.receive_mode = self._choose_mode(about.mode)
        await self.refusals.refresh()
        self._watcher = asyncio.create_task(self._watch_refusals())
        logger.info("Signal receiving by %s", self.receive_mode)

    async def _wait_until_reachable(self) -> None:
        backoff = Backoff(self.tuning.startup_base, self.tuning.startup_cap)
        for attempt in range(1, self.tuning.startup_attempts + 1):
            try:
                if await self.client.health():
                    return
                problem = "unhealthy"
            except SignalError as error:
                problem = error.kind
            logger.warning(
                "signal-cli-rest-api not ready (%s), attempt %d of %d",
                problem,
                attempt,
                self.tuning.startup_attempts,
            )
            if attempt < self.tuning.startup_attempts:
                await self._sleep(backoff.next())
        raise TransportStartupError(
            [
                "Signal: cannot reach signal-cli-rest-api at CONFIDANT_SIGNAL_URL "
                f"({without_credentials(self.client.base_url)}); "
                "is the container running? See README, Signal"
            ]
        )

    def _choose_mode(self, server_mode: str) -> Literal["websocket", "poll"]:
        pushes = server_mode.startswith("json-rpc")
        if self._requested_mode == "auto":
            return "websocket" if pushes else "poll"
        if self._requested_mode == "websocket" and not pushes:
            raise TransportStartupError(
                [
                    f"CONFIDANT_SIGNAL_RECEIVE: websocket needs MODE=json-rpc, but the server runs in "
                    f"{server_mode} mode; set CONFIDANT_SIGNAL_RECEIVE=auto or poll"
                ]
            )
        if self._requested_mode == "poll" and pushes:
            raise TransportStartupError(
                [
                    "CONFIDANT_SIGNAL_RECEIVE: poll needs MODE=normal or native, but the server runs in "
                    "json-rpc mode; set CONFIDANT_SIGNAL_RECEIVE=auto or websocket"
                ]
            )
        return self._requested_mode

    # signal-cli-rest-api lets any number of clients receive (each gets every message once per account's
    # queue), so one object serves as both halves.
    @property
    def receiver(self) -> SignalTransport:
        return self

    @property
    def sender(self) -> SignalTransport:
        return self

    @property
    def one_receiver(self) -> bool:
        # A poll takes messages off signal-cli's queue, so two pollers would each get some. Every WebSocket gets
        # every message: all instances attach, and the inbox keeps one copy.
        return self.receive_mode == "poll"

    # -- receiving --

    async def receive(self, accept: Accept) -> None:
        if self.receive_mode is None:
            raise RuntimeError("start() must succeed before receive()")
        self._accept = accept
        if self._stopped:
            return
        t = self.tuning
        if self.receive_mode == "websocket":
            self._receiver = WebSocketReceiver(
                self.client.websocket_url,
                self._on_frame,
                ping_interval=t.ping_interval,
                ping_timeout=t.ping_timeout,
                close_timeout=t.close_timeout,
                backoff=Backoff(t.reconnect_base, t.reconnect_cap),
                stable_after=t.stable_after,
                probe=self._probe,
                idle_probe_after=t.idle_probe_after,
                clock=self._clock,
            )
        else:
            self._receiver = PollReceiver(
                self.client,
                self._on_frame,
                wait_seconds=t.poll_wait,
                max_messages=t.poll_batch,
                backoff=Backoff(t.reconnect_base, t.reconnect_cap),
                clock=self._clock,
            )
        await self._receiver.run()

    async def stop_receiving(self) -> None:
        self._stopped = True
        if self._receiver is not None:
            self._receiver.stop()

    async def _probe(self) -> bool:
        try:
            return self.number in await self.client.accounts()
        except SignalError:
            return False

    def _on_frame(self, frame: object) -> Coroutine[Any, Any, None] | None:
        """The receiver's sink: a frame to ignore is dealt with here and then (no task for typing indicators and
        receipts, most of what arrives); a message for the bot comes back as the work that stores it."""
        if self._own_uuid is None:
            self._own_uuid = own_uuid_from(frame, account=self.number)
        parsed = parse_frame(frame, account=self.number, own_uuid=self._own_uuid)
        if isinstance(parsed, ErrorFrame):
            logger.warning("signal-cli reported a receive error: %s", redact(parsed.detail))
            return None
        if parsed.attachment_ids:
            self._in_background(self._delete_attachments(parsed.attachment_ids))
        if isinstance(parsed, Ignored):
            self.ignored += 1
            logger.debug("ignored a Signal envelope: %s", parsed.reason)
            return None
        if not parsed.addressed:
            self.ignored += 1
            logger.debug("ignored a group message not addressed to the bot")
            return None
        return self._take(parsed)

    async def _take(self, message: TextMessage) -> None:
        assert self._accept is not None
        incoming = Incoming(
            transport=self.name,
            sender=message.sender,
            chat=message.reply_to,
            text=message.text,
            message_key=message.key,
            is_group=message.group_id is not None,
            addressed=message.addressed,
            # CONFIDANT_ADMINS may name people by number (signal:+44…) although we know them by UUID.
            sender_aliases=(message.sender_number,) if message.sender_number else (),
        )
        try:
            new = await self._accept(incoming)
        except Exception as error:
            # The frame is gone from the server already; say so loudly, but keep receiving.
            logger.error("could not store a received Signal message: %s", type(error).__name__)
            return
        # No receipts while Signal is rate limiting us: they would count against the same limit.
        if new and self.tuning.read_receipts and self.refusals.paused_for <= 0:
            self._in_background(self._receipt(message.sender, message.timestamp))

    async def _receipt(self, sender: str, timestamp: int) -> None:
        try:
            await self.client.read_receipt(sender, timestamp)
        except SignalError as error:
            logger.debug("read receipt not sent: %s", error.kind)

    async def _delete_attachments(self, ids: tuple[str, ...]) -> None:
        for attachment in ids:
            try:
                await self.client.delete_attachment(attachment)
            except SignalError as error:
                logger.debug("attachment not deleted: %s", error.kind)

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    # -- sending --

    async def _watch_refusals(self) -> None:
        while True:
            await self._sleep(self.tuning.alerts_every)
            await self.refusals.refresh()

    def blocked(self, message: Incoming) -> bool:
        refusals = self.refusals
        if refusals.paused_for > 0:
            return True
        # The conversation's keyed hash only when someone's safety number is waiting to be trusted.
        return refusals.any_untrusted and refusals.blocked(self._conversation(message))

    def _conversation(self, message: Incoming) -> str:
        return self._keyer.conversation_key(self.name, message.chat) if self._keyer else ""

    async def ready(self) -> None:
        while (remaining := self.refusals.paused_for) > 0:
            await self._sleep(min(remaining, 5.0))

    def working(self, message: Incoming) -> contextlib.AbstractAsyncContextManager[None]:
        if not self.tuning.typing:
            return _NOT_TYPING
        return _Typing(self, message.chat)

    async def _typing(self, chat: str, indicator: _Typing) -> None:
        while True:
            try:
                await self.client.typing(chat, on=True)
                indicator.shown = True
            except SignalError as error:
                logger.debug("typing indicator not shown: %s", error.kind)
            # Clients hide the indicator after about 15 s unless it is renewed.
            await self._sleep(self.tuning.typing_refresh)

    async def _typing_off(self, chat: str) -> None:
        try:
            await self.client.typing(chat, on=False)
        except SignalError as error:
            logger.debug("typing indicator not cleared: %s", error.kind)

    async def deliver(self, message: Incoming, answer: Answer) -> None:
        for index, text in enumerate(render_signal(answer)):
            try:
                result = await self.client.send(message.chat, text, styled=True)
            except SignalError as error:
                raise await self._send_failed(message, error, first=index == 0) from None
            if result.failed_reasons:
                logger.warning(
                    "Signal delivered to some recipients only: %s",
                    redact(", ".join(sorted(set(result.failed_reasons)))),
                )
        self._pause = self.tuning.rate_limit_pause
        self.last_send_error = None

    async def _send_failed(self, message: Incoming, error: SignalError, *, first: bool) -> DeliveryError:
        self.last_send_error = error.kind
        # After a first part went out, the person has a partial answer whatever happens next.
        outcome: FailureOutcome = "failed" if first and not error.ambiguous else "delivery-unknown"
        pseudonym = self._keyer.conversation(self.name, message.chat) if self._keyer else "-"
        if isinstance(error, RateLimited):
            logger.warning(
                "Signal rate limit: sends paused for %.0f s; solve a captcha and run "
                "`confidant signal challenge CAPTCHA` (see README, Signal: rate limits)",
                self._pause,
            )
            await self.refusals.rate_limited(self._pause, error.challenge_tokens[0] if error.challenge_tokens else None)
            self._pause = min(self._pause * 2, self.tuning.rate_limit_pause_cap)
            if error.challenge_tokens and first:
                # "Proof required": Signal refused before sending. Without tokens a 429 may have been delivered
                # anyway (upstream #881), so that answer stays "delivery unknown" and is never sent again.
                outcome = "held"
        elif isinstance(error, UntrustedIdentity):
            logger.warning(
                "Signal: the safety number of conversation %s changed, so nothing was sent; check it with "
                "the person, then run `confidant signal trust %s`",
                pseudonym,
                pseudonym,
            )
            # Trust is per person; a group reports its members' failures in the 201 body instead.
            if not message.is_group:
                await self.refusals.untrusted(self._conversation(message), pseudonym)
                if first:
                    outcome = "held"  # nothing was sent: it goes out once the operator trusts the new key
        elif isinstance(error, BadRequest) and not error.ambiguous and first:
            # Refused before anything was sent (the server's own validation): a plain note beats silence.
            logger.warning("Signal refused an answer as invalid: %s", redact(error.detail))
            with contextlib.suppress(SignalError):
                await self.client.send(message.chat, FALLBACK_TEXT, styled=False)
        else:
            logger.warning("Signal send to %s failed: %s", pseudonym, error.kind)
        return DeliveryError(outcome, error.kind)

    # -- the rest --

    def health(self) -> Mapping[str, object]:
        receiver = self._receiver
        since: float | None = None
        connected: bool | None = None
        probe_failed = False
        if isinstance(receiver, WebSocketReceiver):
            connected = receiver.connected
            probe_failed = receiver.probe_failed
            if receiver.last_frame_at is not None:
                since = self._clock() - receiver.last_frame_at
        elif isinstance(receiver, PollReceiver):
            connected = not receiver.failing
            if receiver.last_poll_at is not None:
                since = self._clock() - receiver.last_poll_at
        return {
            "mode": self.about.mode if self.about else None,
            "version": self.about.version if self.about else None,
            "receive": self.receive_mode,
            "connected": connected,
            "seconds_since_activity": since,
            "deep_probe_failed": probe_failed,
            "sends_paused_for": self.refusals.paused_for,
            "last_send_error": self.last_send_error,
            "ignored_envelopes": self.ignored,
        }

    async def close(self) -> None:
        if self._watcher is not None:
            self._watcher.cancel()
            await asyncio.gather(self._watcher, return_exceptions=True)
        if self._background:
            await asyncio.wait(self._background, timeout=2)
        for task in list(self._background):
            task.cancel()
        await self.client.aclose()
