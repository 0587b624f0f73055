"""A fake signal-cli-rest-api over real loopback HTTP and WebSocket, for tests and the benchmark.

It follows the upstream swagger (`shared/reference/signal-cli-rest-api/swagger.json`) and the server
behaviour described in the research note: in json-rpc mode a pushed message goes to every socket attached at
that moment and is lost if none is; polled bodies are served as text/plain; errors are `{"error": "…"}`;
the 429 adds `challenge_tokens` and `account`.

HTTP is a deliberately small HTTP/1.1 server on asyncio streams (keep-alive, Content-Length bodies: what
httpx sends). A WebSocket upgrade on `/v1/receive/{number}` is spliced byte for byte to a `websockets`
server on a second loopback port, which gives the tests a real WebSocket and a place to misbehave: close
cleanly, drop the TCP connection, or go silent (stop answering pings) like a half-open socket.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve

from tests.fakes.signal_envelopes import BOT_NUMBER

REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    404: "Not Found",
    429: "Too Many Requests",
    500: "Internal Server Error",
}


@dataclass(frozen=True, slots=True)
class Reply:
    """A scripted `/v2/send` outcome: a status and body, a delay first, or a dropped connection."""

    status: int = 201
    body: object = None
    delay: float = 0.0
    drop: bool = False


@dataclass
class Recorded:
    sent: list[dict[str, Any]] = field(default_factory=list)
    send_attempts: list[dict[str, Any]] = field(default_factory=list)
    typing: list[tuple[str, str]] = field(default_factory=list)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    trusted: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    challenges: list[dict[str, Any]] = field(default_factory=list)
    deleted_attachments: list[str] = field(default_factory=list)
    requests: list[tuple[str, str]] = field(default_factory=list)
    link_requests: list[str] = field(default_factory=list)


class FakeSignalApi:
    def __init__(
        self,
        *,
        number: str = BOT_NUMBER,
        mode: str = "json-rpc",
        version: str = "0.100",
        send_shape: str = "object",
    ) -> None:
        self.number = number
        self.mode = mode
        self.version = version
        self.send_shape = send_shape
        self.accounts: list[str] = [number]
        self.accounts_failure: Reply | None = None
        self.receive_failure: Reply | None = None
        # signal-cli may return before `timeout` runs out; tests cap the wait so an idle poll is quick.
        self.max_poll_wait = 0.25
        self.healthy = True
        self.send_script: deque[Reply] = deque()
        self.on_send: Callable[[dict[str, Any]], Awaitable[None]] | None = None
        self.recorded = Recorded()
        self.ws_connections = 0
        # The most sockets attached at once (make-before-break shows as 2).
        self.max_sockets = 0
        self._queue: deque[str] = deque()
        self._queued = asyncio.Event()
        self._sockets: set[ServerConnection] = set()
        self._splices: set[asyncio.StreamWriter] = set()
        self._connections: set[asyncio.StreamWriter] = set()
        self._handlers: set[asyncio.Task[None]] = set()
        self._frozen = False
        self._server: asyncio.Server | None = None
        self._ws_server: Server | None = None
        self._changed = asyncio.Condition()
        self._clock_ms = int(time.time() * 1000)
        self.port = 0

    # -- lifecycle --

    async def __aenter__(self) -> FakeSignalApi:
        await self.start()
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.stop()

    async def start(self, port: int = 0) -> None:
        self._ws_server = await serve(
            self._ws_handler, "127.0.0.1", 0, ping_interval=None, compression=None, max_queue=None
        )
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", port)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        self.drop_sockets()
        for writer in list(self._connections):
            writer.transport.abort()
        if self._handlers:
            await asyncio.wait(self._handlers, timeout=2)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 2)
        if self._ws_server is not None:
            self._ws_server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._ws_server.wait_closed(), 2)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- what a test drives --

    async def push(self, frame: object) -> int:
        """Deliver one message. json-rpc: to every attached socket (returns how many; 0 means lost, as
        upstream). Other modes: queued until the next poll."""
        return await self.push_raw(json.dumps(frame))

    async def push_raw(self, text: str) -> int:
        if self.mode != "json-rpc":
            self._queue.append(text)
            self._queued.set()
            return 1
        delivered = 0
        for socket in list(self._sockets):
            with contextlib.suppress(Exception):
                await socket.send(text)
                delivered += 1
        return delivered

    @property
    def sockets(self) -> int:
        return len(self._sockets)

    async def wait_for(self, predicate: Callable[[], bool], within: float = 5.0) -> None:
        async with asyncio.timeout(within), self._changed:
            await self._changed.wait_for(predicate)

    async def wait_for_sockets(self, count: int = 1, within: float = 5.0) -> None:
        await self.wait_for(lambda: len(self._sockets) >= count, within)

    async def wait_for_sent(self, count: int, within: float = 5.0) -> None:
        await self.wait_for(lambda: len(self.recorded.sent) >= count, within)

    async def close_sockets(self, code: int = 1000) -> None:
        for socket in list(self._sockets):
            await socket.close(code)

    def drop_sockets(self) -> None:
        """Kill the TCP connections without a close frame, as a crashed server or a broken network would."""
        for writer in list(self._splices):
            writer.transport.abort()
        self._splices.clear()

    def freeze_sockets(self, frozen: bool = True) -> None:
        """Stop moving bytes in either direction (pings unanswered): a half-open connection."""
        self._frozen = frozen

    # -- HTTP --

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._handlers.add(task)
            task.add_done_callback(self._handlers.discard)
        self._connections.add(writer)
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, ConnectionError):
                    return
                method, target, headers = _parse_head(head)
                if headers.get("upgrade", "").lower() == "websocket":
                    await self._upgrade(head, target, reader, writer)
                    return
                length = int(headers.get("content-length", "0") or 0)
                body = await reader.readexactly(length) if length else b""
                reply = await self._route(method, target, body)
                if reply.drop:
                    writer.transport.abort()
                    return
                if reply.delay:
                    await asyncio.sleep(reply.delay)
                writer.write(_response(reply))
                await writer.drain()
                await self._notify()
        except (ConnectionError, asyncio.IncompleteReadError):
            return
        finally:
            self._connections.discard(writer)
            with contextlib.suppress(Exception):
                writer.close()

    async def _route(self, method: str, target: str, raw: bytes) -> Reply:
        parts = urlsplit(target)
        path = unquote(parts.path)
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        self.recorded.requests.append((method, path))
        try:
            body: Any = json.loads(raw) if raw else None
        except json.JSONDecodeError:
            return _error(400, "Couldn't process request - invalid request")
        own = f"/{self.number}"
        if (method, path) == ("GET", "/v1/health"):
            return Reply(204 if self.healthy else 500)
        if (method, path) == ("GET", "/v1/about"):
            return Reply(
                200,
                {
                    "versions": ["v1", "v2"],
                    "build": 2,
                    "mode": self.mode,
                    "version": self.version,
                    "capabilities": {"v2/send": ["quotes", "mentions"]},
                },
            )
        if (method, path) == ("GET", "/v1/accounts"):
            return self.accounts_failure or Reply(200, self.accounts)
        if path == "/v1/receive" + own and method == "GET":
            if self.mode == "json-rpc":
                return _error(
                    400,
                    "websocket: the client is not using the websocket protocol: "
                    "'upgrade' token not found in 'Connection' header",
                )
            return self.receive_failure or await self._poll(query)
        if (method, path) == ("POST", "/v2/send"):
            return await self._send(body)
        if path == "/v1/typing-indicator" + own and method in ("PUT", "DELETE"):
            self.recorded.typing.append((method, str((body or {}).get("recipient"))))
            return Reply(204)
        if (method, path) == ("POST", "/v1/receipts" + own):
            if not isinstance(body, dict) or body.get("receipt_type") not in ("read", "viewed"):
                return _error(400, "Couldn't process request - invalid receipt type")
            self.recorded.receipts.append(body)
            return Reply(204)
        if method == "PUT" and path.startswith(f"/v1/identities{own}/trust/"):
            self.recorded.trusted.append((path.rsplit("/", 1)[1], body or {}))
            return Reply(204)
        if (method, path) == ("POST", f"/v1/accounts{own}/rate-limit-challenge"):
            if not isinstance(body, dict) or not body.get("challenge_token") or not body.get("captcha"):
                return _error(400, "Couldn't process request - challenge_token and captcha required")
            self.recorded.challenges.append(body)
            return Reply(204)
        if (method, path) == ("GET", "/v1/qrcodelink/raw"):
            if not query.get("device_name"):
                return _error(400, "Please provide a name for the device")
            self.recorded.link_requests.append(query["device_name"])
            serial = len(self.recorded.link_requests)
            # signal-cli's shape: a provisioning id and an ephemeral public key, URL-encoded base64.
            uri = f"sgnl://linkdevice?uuid=Xq3kW9nB7vPz{serial:04d}Lm2Rt&pub_key=BTq8v0Yw3%2BjK5nZp7sQ1xR4uV6yA9cE2gH4kM"
            return Reply(200, {"device_link_uri": uri})
        if method == "DELETE" and path.startswith("/v1/attachments/"):
            self.recorded.deleted_attachments.append(path.rsplit("/", 1)[1])
            return Reply(204)
        return Reply(404, "404 page not found")

    async def _poll(self, query: dict[str, str]) -> Reply:
        for flag in (
            "ignore_attachments",
            "ignore_stories",
            "ignore_avatars",
            "ignore_stickers",
            "send_read_receipts",
        ):
            if flag in query and query[flag] not in ("true", "false"):
                return _error(400, f"Couldn't process request - {flag} parameter needs to be either 'true' or 'false'")
        wait = min(float(query.get("timeout", "1")), self.max_poll_wait)
        limit = int(query["max_messages"]) if "max_messages" in query else None
        if not self._queue:
            self._queued.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queued.wait(), wait)
        lines: list[str] = []
        while self._queue and (limit is None or len(lines) < limit):
            lines.append(self._queue.popleft())
        # Upstream joins signal-cli's output lines with commas and serves them with c.String (text/plain).
        return Reply(200, "[" + ",".join(lines) + "]")

    async def _send(self, body: Any) -> Reply:
        if not isinstance(body, dict) or body.get("number") != self.number:
            return _error(400, "Couldn't process request - number missing or unknown")
        recipients = body.get("recipients")
        if not isinstance(recipients, list) or not recipients:
            return _error(400, "Couldn't process request - please provide at least one recipient")
        self.recorded.send_attempts.append(body)
        await self._notify()
        if self.on_send is not None:
            await self.on_send(body)
        reply = self.send_script.popleft() if self.send_script else Reply()
        if reply.status == 201 and not reply.drop:
            self.recorded.sent.append(body)
            await self._notify()
            if reply.body is None:
                self._clock_ms += 1
                one = {"timestamp": str(self._clock_ms)}
                return Reply(201, [one] if self.send_shape == "list" else one, delay=reply.delay)
        return reply

    # -- WebSocket --

    async def _upgrade(
        self, head: bytes, target: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        if self.mode != "json-rpc" or self._ws_server is None:
            # Normal mode treats the route as the poll endpoint: the handshake gets a plain 200 and fails.
            writer.write(_response(Reply(200, "[]")))
            await writer.drain()
            return
        port = self._ws_server.sockets[0].getsockname()[1]
        inner_reader, inner_writer = await asyncio.open_connection("127.0.0.1", port)
        inner_writer.write(head)
        self._splices.add(writer)
        try:
            await asyncio.gather(self._pipe(reader, inner_writer), self._pipe(inner_reader, writer))
        finally:
            self._splices.discard(writer)
            inner_writer.transport.abort()
            writer.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(ConnectionError, OSError):
            while chunk := await reader.read(65536):
                if self._frozen:
                    continue
                writer.write(chunk)
                await writer.drain()
        writer.transport.abort()

    async def _ws_handler(self, socket: ServerConnection) -> None:
        path = unquote(socket.request.path if socket.request else "")
        if path != f"/v1/receive/{self.number}":
            # Upstream forwards only frames for the account in the URL: a wrong number is a silent socket.
            await socket.wait_closed()
            return
        self.ws_connections += 1
        self._sockets.add(socket)
        self.max_sockets = max(self.max_sockets, len(self._sockets))
        await self._notify()
        try:
            # The client never needs to send; reading keeps pings answered and notices the close.
            async for _ in socket:
                pass
        except Exception:  # noqa: S110 - any end of the socket is just the end
            pass
        finally:
            self._sockets.discard(socket)
            await self._notify()


def _parse_head(head: bytes) -> tuple[str, str, dict[str, str]]:
    lines = head.decode("latin-1").split("\r\n")
    method, target, _ = lines[0].split(" ", 2)
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
    return method, target, headers


def _error(status: int, text: str) -> Reply:
    return Reply(status, {"error": text})


def _response(reply: Reply) -> bytes:
    if reply.status == 204 or reply.body is None:
        payload, kind = b"", "application/json"
    elif isinstance(reply.body, str):
        payload, kind = reply.body.encode(), "text/plain; charset=utf-8"
    else:
        payload, kind = json.dumps(reply.body).encode(), "application/json; charset=utf-8"
    head = f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Status')}\r\n"
    if reply.status != 204:
        head += f"Content-Type: {kind}\r\nContent-Length: {len(payload)}\r\n"
    return (head + "\r\n").encode() + payload
