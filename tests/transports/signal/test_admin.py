from __future__ import annotations

import argparse
import asyncio
import io
import json
from pathlib import Path

import httpx
import pytest

from bot.config import Settings, database_url, load_settings
from bot.core.stores import Alerts
from bot.keys import keyer_for
from bot.storage.alerts import OperatorAlerts
from bot.storage.database import create_engine
from bot.storage.migrate import upgrade
from bot.transports.signal.admin import run_signal_command
from bot.transports.signal.commands import add_signal_parser
from tests.fakes.signal_envelopes import ANNA_NUMBER, ANNA_UUID, BOT_NUMBER


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(
        {
            "CONFIDANT_SIGNAL_URL": "http://signal.test",
            "CONFIDANT_SIGNAL_NUMBER": BOT_NUMBER,
            "CONFIDANT_DATA_DIR": str(tmp_path),
        }
    )


class Server:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, object]] = []
        self.failure: httpx.Response | None = None
        self.accounts = [BOT_NUMBER]
        # What signal-cli knows, shaped as upstream's client.IdentityEntry.
        self.identities = [
            {
                "added": "2026-12-01 09:00:00 +0000 UTC",
                "fingerprint": "05 1a 2b",
                "number": ANNA_NUMBER,
                "safety_number": "12345 67890",
                "status": "UNTRUSTED",
                "uuid": ANNA_UUID,
            }
        ]

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        if self.failure is not None:
            return self.failure
        if request.url.path == "/v1/about":
            return httpx.Response(
                200,
                json={"versions": ["v1", "v2"], "build": 2, "mode": "json-rpc", "version": "0.100", "capabilities": {}},
            )
        if request.url.path == "/v1/accounts":
            return httpx.Response(200, json=self.accounts)
        if request.url.path == f"/v1/identities/{BOT_NUMBER}":
            return httpx.Response(200, json=self.identities)
        return httpx.Response(204)


def run(settings: Settings, server: Server, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    add_signal_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["signal", *argv])
    out = io.StringIO()
    code = run_signal_command(args, settings, out=out, http_transport=httpx.MockTransport(server))
    return code, out.getvalue()


async def raise_alerts(settings: Settings, *, challenge: str | None = None, untrusted: bool = False) -> str:
    """Alerts as a running instance raises them, in the database; returns Anna's pseudonym."""
    keyer = keyer_for(settings)
    engine = create_engine(database_url(settings))
    try:
        await upgrade(engine)
        store = OperatorAlerts(engine, keyer)
        if challenge is not None:
            await store.rate_limited(60, challenge)
        if untrusted:
            await store.untrusted(keyer.conversation_key("signal", ANNA_UUID), keyer.conversation("signal", ANNA_UUID))
    finally:
        await engine.dispose()
    return keyer.conversation("signal", ANNA_UUID)


async def _load(settings: Settings) -> Alerts:
    engine = create_engine(database_url(settings))
    try:
        return await OperatorAlerts(engine, keyer_for(settings)).load()
    finally:
        await engine.dispose()


def current(settings: Settings) -> Alerts:
    return asyncio.run(_load(settings))


def test_status_lists_what_needs_the_operator(settings: Settings) -> None:
    pseudonym = asyncio.run(raise_alerts(settings, challenge="tok-1", untrusted=True))
    code, out = run(settings, Server(), "status")
    assert code == 0
    assert "0.100, mode json-rpc" in out
    assert "registered or linked" in out
    assert "confidant signal challenge" in out
    assert f"confidant signal trust {pseudonym}" in out
    assert ANNA_UUID not in out and ANNA_NUMBER not in out


def test_status_says_when_nothing_needs_the_operator(settings: Settings) -> None:
    code, out = run(settings, Server(), "status")
    assert code == 0 and "nothing needs you" in out


def test_status_fails_when_the_number_is_missing(settings: Settings) -> None:
    server = Server()
    server.accounts = []
    code, out = run(settings, server, "status")
    assert code == 1
    assert "NOT registered or linked" in out


def test_challenge_uses_the_saved_token_and_clears_it(settings: Settings) -> None:
    asyncio.run(raise_alerts(settings, challenge="tok-1"))
    server = Server()
    code, out = run(settings, server, "challenge", "signalcaptcha://solved")
    assert code == 0
    assert server.requests == [
        (
            "POST",
            f"/v1/accounts/{BOT_NUMBER}/rate-limit-challenge",
            {"challenge_token": "tok-1", "captcha": "signalcaptcha://solved"},
        )
    ]
    assert current(settings) == Alerts()  # every instance stops pausing at its next look
    assert "lifted" in out


def test_challenge_refusal_is_explained_and_keeps_the_token(settings: Settings) -> None:
    asyncio.run(raise_alerts(settings, challenge="tok-1"))
    server = Server()
    server.failure = httpx.Response(400, json={"error": "invalid captcha action"})
    code, out = run(settings, server, "challenge", "signalcaptcha://stale")
    assert code == 1
    assert "invalid captcha action" in out
    assert current(settings).challenge == "tok-1"


def test_challenge_without_token_or_with_a_bad_captcha(settings: Settings) -> None:
    assert run(settings, Server(), "challenge", "signalcaptcha://x")[0] == 2
    assert run(settings, Server(), "challenge", "not-a-captcha", "--token", "t")[0] == 2


def test_trust_by_pseudonym_finds_the_address_among_the_identities(settings: Settings) -> None:
    pseudonym = asyncio.run(raise_alerts(settings, untrusted=True))
    server = Server()
    code, _ = run(settings, server, "trust", pseudonym)
    assert code == 0
    assert server.requests == [
        ("GET", f"/v1/identities/{BOT_NUMBER}", None),
        ("PUT", f"/v1/identities/{BOT_NUMBER}/trust/{ANNA_UUID}", {"trust_all_known_keys": True}),
    ]
    assert current(settings).untrusted == {}


def test_trust_by_pseudonym_when_signal_cli_no_longer_knows_them(settings: Settings) -> None:
    pseudonym = asyncio.run(raise_alerts(settings, untrusted=True))
    server = Server()
    server.identities = []
    code, out = run(settings, server, "trust", pseudonym)
    assert code == 1 and "pass their number or UUID" in out
    assert len(current(settings).untrusted) == 1


def test_trust_by_uuid_with_a_verified_safety_number_clears_the_alert(settings: Settings) -> None:
    asyncio.run(raise_alerts(settings, untrusted=True))
    server = Server()
    code, _ = run(settings, server, "trust", ANNA_UUID, "--safety-number", "12345")
    assert code == 0
    assert server.requests[0][2] == {"verified_safety_number": "12345"}
    assert current(settings).untrusted == {}


def test_trust_rejects_unknown_pseudonyms(settings: Settings) -> None:
    server = Server()
    assert run(settings, server, "trust", "nobody")[0] == 2
    assert server.requests == []


def test_without_signal_configured(tmp_path: Path) -> None:
    settings = load_settings({"CONFIDANT_DATA_DIR": str(tmp_path)})
    assert run(settings, Server(), "status")[0] == 2
