from __future__ import annotations

import argparse
import io
import json
from pathlib import Path

import httpx
import pytest

from bot.config import Settings, load_settings
from bot.transports.signal.admin import run_signal_command
from bot.transports.signal.alerts import OperatorAlerts
from bot.transports.signal.commands import add_signal_parser
from tests.fakes.signal_envelopes import ANNA_UUID, BOT_NUMBER


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
        return httpx.Response(204)


def run(settings: Settings, server: Server, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser()
    add_signal_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["signal", *argv])
    out = io.StringIO()
    code = run_signal_command(args, settings, out=out, http_transport=httpx.MockTransport(server))
    return code, out.getvalue()


def alerts(settings: Settings) -> OperatorAlerts:
    assert settings.data_dir is not None
    return OperatorAlerts(settings.data_dir / "signal-alerts.json")


def test_status_lists_what_needs_the_operator(settings: Settings) -> None:
    alerts(settings).rate_limited(("tok-1",))
    alerts(settings).untrusted_identity("a1b2c3d4e5", ANNA_UUID)
    code, out = run(settings, Server(), "status")
    assert code == 0
    assert "0.100, mode json-rpc" in out
    assert "registered or linked" in out
    assert "confidant signal challenge" in out
    assert "confidant signal trust a1b2c3d4e5" in out


def test_status_fails_when_the_number_is_missing(settings: Settings) -> None:
    server = Server()
    server.accounts = []
    code, out = run(settings, server, "status")
    assert code == 1
    assert "NOT registered or linked" in out


def test_challenge_uses_the_saved_token_and_clears_it(settings: Settings) -> None:
    alerts(settings).rate_limited(("tok-1",))
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
    assert alerts(settings).load().challenge_tokens == []
    assert "lifted" in out


def test_challenge_refusal_is_explained_and_keeps_the_token(settings: Settings) -> None:
    alerts(settings).rate_limited(("tok-1",))
    server = Server()
    server.failure = httpx.Response(400, json={"error": "invalid captcha action"})
    code, out = run(settings, server, "challenge", "signalcaptcha://stale")
    assert code == 1
    assert "invalid captcha action" in out
    assert alerts(settings).load().challenge_tokens == ["tok-1"]


def test_challenge_without_token_or_with_a_bad_captcha(settings: Settings) -> None:
    assert run(settings, Server(), "challenge", "signalcaptcha://x")[0] == 2
    assert run(settings, Server(), "challenge", "not-a-captcha", "--token", "t")[0] == 2


def test_trust_by_pseudonym(settings: Settings) -> None:
    alerts(settings).untrusted_identity("a1b2c3d4e5", ANNA_UUID)
    server = Server()
    code, _ = run(settings, server, "trust", "a1b2c3d4e5")
    assert code == 0
    assert server.requests == [
        ("PUT", f"/v1/identities/{BOT_NUMBER}/trust/{ANNA_UUID}", {"trust_all_known_keys": True})
    ]
    assert alerts(settings).load().untrusted == {}


def test_trust_with_a_verified_safety_number(settings: Settings) -> None:
    server = Server()
    code, _ = run(settings, server, "trust", "+4915122222222", "--safety-number", "12345")
    assert code == 0
    assert server.requests[0][2] == {"verified_safety_number": "12345"}


def test_trust_rejects_unknown_pseudonyms(settings: Settings) -> None:
    server = Server()
    assert run(settings, server, "trust", "nobody")[0] == 2
    assert server.requests == []


def test_without_signal_configured(tmp_path: Path) -> None:
    settings = load_settings({"CONFIDANT_DATA_DIR": str(tmp_path)})
    assert run(settings, Server(), "status")[0] == 2
