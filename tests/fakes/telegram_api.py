"""A fake Telegram Bot API that follows the real wire format, for the Telegram transport's tests.

Requests arrive as python-telegram-bot sends them: POST `<base>/bot<token>/<method>`, form-encoded, with
non-string values (reply_markup, link_preview_options, allowed_updates) JSON-encoded. Answers are
`{"ok": true, "result": …}` or `{"ok": false, "error_code": …, "description": …, "parameters": …}`, as
https://core.telegram.org/bots/api#making-requests describes.

`getUpdates` behaves like Telegram's: it returns updates with `update_id >= offset`, confirms (forgets)
those below the offset, and long-polls up to `timeout` seconds (scaled down by `time_scale`).

The same object is served two ways: in process through `httpx.MockTransport` (`mock_transport()`), or over
real loopback HTTP by aiohttp (`serve()`), for the smoke tests of the polling loop and `confidant run`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import httpx
from aiohttp import web

TOKEN = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
BOT = {"id": 777000, "is_bot": True, "first_name": "Confidant", "username": "ConfidantBot"}
OTHER_BOT = "OtherBot"

Json = dict[str, Any]


@dataclass
class Failure:
    """A scripted answer for one call of a method: an HTTP error, or an exception the transport raises."""

    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    # "connect": the connection is refused (nothing sent); "read-timeout": sent, no answer in time.
    raise_: str | None = None


@dataclass
class FakeBotApi:
    time_scale: float = 0.01
    calls: list[tuple[str, Json]] = field(default_factory=list)
    # Per method, what the next calls get; None lets a call through.
    failures: dict[str, deque[Failure | None]] = field(default_factory=dict)
    # While set, every getUpdates answers 409, as Telegram does while another client polls the same token.
    conflict: bool = False
    _updates: list[Json] = field(default_factory=list)
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _update_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    # -- scripting --

    def fail(self, method: str, *failures: Failure | None) -> None:
        self.failures.setdefault(method, deque()).extend(failures)

    def push(self, update: Json) -> int:
        """Queue an update (without update_id: it gets the next one); returns its id."""
        update = {"update_id": next(self._update_ids), **update}
        self._updates.append(update)
        self._arrived.set()
        return int(update["update_id"])

    @property
    def pending(self) -> list[int]:
        """Update ids Telegram still holds (not yet confirmed by an offset above them)."""
        return [u["update_id"] for u in self._updates]

    def sent(self, method: str = "sendMessage") -> list[Json]:
        return [params for name, params in self.calls if name == method]

    def texts(self) -> list[str]:
        return [params["text"] for params in self.sent()]

    # -- the API --

    async def call(self, method: str, params: Json) -> tuple[int, Json]:
        self.calls.append((method, params))
        queued = self.failures.get(method)
        failure = queued.popleft() if queued else None
        if failure is not None:
            if failure.raise_ == "connect":
                raise httpx.ConnectError("connection refused")
            if failure.raise_ == "read-timeout":
                raise httpx.ReadTimeout("no answer")
            body: Json = {"ok": False, "error_code": failure.status, "description": failure.description}
            if failure.retry_after is not None:
                body["parameters"] = {"retry_after": failure.retry_after}
            return failure.status, body
        if method == "getUpdates":
            if self.conflict:
                return 409, {
                    "ok": False,
                    "error_code": 409,
                    "description": "Conflict: terminated by other getUpdates request; make sure that only one "
                    "bot instance is running",
                }
            return 200, {"ok": True, "result": await self._get_updates(params)}
        return 200, {"ok": True, "result": self._result(method, params)}

    async def _get_updates(self, params: Json) -> list[Json]:
        offset = int(params.get("offset") or 0)
        if offset:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        limit = int(params.get("limit") or 100)
        deadline = time.monotonic() + float(params.get("timeout") or 0) * self.time_scale
        while True:
            ready = [u for u in self._updates if u["update_id"] >= offset][:limit]
            remaining = deadline - time.monotonic()
            if ready or remaining <= 0:
                return ready
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return []

    def _result(self, method: str, params: Json) -> Any:
        if method == "getMe":
            return BOT
        if method == "sendMessage":
            chat = int(params["chat_id"])
            return {
                "message_id": next(self._ids),
                "date": int(time.time()),
                "chat": {"id": chat, "type": "private" if chat > 0 else "group"},
                "from": BOT,
                "text": params["text"],
            }
        return True  # setMyCommands, deleteWebhook, setWebhook, sendChatAction, answerCallbackQuery

    # -- the two ways in --

    async def _from_http(self, request: httpx.Request) -> httpx.Response:
        method = request.url.path.rsplit("/", 1)[-1]
        status, body = await self.call(method, _params(request.headers.get("content-type", ""), request.content))
        return httpx.Response(status, json=body)

    def mock_transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._from_http)

    @asynccontextmanager
    async def serve(self) -> AsyncIterator[str]:
        """Serve on a loopback port; yields the base URL to give PTB (`…/bot`, the token is appended)."""

        async def handle(request: web.Request) -> web.Response:
            if request.match_info["token"] != TOKEN:
                return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
            body = await request.read()
            status, answer = await self.call(
                request.match_info["method"], _params(request.headers.get("content-type", ""), body)
            )
            return web.json_response(answer, status=status)

        app = web.Application()
        app.router.add_post("/bot{token}/{method}", handle)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        try:
            yield f"http://127.0.0.1:{port}/bot"
        finally:
            await runner.cleanup()


def _params(content_type: str, body: bytes) -> Json:
    if content_type.startswith("application/json"):
        return dict(json.loads(body or b"{}"))
    # PTB JSON-encodes every non-string parameter (these, for the methods we use); strings go as they are.
    return {
        key: json.loads(value) if key in _JSON_PARAMETERS else value
        for key, value in parse_qsl(body.decode(), keep_blank_values=True)
    }


_JSON_PARAMETERS = {"reply_markup", "link_preview_options", "allowed_updates", "commands", "drop_pending_updates"}


# -- updates, as Telegram sends them --

USER = {"id": 4242, "is_bot": False, "first_name": "Dana", "language_code": "en"}
STRANGER = {"id": 9191, "is_bot": False, "first_name": "Sam"}
GROUP = {"id": -100123, "type": "supergroup", "title": "Practice"}
_message_ids = itertools.count(1)


def _chat(user: Json) -> Json:
    return {"id": user["id"], "type": "private", "first_name": user["first_name"]}


def _entities(text: str) -> list[Json]:
    entities = []
    if text.startswith("/"):
        entities.append({"type": "bot_command", "offset": 0, "length": len(text.split(" ")[0])})
    at = text.find("@ConfidantBot")
    if at >= 0 and not text.startswith("/"):
        entities.append({"type": "mention", "offset": at, "length": len("@ConfidantBot")})
    return entities


def message(text: str | None, *, user: Json = USER, chat: Json | None = None, **extra: Any) -> Json:
    body: Json = {
        "message_id": next(_message_ids),
        "date": int(time.time()),
        "chat": chat or _chat(user),
        "from": user,
        **extra,
    }
    if text is not None:
        body["text"] = text
        if entities := _entities(text):
            body["entities"] = entities
    return {"message": body}


def photo(*, user: Json = USER) -> Json:
    return message(
        None,
        user=user,
        photo=[{"file_id": "AgAD", "file_unique_id": "AQAD", "width": 90, "height": 90}],
        caption="my client's notes",
    )


def button(data: str, *, user: Json = USER) -> Json:
    sent = {"message_id": 99, "date": int(time.time()), "chat": _chat(user), "from": BOT, "text": "…"}
    query = {"id": f"cb{next(_message_ids)}", "from": user, "chat_instance": "ci", "data": data, "message": sent}
    return {"callback_query": query}
