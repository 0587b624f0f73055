"""Nothing private in any log line, at DEBUG, from our code or the libraries under it, during a full exchange
with failures, reconnects and a group."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fakes import signal_envelopes as env
from tests.fakes.logs import Everything, everything_logged
from tests.fakes.signal_api import FakeSignalApi, Reply
from tests.transports.signal.harness import running_bot, settle

SECRETS = (
    "Is WhatsApp safe",
    "confidential question",
    "group question",
    env.ANNA_NUMBER,
    env.ANNA_NUMBER.removeprefix("+"),
    env.ANNA_UUID,
    env.BOT_NUMBER,
    env.BOT_NUMBER.removeprefix("+"),
    env.BOT_UUID,
    env.GROUP_ID,
    "meet.example.org",
    "SecretRoom42",
    "tok-secret",
)


@pytest.fixture
def everything() -> Iterator[Everything]:
    with everything_logged() as handler:
        yield handler


async def test_full_exchange_logs_nothing_private(tmp_path: Path, everything: Everything) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path) as bot:
        await api.push(env.text_frame("Is WhatsApp safe?", timestamp=1))
        await api.push(env.text_frame("Is WhatsApp safe?", timestamp=1))  # duplicate
        await api.push(env.text_frame("confidential question", number=None, timestamp=2))
        await api.push(env.group_frame("group question", mention_bot=True, timestamp=3))
        await api.push(env.group_frame("group question not for the bot", timestamp=4))
        for frame in (env.sync_sent_frame("x"), env.typing_frame(), env.receipt_frame(), env.exception_frame()):
            await api.push(frame)
        await api.push(env.error_frame())
        await api.push_raw('{"envelope": "' + env.ANNA_NUMBER + '"')
        await api.wait_for_sent(3)
        await settle(bot)

        api.send_script.extend(
            [
                Reply(400, {"error": f"The user {env.ANNA_NUMBER} is not registered."}),
                Reply(400, {"error": "Failed to send message due to untrusted identities"}),
                Reply(429, {"error": "rate limiting", "challenge_tokens": ["tok-secret"], "account": api.number}),
                Reply(400, {"error": f"Couldn't process request - bad recipient {env.ANNA_UUID}"}),
            ]
        )
        for n in range(4):
            # Each from someone else: a refused answer holds back the rest of its own conversation.
            number, uuid = env.person(n)
            await api.push(env.text_frame(f"confidential question {n}", timestamp=10 + n, number=number, uuid=uuid))
            await api.wait_for(lambda n=n: len(api.recorded.send_attempts) >= 4 + n)  # type: ignore[misc]
            await settle(bot, pause=0.06)
        api.drop_sockets()
        await api.wait_for(lambda: api.ws_connections >= 2 and api.sockets == 1)
        await api.push(env.text_frame("Is WhatsApp safe? again", timestamp=20))
        await api.wait_for_sent(5)
        await settle(bot)
    await asyncio.sleep(0)

    text = "\n".join(everything.lines)
    assert len(everything.lines) > 10, "the exchange should have logged something"
    for secret in (*SECRETS, *(part for n in range(4) for part in env.person(n))):
        assert secret not in text, f"{secret!r} leaked into the logs"
    # the operator still learns what happened
    assert "untrusted" in text
    assert "confidant signal trust" in text
    assert "rate limit" in text
    assert "receive error" in text


async def test_poll_mode_logs_nothing_private(tmp_path: Path, everything: Everything) -> None:
    async with FakeSignalApi(mode="native") as api, running_bot(api, tmp_path) as bot:
        await api.push(env.text_frame("Is WhatsApp safe?"))
        await api.wait_for_sent(1)
        await settle(bot)
    text = "\n".join(everything.lines)
    for secret in SECRETS:
        assert secret not in text, f"{secret!r} leaked into the logs"
