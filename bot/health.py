"""/healthz, /readyz and /metrics for `confidant run`, on CONFIDANT_HTTP_ADDR (default 127.0.0.1:9090).

A few lines of asyncio rather than a web framework: three read-only GET endpoints do not justify a dependency.
Everything served comes from the `health()` snapshots of the worker and the transports, which hold counts,
times and states only: no ids, numbers or text.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

logger = logging.getLogger(__name__)

MAX_REQUEST_LINE = 2048


class HasHealth(Protocol):
    def health(self) -> Mapping[str, object]: ...


class NamedHealth(HasHealth, Protocol):
    name: str


def readiness(transports: Sequence[NamedHealth]) -> tuple[bool, dict[str, dict[str, object]]]:
    """Ready when every transport can receive (its socket is connected or its last poll worked)."""
    snapshots = {transport.name: dict(transport.health()) for transport in transports}
    ready = all(snapshot.get("connected") is not False for snapshot in snapshots.values())
    return ready, snapshots


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    return None


def metrics(worker: HasHealth, transports: Sequence[NamedHealth]) -> str:
    """The Prometheus text format: gauges for every numeric field, a counter per message outcome."""
    lines = [
        "# HELP confidant_messages_total Messages finished since start, by how they ended.",
        "# TYPE confidant_messages_total counter",
    ]
    snapshot = worker.health()
    outcomes = snapshot.get("outcomes")
    if isinstance(outcomes, Mapping):
        for outcome, count in sorted(outcomes.items()):
            lines.append(f'confidant_messages_total{{outcome="{outcome}"}} {count}')
    for field in ("queued", "conversations"):
        value = _number(snapshot.get(field))
        if value is not None:
            lines += [f"# TYPE confidant_{field} gauge", f"confidant_{field} {value:g}"]
    for transport in transports:
        for field, raw in sorted(transport.health().items()):
            value = _number(raw)
            if value is not None:
                lines.append(f'confidant_transport_{field}{{transport="{transport.name}"}} {value:g}')
    return "\n".join(lines) + "\n"


class HealthServer:
    def __init__(self, worker: HasHealth, transports: Sequence[NamedHealth]) -> None:
        self._worker = worker
        self._transports = transports
        self._server: asyncio.Server | None = None

    @property
    def port(self) -> int | None:
        if self._server is None or not self._server.sockets:
            return None
        return int(self._server.sockets[0].getsockname()[1])

    async def start(self, address: str) -> bool:
        """Listen on HOST:PORT. False (and a log line) if the address is taken: a second instance started
        for a hand-over must not fail because the first still holds the port."""
        host, _, port = address.rpartition(":")
        try:
            self._server = await asyncio.start_server(self._serve, host.strip("[]"), int(port))
        except OSError as error:
            logger.warning("health endpoints not served on %s: %s", address, error.strerror or error)
            return False
        return True

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await asyncio.wait_for(reader.readline(), timeout=5)
            method, path = self._parse(request)
            while (await asyncio.wait_for(reader.readline(), timeout=5)).strip():
                pass  # headers: nothing here depends on them
            status, content_type, body = self._respond(method, path)
            head = (
                f"HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
            )
            writer.write(head.encode("ascii") + body)
            await writer.drain()
        except (TimeoutError, ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass  # a broken or slow client: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    @staticmethod
    def _parse(request: bytes) -> tuple[str, str]:
        if len(request) > MAX_REQUEST_LINE:
            raise ValueError("request line too long")
        parts = request.decode("latin-1").split()
        if len(parts) != 3:
            raise ValueError("not an HTTP request line")
        return parts[0], parts[1].split("?", 1)[0]

    def _respond(self, method: str, path: str) -> tuple[str, str, bytes]:
        if method != "GET":
            return "405 Method Not Allowed", "text/plain", b"GET only\n"
        if path == "/healthz":
            return "200 OK", "application/json", b'{"status": "ok"}\n'
        if path == "/readyz":
            ready, snapshots = readiness(self._transports)
            body = json.dumps({"ready": ready, "transports": snapshots}, default=str).encode() + b"\n"
            return ("200 OK" if ready else "503 Service Unavailable"), "application/json", body
        if path == "/metrics":
            return "200 OK", "text/plain; version=0.0.4", metrics(self._worker, self._transports).encode()
        return "404 Not Found", "text/plain", b"not found\n"


def _dial_address(address: str) -> tuple[str, int]:
    """Where to reach a server listening on HOST:PORT: a wildcard host is reached on loopback."""
    host, _, port = address.rpartition(":")
    host = host.strip("[]")
    wildcard = {"0.0.0.0": "127.0.0.1", "": "127.0.0.1", "::": "::1"}  # noqa: S104 - mapped away, not bound
    return wildcard.get(host, host), int(port)


def check_ready(address: str, timeout: float = 5.0) -> tuple[bool, str]:
    """Asks a running `confidant run` on `address` (CONFIDANT_HTTP_ADDR) for /readyz: (ready, one line).

    The standard library's http.client rather than httpx: this runs every few seconds as a container health
    check, where a short start-up and no proxy settings from the environment are what matter."""
    import http.client

    host, port = _dial_address(address)
    connection = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        connection.request("GET", "/readyz", headers={"Connection": "close"})
        response = connection.getresponse()
        body = response.read(65536)
    except (OSError, http.client.HTTPException) as error:
        reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
        return False, f"no answer from confidant run at {address}: {reason}"
    finally:
        connection.close()
    try:
        data = json.loads(body)
        transports = data.get("transports", {})
        down = sorted(name for name, snapshot in transports.items() if snapshot.get("connected") is False)
    except (ValueError, AttributeError):
        return False, f"{address} answered /readyz with HTTP {response.status}, not Confidant's readiness"
    if response.status == 200 and data.get("ready") is True:
        return True, "ready: " + (", ".join(sorted(transports)) or "no messenger") + " connected"
    if down:
        return False, "not ready: " + ", ".join(down) + " not connected"
    return False, f"not ready (HTTP {response.status})"
