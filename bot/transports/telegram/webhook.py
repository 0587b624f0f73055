"""Receiving by webhook: Telegram POSTs each update to `CONFIDANT_TELEGRAM_WEBHOOK_URL`, and this server,
on `CONFIDANT_TELEGRAM_WEBHOOK_ADDR`, stores it before answering 200.

It faces the internet, so it is aiohttp's server (a kept library), on an address of its own, never beside
/metrics. Every request must carry the secret token Telegram was given in `setWebhook`; anything else gets
403 and is not read. A non-2xx answer makes Telegram send the update again later, which is how an update
that could not be stored is not lost.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable

from aiohttp import web
from telegram import Bot, Update

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - the header's name, not a secret
MAX_BODY = 1 << 20  # Telegram's updates are far smaller; a bigger body is not from Telegram
Handle = Callable[[Update], Awaitable[bool]]


class WebhookServer:
    def __init__(self, bot: Bot, handle: Handle, *, secret: str, path: str = "/") -> None:
        self._bot = bot
        self._handle = handle
        self._secret = secret.encode()
        self._path = path or "/"
        self._runner: web.AppRunner | None = None
        self.port: int | None = None
        self.last_update_at: float | None = None

    def app(self) -> web.Application:
        app = web.Application(client_max_size=MAX_BODY)
        app.router.add_post(self._path, self._receive)
        return app

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403)
        try:
            data = await request.json()
            update = Update.de_json(data, self._bot)
        except Exception as error:
            logger.warning("webhook request that is not an update: %s", type(error).__name__)
            return web.Response(status=400)
        if update is None:
            return web.Response(status=400)
        if not await self._handle(update):
            return web.Response(status=503)  # Telegram sends it again later
        return web.Response(status=200)

    async def start(self, addr: str) -> None:
        host, _, port = addr.rpartition(":")
        # access_log=None: aiohttp's access log would write each request line, and the path can be secret.
        self._runner = web.AppRunner(self.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host.strip("[]"), int(port))
        await site.start()
        # Port 0 (tests) means the system chose one; the runner knows which.
        self.port = int(self._runner.addresses[0][1])
        logger.info("Telegram webhook listening on port %d", self.port)

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
