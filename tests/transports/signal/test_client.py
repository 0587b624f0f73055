from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

from bot.transports.signal.client import SendResult, SignalClient, Timeouts, parse_send_response
from bot.transports.signal.errors import (
    BadRequest,
    RateLimited,
    SignalTimeout,
    SignalUnavailable,
    UntrustedIdentity,
)

NUMBER = "+4930111111"
Handler = Callable[[httpx.Request], httpx.Response]


async def no_sleep(_: float) -> None:
    return None


def client_for(handler: Handler, **kwargs: object) -> SignalClient:
    return SignalClient(
        "http://signal.test",
        NUMBER,
        transport=httpx.MockTransport(handler),
        sleep=no_sleep,
        **kwargs,  # type: ignore[arg-type]
    )


async def test_send_posts_the_v2_body_and_parses_the_old_shape() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(201, json={"timestamp": "1767225601234"})

    client = client_for(handler)
    result = await client.send("6f1c8e2a-uuid", "**hi**", styled=True)
    assert result == SendResult(timestamp=1767225601234)
    body = json.loads(seen[0].content)
    assert seen[0].url.path == "/v2/send"
    assert body == {
        "number": NUMBER,
        "recipients": ["6f1c8e2a-uuid"],
        "message": "**hi**",
        "text_mode": "styled",
        "notify_self": False,
    }
    await client.aclose()


def test_new_list_shape_with_partial_failures() -> None:
    body = [
        {"timestamp": "17"},
        {"timestamp": "18", "errors": {"recipients": [{"uuid": "x", "reason": "UNREGISTERED_FAILURE"}]}},
    ]
    assert parse_send_response(body) == SendResult(timestamp=17, failed_reasons=("UNREGISTERED_FAILURE",))


def test_unreadable_201_body_is_still_a_success() -> None:
    assert parse_send_response("") == SendResult(timestamp=None)


async def test_connect_errors_are_retried_because_nothing_was_sent() -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(201, json={"timestamp": "5"})

    client = client_for(handler, connect_attempts=3)
    assert (await client.send("u", "x")).timestamp == 5
    assert calls == 3


async def test_connect_errors_give_up_unambiguously() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = client_for(handler, connect_attempts=2)
    with pytest.raises(SignalUnavailable) as caught:
        await client.send("u", "x")
    assert caught.value.ambiguous is False


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (httpx.ReadTimeout("slow"), SignalTimeout),
        (httpx.RemoteProtocolError("server disconnected"), SignalUnavailable),
        (httpx.ReadError("reset"), SignalUnavailable),
    ],
)
async def test_failures_after_the_request_left_are_ambiguous_and_not_retried(
    exc: httpx.HTTPError, kind: type[Exception]
) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        raise exc

    client = client_for(handler)
    with pytest.raises(kind) as caught:
        await client.send("u", "x")
    assert getattr(caught.value, "ambiguous", None) is True
    assert calls == 1


async def test_429_body_becomes_rate_limited_with_tokens() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={"error": "rate limiting", "challenge_tokens": ["t1"], "account": NUMBER})

    with pytest.raises(RateLimited) as caught:
        await client_for(handler).send("u", "x")
    assert caught.value.challenge_tokens == ("t1",)
    assert caught.value.ambiguous


async def test_400_untrusted_identity() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(400, json={"error": "Failed to send message due to untrusted identities"})

    with pytest.raises(UntrustedIdentity):
        await client_for(handler).send("u", "x")


async def test_poll_passes_string_parameters_and_a_longer_read_timeout() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, text="[]", headers={"content-type": "text/plain"})

    client = client_for(handler, timeouts=Timeouts(poll_margin=7))
    assert await client.receive(wait_seconds=3, max_messages=20) == "[]"
    request = seen[0]
    assert request.url.path == f"/v1/receive/{NUMBER}"
    assert request.url.params["timeout"] == "3"
    assert request.url.params["max_messages"] == "20"
    assert request.url.params["ignore_attachments"] == "true"
    assert request.url.params["send_read_receipts"] == "false"
    assert request.extensions["timeout"]["read"] == 10


