"""`confidant signal …`: the operator's side of what the bot cannot settle alone.

    confidant signal status                    API reachable? mode, version, number linked, open alerts
    confidant signal link                      link the bot to a phone: the QR code, printed in the terminal
    confidant signal challenge CAPTCHA         lift a rate limit with a solved captcha
    confidant signal trust WHO                 trust the new safety number of a person (WHO: the pseudonym
                                               from the log line, or their number or Signal UUID)

Output goes to the operator's terminal, never to the log.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TextIO, TypeVar

from bot.config import Settings, data_dir
from bot.transports.redact import without_credentials
from bot.transports.signal.alerts import OperatorAlerts
from bot.transports.signal.client import SignalClient
from bot.transports.signal.commands import CAPTCHA_PAGE
from bot.transports.signal.errors import SignalError

if TYPE_CHECKING:
    import httpx

T = TypeVar("T")

def run_signal_command(
    args: argparse.Namespace,
    settings: Settings,
    *,
    out: TextIO | None = None,
    http_transport: httpx.AsyncBaseTransport | None = None,
) -> int:
    out = out or sys.stdout
    if settings.signal_url is None or settings.signal_number is None:
        print("CONFIDANT_SIGNAL_URL, CONFIDANT_SIGNAL_NUMBER: set both first (see README, Signal)", file=sys.stderr)
        return 2
    alerts = OperatorAlerts(data_dir(settings) / "signal-alerts.json")
    client = SignalClient(settings.signal_url, settings.signal_number, transport=http_transport, connect_attempts=1)
    command: Callable[[], Awaitable[int]]
    if args.signal_command == "status":
        command = lambda: _status(client, alerts, out)  # noqa: E731
    elif args.signal_command == "link":
        command = lambda: _link(client, out, args.device_name, wait=args.wait, as_uri=args.uri)  # noqa: E731
    elif args.signal_command == "challenge":
        command = lambda: _challenge(client, alerts, out, args.captcha, args.token)  # noqa: E731
    elif args.signal_command == "trust":
        command = lambda: _trust(client, alerts, out, args.who, args.safety_number)  # noqa: E731
    else:
        return 2
    return asyncio.run(_closing(client, command))


async def _closing(client: SignalClient, command: Callable[[], Awaitable[T]]) -> T:
    try:
        return await command()
    finally:
        await client.aclose()


async def _status(client: SignalClient, alerts: OperatorAlerts, out: TextIO) -> int:
    try:
        about = await client.about()
        accounts = await client.accounts()
    except SignalError as error:
        out.write(f"signal-cli-rest-api at {without_credentials(client.base_url)}: not working ({error})\n")
        return 1
    linked = client.number in accounts
    out.write(f"signal-cli-rest-api {about.version}, mode {about.mode}\n")
    out.write(f"bot number {client.number}: {'registered or linked' if linked else 'NOT registered or linked'}\n")
    state = alerts.load()
    if state.challenge_tokens:
        out.write(
            f"rate limited since {state.rate_limited_at}: solve the captcha at {CAPTCHA_PAGE}, then run\n"
            "  confidant signal challenge 'signalcaptcha://…'\n"
        )
    for pseudonym, entry in sorted(state.untrusted.items()):
        out.write(
            f"safety number changed for {pseudonym} ({entry['recipient']}) at {entry['at']}: check it with them, "
            f"then run\n  confidant signal trust {pseudonym}\n"
        )
    if not state.challenge_tokens and not state.untrusted:
        out.write("nothing needs you\n")
    return 0 if linked else 1


def terminal_qr(data: str) -> str:
    """`data` as a QR code in text: two modules per character cell (half blocks), light on a dark terminal,
    with the quiet zone scanners need. segno: a kept, dependency-free QR library."""
    import io

    import segno

    text = io.StringIO()
    segno.make(data, error="m", micro=False).terminal(out=text, compact=True, border=2)
    return text.getvalue()


async def _link(
    client: SignalClient,
    out: TextIO,
    device_name: str,
    *,
    wait: float,
    as_uri: bool,
    poll_every: float = 2.0,
) -> int:
    try:
        if client.number in await client.accounts():
            out.write(f"{client.number} is already registered or linked here: nothing to do.\n")
            return 0
        uri = await client.link_uri(device_name)
    except SignalError as error:
        out.write(f"signal-cli-rest-api at {without_credentials(client.base_url)}: not working ({error})\n")
        return 1
    out.write(uri + "\n" if as_uri else terminal_qr(uri))
    out.write(
        f"On the phone with the bot's number ({client.number}): Signal → Settings → Linked devices → +, and scan.\n"
        "The code works once and not for long: if the phone says it is invalid, run this again.\n"
    )
    out.flush()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while loop.time() < deadline:
        await asyncio.sleep(min(poll_every, max(0.0, deadline - loop.time())))
        try:
            if client.number in await client.accounts():
                out.write(f"Linked: {client.number} is ready. Start Confidant (docker compose up -d).\n")
                return 0
        except SignalError:
            continue  # signal-cli is busy finishing the link
    if wait > 0:
        out.write(
            f"{client.number} is not linked after {wait:g} s. Check that the phone uses this number, then run "
            "`confidant signal link` again (`confidant signal status` tells what the server has).\n"
        )
        return 1
    return 0


async def _challenge(client: SignalClient, alerts: OperatorAlerts, out: TextIO, captcha: str, token: str | None) -> int:
    if not captcha.startswith("signalcaptcha://"):
        out.write(f"The captcha should start with signalcaptcha:// (from {CAPTCHA_PAGE}).\n")
        return 2
    tokens = [token] if token else alerts.load().challenge_tokens
    if not tokens:
        out.write("No saved challenge token: pass --token (it is in the 429 response of a failed send).\n")
        return 2
    try:
        await client.rate_limit_challenge(tokens[0], captcha)
    except SignalError as error:
        out.write(f"Signal did not accept the captcha: {error.detail or error}\nGet a fresh one and try again.\n")
        return 1
    alerts.challenge_solved(tokens[0])
    out.write("Rate limit lifted. The bot resumes sending after its current pause.\n")
    return 0


async def _trust(client: SignalClient, alerts: OperatorAlerts, out: TextIO, who: str, safety_number: str | None) -> int:
    untrusted = alerts.load().untrusted
    pseudonym = who if who in untrusted else None
    recipient = untrusted[who]["recipient"] if pseudonym else who
    if pseudonym is None and not (recipient.startswith("+") or len(recipient) == 36):
        out.write(f"{who} is not a pending pseudonym (see `confidant signal status`), number or UUID.\n")
        return 2
    try:
        await client.trust(recipient, safety_number=safety_number)
    except SignalError as error:
        out.write(f"Trusting failed: {error.detail or error}\n")
        return 1
    if pseudonym is not None:
        alerts.trusted(pseudonym)
    out.write("Trusted. Answers to this person will be delivered again (earlier ones are not resent).\n")
    return 0
