"""The Signal client's wire: httpx stays the API (its errors, timeouts and tests), aiohttp carries the bytes.

httpcore's pool costs more CPU per request the more requests are in flight; aiohttp's stays flat
(bench/http_wire.py). The errors are mapped so that the client's one retry rule keeps its meaning: only a
failure that proves the request never left (no connection could be made, or none became free in time) becomes
`httpx.ConnectError`/`ConnectTimeout`; anything after the request may have been written (a dropped connection,
a read time-out) becomes `httpx.ReadError`/`ReadTimeout`, which the client never retries.

`SignalClient` calls `exchange` directly (no `httpx.Request` built and merged per call: that was a third of the
transport's CPU per message, bench/signal_transport.py); any other caller goes through httpx as usual. Both
raise the same httpx errors, mapped in one place.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import aiohttp
import httpx
from yarl import URL

RawHeaders = tuple[tuple[bytes, bytes], ...]


def wire_timeout(*, read: float | None, connect: float | None, pool: float | None) -> aiohttp.ClientTimeout:
    """httpx's time-outs in aiohttp's terms: waiting for a free connection and connecting, then each read."""
    return aiohttp.ClientTimeout(connect=pool, sock_connect=connect, sock_read=read)


class AiohttpWire(httpx.AsyncBaseTransport):
    def __init__(self, *, max_connections: int = 64, keepalive_expiry: float = 5.0) -> None:
        self._max_connections = max_connections
        self._keepalive_expiry = keepalive_expiry
        self._session: aiohttp.ClientSession | None = None

    def _open(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(limit=self._max_connections, keepalive_timeout=self._keepalive_expiry)
            # trust_env=False: no proxy from the environment (the API sits next to the bot).
            self._session = aiohttp.ClientSession(connector=connector, trust_env=False, auto_decompress=False)
        return self._session

    async def exchange(
        self,
        method: str,
        url: str | URL,
        *,
        headers: Mapping[str, str] | Iterable[tuple[str, str]],
        body: bytes | None,
        limits: aiohttp.ClientTimeout,
        params: Mapping[str, str] | None = None,
        request: httpx.Request | None = None,
    ) -> tuple[int, RawHeaders, bytes]:
        """One request: its status, headers and whole body, or an httpx error (see the module's note)."""
        try:
            async with self._open().request(
                method,
                url,
                headers=headers,
                params=params,
                data=body,
                allow_redirects=False,
                compress=False,
                timeout=limits,
            ) as response:
                return response.status, response.raw_headers, await response.read()
        except aiohttp.ClientConnectorError as error:  # no connection: nothing was sent
            raise httpx.ConnectError(type(error).__name__, request=request) from None
        except aiohttp.ConnectionTimeoutError as error:  # no connection in time: nothing was sent
            raise httpx.ConnectTimeout(type(error).__name__, request=request) from None
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise httpx.ReadTimeout(type(error).__name__, request=request) from None
        except aiohttp.ClientError as error:  # the request may have been written: never retried
            raise httpx.ReadError(type(error).__name__, request=request) from None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()
        status, headers, content = await self.exchange(
            request.method,
            str(request.url),
            headers=request.headers.multi_items(),
            body=body or None,
            limits=wire_timeout(read=timeout.get("read"), connect=timeout.get("connect"), pool=timeout.get("pool")),
            request=request,
        )
        return httpx.Response(
            status_code=status,
            headers=headers,
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
