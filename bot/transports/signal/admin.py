"""`confidant signal …`: the operator's side of what the bot cannot settle alone.

    confidant signal status                    API reachable? mode, version, number linked, open alerts
    confidant signal link                      link the bot to a phone: the QR code, printed in the terminal
    confidant signal challenge CAPTCHA         lift a rate limit with a solved captcha
    confidant signal trust WHO                 trust the new safety number of a person (WHO: the pseudonym
                                               from the log line, or their number or Signal UUID)

The alerts are in the database, which every instance shares, so this works from any host, and every instance
sends the answers it held back within seconds of a captcha solved or a person trusted. The database knows a
person whose safety number changed only by a keyed hash of their address; `trust` finds the address again
among the identities signal-cli-rest-api lists, by hashing each with the same key. Output goes to the
operator's terminal, never to the log.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, TextIO

from bot.config import Settings, database_url
from bot.keys import keyer_for
from bot.shared.pseudonym import Keyer
from bot.storage.alerts import OperatorAlerts
from bot.transports.redact import without_credentials
from bot.transports.signal.client import SignalClient
from bot.transports.signal.commands import CAPTCHA_PAGE
from bot.transports.signal.errors import SignalError

if TYPE_CHECKING:
    import httpx

Command = Callable[[SignalClient, OperatorAlerts, Keyer, TextIO], Awaitable[int]]


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
    client = SignalClient(settings.signal_url, settings.signal_number, transport=http_transport, connect_attempts=1)
    if args.signal_command == "link":
        # Linking comes before anything else is set up, so it needs no database or key.
        return asyncio.run(_closing(client, _link(client, out, args.device_name, wait=args.wait, as_uri=args.uri)))
    command: Command
    if args.signal_command == "status":
        command = _status
    elif args.signal_command == "challenge":
        command = lambda client, alerts, keyer, out: _challenge(client, alerts, out, args.captcha, args.token)  # noqa: E731
    elif args.signal_command == "trust":
        command = lambda client, alerts, keyer, out: _trust(client, alerts, keyer, out, args.who, args.safety_number)  # noqa: E731
    else:
        return 2
    keyer = keyer_for(settings)
    return asyncio.run(_with_database(settings, client, keyer, command, out))


async def _closing(client: SignalClient, work: Awaitable[int]) -> int:
    try:
        return await work
    finally:
        await client.aclose()


async def _with_database(
    settings: Settings, client: SignalClient, keyer: Keyer, command: Command, out: TextIO
) -> int:
    from bot.storage.database import create_engine
    from bot.storage.migrate import upgrade

    engine = create_engine(database_url(settings))
    try:
        await upgrade(engine)
        return await command(client, OperatorAlerts(engine, keyer), keyer, out)
    finally:
        await client.aclose()
        await engine.dispose()


async def _status(client: SignalClient, alerts: OperatorAlerts, keyer: Keyer, out: TextIO) -> int:
    try:
        about = await client.about()
        accounts = await client.accounts()
    except SignalError as error:
        out.write(f"signal-cli-rest-api at {without_credentials(client.base_url)}: not working ({error})\n")
        return 1
    linked = client.number in accounts
    out.write(f"signal-cli-rest-api {about.version}, mode {about.mode}\n")
    out.write(f"bot number {client.number}: {'registered or linked' if linked else 'NOT registered or linked'}\n")
    state = await alerts.load()
    if state.paused_for > 0 or state.challenge:
        out.write(f"rate limited: sends paused for another {state.paused_for:.0f} s")
        if state.challenge:
            out.write(f"; solve the captcha at {CAPTCHA_PAGE}, then run\n  confidant signal challenge 'signalcaptcha://…'")
        out.write("\n")
    for pseudonym, since in sorted(state.untrusted.values()):
        out.write(
            f"safety number changed for {pseudonym} at {since:%Y-%m-%d %H:%M} UTC: check it with them, then run\n"
            f"  confidant signal trust {pseudonym}\n"
        )
    if state.paused_for <= 0 and not state.challenge and not state.untrusted:
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


async def _challenge(
    client: SignalClient, alerts: OperatorAlerts, out: TextIO, captcha: str, token: str | None
) -> int:
    if not captcha.startswith("signalcaptcha://"):
        out.write(f"The captcha should start with signalcaptcha:// (from {CAPTCHA_PAGE}).\n")
        return 2
    token = token or (await alerts.load()).challenge
    if not token:
        out.write("No saved challenge token: pass --token (it is in the 429 response of a failed send).\n")
        return 2
    try:
        await client.rate_limit_challenge(token, captcha)
    except SignalError as error:
        out.write(f"Signal did not accept the captcha: {error.detail or error}\nGet a fresh one and try again.\n")
        return 1
    await alerts.challenge_solved()
    out.write("Rate limit lifted. Every instance sends the answers it held back within a few seconds.\n")
    return 0


async def _trust(
    client: SignalClient, alerts: OperatorAlerts, keyer: Keyer, out: TextIO, who: str, safety_number: str | None
) -> int:
    pending = {pseudonym: conversation for conversation, (pseudonym, _) in (await alerts.load()).untrusted.items()}
    if who in pending:
        try:
            recipient = await _address_of(client, keyer, pending[who])
        except SignalError as error:
            out.write(f"Could not list the identities signal-cli knows: {error.detail or error}\n")
            return 1
        if recipient is None:
            out.write(f"signal-cli-rest-api knows no identity for {who}; pass their number or UUID instead.\n")
            return 1
    elif who.startswith("+") or len(who) == 36:
        recipient = who
    else:
        out.write(f"{who} is not a pending pseudonym (see `confidant signal status`), number or UUID.\n")
        return 2
    try:
        await client.trust(recipient, safety_number=safety_number)
    except SignalError as error:
        out.write(f"Trusting failed: {error.detail or error}\n")
        return 1
    await alerts.trusted(pending.get(who) or keyer.conversation_key("signal", recipient))
    out.write("Trusted. The answers held back for this person are sent within a few seconds.\n")
    return 0


async def _address_of(client: SignalClient, keyer: Keyer, conversation: str) -> str | None:
    """The address (UUID or number) whose conversation key is `conversation`, among known identities."""
    for identity in await client.identities():
        for field in ("uuid", "number"):
            address = identity.get(field)
            if isinstance(address, str) and address and keyer.conversation_key("signal", address) == conversation:
                return address
    return None