async def test_about_accounts_typing_receipt_trust_and_challenge() -> None:
    seen: list[tuple[str, str, object]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        seen.append((request.method, request.url.path, body))
        if request.url.path == "/v1/about":
            return httpx.Response(
                200,
                json={
                    "versions": ["v1", "v2"],
                    "build": 2,
                    "mode": "json-rpc",
                    "version": "0.100",
                    "capabilities": {},
                },
            )
        if request.url.path == "/v1/accounts":
            return httpx.Response(200, json=[NUMBER])
        return httpx.Response(204)

    client = client_for(handler)
    about = await client.about()
    assert (about.mode, about.version, about.build) == ("json-rpc", "0.100", 2)
    assert await client.accounts() == [NUMBER]
    await client.typing("u1", on=True)
    await client.typing("u1", on=False)
    await client.read_receipt("u1", 99)
    await client.trust("u1")
    await client.rate_limit_challenge("tok", "signalcaptcha://abc")
    assert seen[2:] == [
        ("PUT", f"/v1/typing-indicator/{NUMBER}", {"recipient": "u1"}),
        ("DELETE", f"/v1/typing-indicator/{NUMBER}", {"recipient": "u1"}),
        ("POST", f"/v1/receipts/{NUMBER}", {"recipient": "u1", "receipt_type": "read", "timestamp": 99}),
        ("PUT", f"/v1/identities/{NUMBER}/trust/u1", {"trust_all_known_keys": True}),
        (
            "POST",
            f"/v1/accounts/{NUMBER}/rate-limit-challenge",
            {"challenge_token": "tok", "captcha": "signalcaptcha://abc"},
        ),
    ]


def test_websocket_url_follows_the_base_url() -> None:
    assert SignalClient("http://h:8080/", NUMBER).websocket_url == f"ws://h:8080/v1/receive/{NUMBER}"
    assert SignalClient("https://h", NUMBER).websocket_url == f"wss://h/v1/receive/{NUMBER}"


async def test_the_aiohttp_wire_sends_what_httpx_would_and_keeps_the_retry_rule() -> None:
    """The default client calls its aiohttp wire directly: same bodies, paths and parameters, same errors."""
    from tests.fakes.signal_api import FakeSignalApi
    from tests.fakes.signal_api import Reply as FakeReply

    async with FakeSignalApi() as api:
        client = SignalClient(api.url, NUMBER)
        assert (await client.send("6f1c8e2a-uuid", "**hi** ü")).timestamp is not None
        await client.typing("6f1c8e2a-uuid", on=True)
        await client.delete_attachment("a b.jpg")
        assert await client.accounts() == [NUMBER]
        # A 201 whose body is not JSON is still a success; a refusal in plain text is still read.
        api.send_script.extend([FakeReply(201, "sent"), FakeReply(400, "Couldn't process request - bad")])
        assert await client.send("6f1c8e2a-uuid", "again") == SendResult(timestamp=None)
        with pytest.raises(BadRequest) as refused:
            await client.send("6f1c8e2a-uuid", "again")
        assert refused.value.ambiguous is False
        await client.aclose()
    assert api.recorded.sent[0] == (
        {
            "number": NUMBER,
            "recipients": ["6f1c8e2a-uuid"],
            "message": "**hi** ü",
            "text_mode": "styled",
            "notify_self": False,
        }
    )
    assert api.recorded.typing == [("PUT", "6f1c8e2a-uuid")]
    assert api.recorded.deleted_attachments == ["a b.jpg"]

    async with FakeSignalApi(mode="normal") as api:
        await api.push({"envelope": {"timestamp": 1}})
        client = SignalClient(api.url, NUMBER)
        assert await client.receive(wait_seconds=1, max_messages=5) == '[{"envelope": {"timestamp": 1}}]'
        await client.aclose()

    # Nothing listens on this port: a failed connect is retried, then reported as certainly not sent.
    async with FakeSignalApi() as api:
        url = api.url
    sleeps: list[float] = []

    async def count(seconds: float) -> None:
        sleeps.append(seconds)

    client = SignalClient(url, NUMBER, connect_attempts=3, sleep=count)
    with pytest.raises(SignalUnavailable) as caught:
        await client.send("u", "x")
    assert caught.value.ambiguous is False
    assert len(sleeps) == 2
    await client.aclose()
