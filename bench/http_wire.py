"""CPU per request of the Signal client's HTTP wire, at 1, 8 and 50 requests in flight.

A small aiohttp server in its own process answers `POST /v2/send` like signal-cli-rest-api (201, a timestamp);
this process sends through `httpx.AsyncClient` with its default transport (httpcore, the pool limits
`SignalClient` used), with httpcore and a keep-alive pool as large as the connection limit, and with
`bot.transports.signal.wire.AiohttpWire` (aiohttp under httpx), and reports this process's CPU per request.

    .venv/bin/python -m bench.http_wire
"""

from __future__ import annotations

import asyncio
import json
import socket
import sys
import time

import httpx

REQUESTS = 3000
BODY = {"number": "+4930111111", "recipients": ["6f1c8e2a-3b7d-4a55-9c0e-000000000001"], "message": "x" * 300}


def serve(port: int) -> None:
    from aiohttp import web

    async def send(request: web.Request) -> web.Response:
        await request.read()
        return web.json_response({"timestamp": "1767225600000"}, status=201)

    app = web.Application()
    app.router.add_post("/v2/send/", send)
    app.router.add_post("/v2/send", send)
    web.run_app(app, host="127.0.0.1", port=port, print=None, access_log=None)


def transports() -> dict[str, httpx.AsyncBaseTransport | None]:
    from bot.transports.signal.wire import AiohttpWire

    return {
        "httpcore 64/32": None,
        "httpcore 64/64": httpx.AsyncHTTPTransport(
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=64)
        ),
        "aiohttp wire": AiohttpWire(max_connections=64),
    }


async def measure(port: int, in_flight: int, transport: httpx.AsyncBaseTransport | None) -> float:
    client = httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        transport=transport,
        limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
        trust_env=False,
    )
    counter = iter(range(REQUESTS))

    async def slot() -> None:
        for _ in counter:
            response = await client.post(
                "/v2/send", content=json.dumps(BODY), headers={"content-type": "application/json"}
            )
            assert response.status_code == 201
            response.json()

    await asyncio.gather(*(slot() for _ in range(in_flight)))  # warm-up: connections
    counter = iter(range(REQUESTS))
    started = time.process_time()
    await asyncio.gather(*(slot() for _ in range(in_flight)))
    cpu = (time.process_time() - started) / REQUESTS * 1000
    await client.aclose()
    return cpu


async def main() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = await asyncio.create_subprocess_exec(sys.executable, "-m", "bench.http_wire", "--serve", str(port))
    try:
        for _ in range(100):
            try:
                async with httpx.AsyncClient() as probe_client:
                    await probe_client.post(f"http://127.0.0.1:{port}/v2/send", content=b"{}")
                break
            except httpx.ConnectError:
                await asyncio.sleep(0.1)
        for in_flight in (1, 8, 50):
            for name, transport in transports().items():
                cpu = await measure(port, in_flight, transport)
                print(f"{in_flight:3} in flight  {name:17} {cpu:.3f} ms CPU per request")
    finally:
        server.terminate()
        await server.wait()


if __name__ == "__main__":
    if sys.argv[1:2] == ["--serve"]:
        serve(int(sys.argv[2]))
    else:
        asyncio.run(main())
