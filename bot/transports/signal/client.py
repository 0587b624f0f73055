"""A small async client for the parts of signal-cli-rest-api the bot uses.

One `httpx.AsyncClient` (one connection pool) for the life of the process, explicit timeouts on every call,
typed errors (`bot.transports.signal.errors`). With its own aiohttp wire (the default) each call goes to the wire
directly, without building an `httpx.Request`; with any other httpx transport, through httpx. Both raise httpx's
errors, which one place turns into ours. The only automatic retry is for failures that prove the request
never reached the server (connection refused, DNS, connect timeout): everything else is reported, never
repeated, because Signal sends have no idempotency key.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import aiohttp
import httpx
import orjson
from yarl import URL

from bot.transports.backoff import Backoff
from bot.transports.signal.envelopes import as_int
from bot.transports.signal.errors import SignalError, SignalTimeout, SignalUnavailable, error_from_response
from bot.transports.signal.wire import AiohttpWire, wire_timeout

logger = logging.getLogger(__name__)

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True, slots=True)
class About:
    mode: str
    version: str
    versions: tuple[str, ...] = ()
    build: int | None = None


@dataclass(frozen=True, slots=True)
class SendResult:
    """A 201 from `/v2/send`; `failed_reasons` lists per-recipient failures (partial delivery)."""

    timestamp: int | None
    failed_reasons: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Timeouts:
    connect: float = 5.0
    # /v2/send in normal mode starts a JVM per call; json-rpc can hang forever, so this is the only guard.
    send: float = 60.0
    # typing indicators, receipts, about, accounts: small and never worth a long wait.
    quick: float = 10.0
    # added to the poll `timeout` parameter, for the JVM start in normal mode.
    poll_margin: float = 30.0


def parse_send_response(body: object) -> SendResult:
    """Both shapes in the wild: `{"timestamp": "…"}` (0.100) and `[{"timestamp", "errors"}]` (newer)."""
    batches: Sequence[object] = body if isinstance(body, list) else [body]
    timestamp: int | None = None
    reasons: list[str] = []
    for batch in batches:
        if not isinstance(batch, Mapping):
            continue
        if timestamp is None:
            timestamp = as_int(batch.get("timestamp"))
        errors = batch.get("errors")
        recipients = errors.get("recipients") if isinstance(errors, Mapping) else None
        for failure in recipients if isinstance(recipients, list) else ():
            if isinstance(failure, Mapping):
                reasons.append(str(failure.get("reason") or "UNKNOWN"))
    return SendResult(timestamp=timestamp, failed_reasons=tuple(reasons))


class SignalClient:
    def __init__(
        self,
        base_url: str,
        number: str,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeouts: Timeouts | None = None,
        connect_attempts: int = 3,
        retry_delay: float = 0.5,
        rng: random.Random | None = None,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.number = number
        self.timeouts = timeouts or Timeouts()
        self._connect_attempts = max(1, connect_attempts)
        self._retry_delay = retry_delay
        self._rng = rng or random.Random()
        self._sleep = sleep
        self._account_path = quote(number, safe="+")
        t = self.timeouts
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
        if transport is None:
            # httpx stays the API; aiohttp carries the bytes (bot.transports.signal.wire, bench/http_wire.py).
            transport = AiohttpWire(max_connections=64)
        # Our own wire is called directly, without an `httpx.Request` per call; any other transport (the tests'
        # `httpx.MockTransport`) through httpx. Both raise httpx's errors, which `_request` reads alike.
        self._wire = transport if isinstance(transport, AiohttpWire) else None
        self._wire_urls: dict[str, URL] = {}
        self._wire_timeouts: dict[float | None, aiohttp.ClientTimeout] = {}
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            timeout=httpx.Timeout(t.quick, connect=t.connect),
            limits=limits,
            headers={"user-agent": "confidant"},
            # The API lives on a private network next to the bot; a proxy from the environment would only
            # send account traffic somewhere else.
            trust_env=False,
        )

    @property
    def websocket_url(self) -> str:
        scheme, _, rest = self.base_url.partition("://")
        ws_scheme = "wss" if scheme == "https" else "ws"
        return f"{ws_scheme}://{rest}/v1/receive/{self._account_path}"

    async def aclose(self) -> None:
        await self._http.aclose()

    # -- the calls --

    async def health(self) -> bool:
        """Liveness of the REST process only: 204 even when signal-cli is broken (upstream #481)."""
        response = await self._request("GET", "/v1/health")
        return response.status_code == 204

    async def about(self) -> About:
        data = _json(await self._request("GET", "/v1/about"))
        if not isinstance(data, Mapping):
            raise SignalUnavailable(detail="unexpected /v1/about body", ambiguous=False)
        versions = data.get("versions")
        build = data.get("build")
        return About(
            mode=str(data.get("mode") or "unknown"),
            version=str(data.get("version") or "unset"),
            versions=tuple(str(v) for v in versions) if isinstance(versions, list) else (),
            build=build if isinstance(build, int) and not isinstance(build, bool) else None,
        )

    async def accounts(self) -> list[str]:
        """Accounts known to signal-cli; in json-rpc mode this asks the daemon: a deep health probe."""
        data = _json(await self._request("GET", "/v1/accounts"))
        return [str(item) for item in data] if isinstance(data, list) else []

    async def receive(self, *, wait_seconds: int, max_messages: int) -> str:
        """One poll (normal/native mode). Returns the raw body: a JSON array, served as text/plain."""
        params = {
            "timeout": str(wait_seconds),
            "max_messages": str(max_messages),
            "ignore_attachments": "true",
            "ignore_stories": "true",
            "ignore_avatars": "true",
            "ignore_stickers": "true",
            # Receipts are sent by us, only after the message is safely in the inbox.
            "send_read_receipts": "false",
        }
        read = wait_seconds + self.timeouts.poll_margin
        response = await self._request("GET", f"/v1/receive/{self._account_path}", params=params, read=read)
        return response.text

    async def send(self, recipient: str, message: str, *, styled: bool = True) -> SendResult:
        body: dict[str, Any] = {
            "number": self.number,
            "recipients": [recipient],
            "message": message,
            "text_mode": "styled" if styled else "normal",
            # Our own other devices need no copy of every answer.
            "notify_self": False,
        }
        response = await self._request("POST", "/v2/send", json=body, read=self.timeouts.send)
        # A 201 is a success whatever its body says; an unreadable body only costs us the timestamp.
        return parse_send_response(_json_or_text(response))

    async def typing(self, recipient: str, *, on: bool) -> None:
        await self._request(
            "PUT" if on else "DELETE",
            f"/v1/typing-indicator/{self._account_path}",
            json={"recipient": recipient},
        )

    async def read_receipt(self, recipient: str, timestamp: int) -> None:
        await self._request(
            "POST",
            f"/v1/receipts/{self._account_path}",
            json={"recipient": recipient, "receipt_type": "read", "timestamp": timestamp},
        )

    async def delete_attachment(self, attachment_id: str) -> None:
        await self._request("DELETE", f"/v1/attachments/{quote(attachment_id, safe='')}")

    async def identities(self) -> list[Mapping[str, object]]:
        """The identities signal-cli knows (number, uuid, safety number, status), for the operator's commands."""
        data = _json(await self._request("GET", f"/v1/identities/{self._account_path}"))
        return [entry for entry in data if isinstance(entry, Mapping)] if isinstance(data, list) else []

    async def trust(self, recipient: str, *, safety_number: str | None = None) -> None:
        body: dict[str, Any] = (
            {"verified_safety_number": safety_number} if safety_number else {"trust_all_known_keys": True}
        )
        await self._request("PUT", f"/v1/identities/{self._account_path}/trust/{quote(recipient, safe='+')}", json=body)

    async def rate_limit_challenge(self, challenge_token: str, captcha: str) -> None:
        await self._request(
            "POST",
            f"/v1/accounts/{self._account_path}/rate-limit-challenge",
            json={"challenge_token": challenge_token, "captcha": captcha},
        )

    async def link_uri(self, device_name: str) -> str:
        """Starts linking this server as a new device of a phone's account: the `sgnl://linkdevice?…` URI that
        the phone scans as a QR code (`/v1/qrcodelink/raw`, in 0.100). A new one per call."""
        response = await self._request(
            "GET", "/v1/qrcodelink/raw", params={"device_name": device_name}, read=self.timeouts.send
        )
        data = _json(response)
        uri = data.get("device_link_uri") if isinstance(data, Mapping) else None
        if not isinstance(uri, str) or not uri.startswith("sgnl://"):
            raise SignalUnavailable(status=response.status_code, detail="no device link URI in the answer")
        return uri

    # -- plumbing --

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: object = None,
        params: Mapping[str, str] | None = None,
        read: float | None = None,
    ) -> Reply:
        """One call; `read` is its read time-out (`Timeouts.quick` when None)."""
        backoff: Backoff | None = None
        attempt = 1
        while True:
            try:
                if self._wire is not None:
                    response = await self._by_wire(self._wire, method, path, json, params, read)
                else:
                    response = await self._by_httpx(method, path, json, params, read)
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as error:
                # Certainly never reached the server: the one case where a retry cannot duplicate anything.
                if attempt >= self._connect_attempts:
                    raise SignalUnavailable(detail=type(error).__name__, ambiguous=False) from None
                attempt += 1
                if backoff is None:
                    backoff = Backoff(self._retry_delay, self._retry_delay * 8, rng=self._rng)
                await self._sleep(backoff.next())
                continue
            except httpx.TimeoutException as error:
                raise SignalTimeout(detail=type(error).__name__) from None
            except httpx.HTTPError as error:
                # The request may have been read and acted on before the connection broke.
                raise SignalUnavailable(detail=type(error).__name__) from None
            if response.status_code >= 400:
                raise error_from_response(response.status_code, _json_or_text(response))
            return response

    async def _by_httpx(
        self, method: str, path: str, json: object, params: Mapping[str, str] | None, read: float | None
    ) -> Reply:
        response = await self._http.request(
            method,
            path,
            json=json,
            params=params,
            timeout=httpx.USE_CLIENT_DEFAULT if read is None else httpx.Timeout(read, connect=self.timeouts.connect),
        )
        return Reply(response.status_code, response.content)

    async def _by_wire(
        self,
        wire: AiohttpWire,
        method: str,
        path: str,
        json: object,
        params: Mapping[str, str] | None,
        read: float | None,
    ) -> Reply:
        # What httpx would send: the same URL, JSON body and time-outs (`connect` for connecting, the read
        # time-out for waiting on the pool too, as httpx's pool time-out defaults to it).
        url = self._wire_urls.get(path)
        if url is None:
            url = URL(self.base_url + path)
            if len(self._wire_urls) < 32:  # the few fixed paths; attachment ids and the like are not kept
                self._wire_urls[path] = url
        timeout = self._wire_timeouts.get(read)
        if timeout is None:
            seconds = self.timeouts.quick if read is None else read
            timeout = self._wire_timeouts[read] = wire_timeout(
                read=seconds, connect=self.timeouts.connect, pool=seconds
            )
        if json is None:
            status, _, content = await wire.exchange(
                method, url, headers=_HEADERS, body=None, limits=timeout, params=params
            )
        else:
            body = orjson.dumps(json)
            status, _, content = await wire.exchange(
                method, url, headers=_JSON_HEADERS, body=body, limits=timeout, params=params
            )
        return Reply(status, content)


class Reply:
    """What the client reads of a response: its status and body."""

    __slots__ = ("content", "status_code")

    def __init__(self, status_code: int, content: bytes) -> None:
        self.status_code = status_code
        self.content = content

    def json(self) -> object:
        # orjson's errors are json.JSONDecodeError too.
        return orjson.loads(self.content)

    @property
    def text(self) -> str:
        # signal-cli-rest-api serves UTF-8 only (httpx's default for a body without a charset too).
        return self.content.decode("utf-8", errors="replace")


# httpx's headers, less compression (the wire does not decompress; a local API need not compress). orjson writes
# the compact UTF-8 JSON httpx writes.
_HEADERS = {"user-agent": "confidant", "accept": "*/*", "accept-encoding": "identity"}
_JSON_HEADERS = {**_HEADERS, "content-type": "application/json"}


def _json(response: Reply) -> object:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise SignalUnavailable(
            status=response.status_code, detail="response body is not JSON", ambiguous=True
        ) from None


def _json_or_text(response: Reply) -> object:
    try:
        return response.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        return response.text


__all__ = ["About", "SendResult", "SignalClient", "SignalError", "Timeouts", "parse_send_response"]
