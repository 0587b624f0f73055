"""The Signal client's wire: httpx stays the API (its errors, timeouts and tests), aiohttp carries the bytes.

httpcore's pool costs more CPU per request the more requests are in flight; aiohttp's stays flat
(bench/http_wire.py). The errors are mapped so that the client's one retry rule keeps its meaning: only a
failure that proves the request never left (no connection could be made, or none became free in time) becomes
`httpx.ConnectError`/`ConnectTimeout`; anything after the request may have been written (a dropped connection,
a read time-out) becomes `httpx.ReadError`/`ReadTimeout`, which the client never retries.
"""

from __future__ import annotations

import aiohttp
import httpx


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

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        timeout = request.extensions.get("timeout", {})
        body = await request.aread()
        try:
            async with self._open().request(
                request.method,
                str(request.url),
                headers=request.headers.multi_items(),
                data=body or None,
                allow_redirects=False,
                compress=False,
                timeout=aiohttp.ClientTimeout(
                    connect=timeout.get("pool"),
                    sock_connect=timeout.get("connect"),
                    sock_read=timeout.get("read"),
                ),
            ) as response:
                content = await response.read()
                return httpx.Response(
                    status_code=response.status,
                    headers=response.raw_headers,
                    content=content,
                    request=request,
                    extensions={"http_version": b"HTTP/1.1"},
                )
        except aiohttp.ClientConnectorError as error:  # no connection: nothing was sent
            raise httpx.ConnectError(type(error).__name__, request=request) from None
        except aiohttp.ConnectionTimeoutError as error:  # no connection in time: nothing was sent
            raise httpx.ConnectTimeout(type(error).__name__, request=request) from None
        except (TimeoutError, aiohttp.ServerTimeoutError) as error:
            raise httpx.ReadTimeout(type(error).__name__, request=request) from None
        except aiohttp.ClientError as error:  # the request may have been written: never retried
            raise httpx.ReadError(type(error).__name__, request=request) from None

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
