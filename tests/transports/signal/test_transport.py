from __future__ import annotations

import asyncio
import base64
import logging
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.access.gate import AccessGate
from bot.brain.brain import Brain
from bot.core.assistant import Assistant
from bot.kb.loader import KnowledgeBase
from bot.render.signal import escape
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.transports.base import Transport, TransportStartupError
from bot.transports.signal.client import SignalClient
from bot.transports.signal.transport import SignalTransport
from tests.fakes import signal_envelopes as env
from tests.fakes.signal_api import FakeSignalApi, Reply
from tests.transports.signal.harness import FAST, Echo, running_bot, settle


def sent_texts(api: FakeSignalApi) -> list[str]:
    return [body["message"] for body in api.recorded.sent]


# -- start-up --


async def test_start_up_checks_pass_and_choose_the_mode(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with FakeSignalApi(mode="json-rpc") as api:
        with caplog.at_level(logging.INFO):
            async with running_bot(api, tmp_path) as bot:
                assert isinstance(bot.transport, Transport)
                assert bot.transport.receive_mode == "websocket"
    assert "0.100 in json-rpc mode" in caplog.text
    assert "untested" not in caplog.text
    async with FakeSignalApi(mode="native") as api, running_bot(api, tmp_path / "2") as bot:
        assert bot.transport.receive_mode == "poll"


async def test_untested_version_is_warned(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    async with FakeSignalApi(version="0.101") as api, running_bot(api, tmp_path):
        pass
    assert "version 0.101 is untested" in caplog.text


async def test_unreachable_server_is_a_clear_start_up_error() -> None:
    api = FakeSignalApi()
    await api.start()
    url = api.url
    await api.stop()
    transport = SignalTransport(SignalClient(url, env.BOT_NUMBER, retry_delay=0.01), tuning=FAST)
    with pytest.raises(TransportStartupError) as caught:
        await transport.start()
    await transport.close()
    assert "cannot reach signal-cli-rest-api at CONFIDANT_SIGNAL_URL" in caught.value.lines[0]


async def test_missing_account_is_a_clear_start_up_error() -> None:
    async with FakeSignalApi() as api:
        api.accounts = ["+4930999999"]
        transport = SignalTransport(SignalClient(api.url, env.BOT_NUMBER), tuning=FAST)
        with pytest.raises(TransportStartupError) as caught:
            await transport.start()
        await transport.close()
    assert "number not registered or linked" in caught.value.lines[0]
    assert env.BOT_NUMBER not in caught.value.lines[0]


@pytest.mark.parametrize(("server", "asked"), [("normal", "websocket"), ("json-rpc", "poll")])
async def test_forced_mode_that_cannot_work_is_refused(server: str, asked: str) -> None:
    async with FakeSignalApi(mode=server) as api:
        transport = SignalTransport(SignalClient(api.url, api.number), receive_mode=asked, tuning=FAST)  # type: ignore[arg-type]
        with pytest.raises(TransportStartupError) as caught:
            await transport.start()
        await transport.close()
    assert caught.value.lines[0].startswith("CONFIDANT_SIGNAL_RECEIVE")


# -- receiving and answering --


@pytest.mark.parametrize("mode", ["json-rpc", "native"])
@pytest.mark.parametrize("shape", ["object", "list"])
async def test_one_to_one_exchange(tmp_path: Path, mode: str, shape: str) -> None:
    async with FakeSignalApi(mode=mode, send_shape=shape) as api, running_bot(api, tmp_path) as bot:
        await api.push(env.text_frame("Is WhatsApp safe?"))
        await api.wait_for_sent(1)
        await settle(bot)
        [body] = api.recorded.sent
        assert body["recipients"] == [env.ANNA_UUID]
        assert body["text_mode"] == "styled"
        assert body["message"].startswith("**re: Is WhatsApp safe?**")
        assert "line \\*one\\*" in body["message"]
        assert api.recorded.receipts == [
            {"recipient": env.ANNA_UUID, "receipt_type": "read", "timestamp": 1767225600123}
        ]
        assert await bot.inbox.backlog() == 0
        assert bot.worker.outcomes == {"answered": 1}


async def test_null_number_is_answered_by_uuid(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path):
        await api.push(env.text_frame("hi", number=None))
        await api.wait_for_sent(1)
        assert api.recorded.sent[0]["recipients"] == [env.ANNA_UUID]


async def test_only_text_reaches_the_assistant(tmp_path: Path) -> None:
    echo = Echo()
    async with FakeSignalApi() as api, running_bot(api, tmp_path, assistant=echo) as bot:
        for frame in (
            env.sync_sent_frame("from my phone"),
            env.typing_frame(),
            env.receipt_frame(),
            env.reaction_frame(),
            env.exception_frame(),
            env.error_frame(),
            env.group_frame("chatting among ourselves"),
            env.group_frame("renamed", group_type="UPDATE"),
        ):
            await api.push(frame)
        await api.push_raw("][ not json")
        await api.push(env.edit_frame("is zoom safe"))
        await api.wait_for_sent(1)
        await settle(bot)
    assert echo.seen == ["is zoom safe"]
    assert bot.transport.ignored == 7
    assert sent_texts(api) and sent_texts(api)[0].startswith("**re: is zoom safe**")


async def test_group_mention_is_answered_in_the_group(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path) as bot:
        await api.push(env.group_frame("we like zoom"))
        await api.push(env.group_frame("is zoom safe?", mention_bot=True, timestamp=5))
        await api.wait_for_sent(1)
        await settle(bot)
        group = "group." + base64.b64encode(env.GROUP_ID.encode()).decode()
        assert [b["recipients"] for b in api.recorded.sent] == [[group]]
        assert sent_texts(api)[0].startswith("**re: is zoom safe?**")
        # the unaddressed message was never stored
        assert bot.worker.outcomes == {"answered": 1}


async def test_duplicate_frames_are_answered_once(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path) as bot:
        frame = env.text_frame("hello")
        for _ in range(3):
            await api.push(frame)
        await api.wait_for_sent(1)
        await settle(bot, pause=0.1)
        assert len(api.recorded.sent) == 1
        assert len(api.recorded.receipts) == 1


async def test_two_instances_on_one_database_answer_once(tmp_path: Path) -> None:
    async with (
        FakeSignalApi() as api,
        running_bot(api, tmp_path) as first,
        running_bot(api, tmp_path) as second,
    ):
        await api.wait_for_sockets(2)
        for i in range(20):
            assert await api.push(env.text_frame(f"m{i}", timestamp=100 + i)) == 2
        await api.wait_for_sent(20)
        await settle(first)
        await settle(second)
        assert sorted(sent_texts(api)) == sorted({t for t in sent_texts(api)})
        assert len(api.recorded.sent) == 20


async def test_burst_from_many_senders_keeps_each_conversation_in_order(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path) as bot:
        for n in range(8):
            for person in range(12):
                number, uuid = env.person(person)
                await api.push(env.text_frame(f"{person}:{n}", number=number, uuid=uuid, timestamp=1000 + n))
        await api.wait_for_sent(96, within=15)
        await settle(bot)
    assert len(api.recorded.sent) == 96
    by_person: dict[str, list[int]] = {}
    for body in api.recorded.sent:
        person, n = body["message"].split("\n")[0].strip("*").removeprefix("re: ").split(":")
        by_person.setdefault(person, []).append(int(n))
    assert len(by_person) == 12
    assert all(order == list(range(8)) for order in by_person.values())


async def test_reconnect_after_drop_answers_later_messages(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path):
        await api.push(env.text_frame("one", timestamp=1))
        await api.wait_for_sent(1)
        api.drop_sockets()
        await api.wait_for(lambda: api.ws_connections >= 2 and api.sockets == 1)
        await api.push(env.text_frame("two", timestamp=2))
        await api.wait_for_sent(2)
        await api.close_sockets(1000)
        await api.wait_for(lambda: api.ws_connections >= 3 and api.sockets == 1)
        await api.push(env.text_frame("three", timestamp=3))
        await api.wait_for_sent(3)
    assert [t.split("\n")[0] for t in sent_texts(api)] == ["**re: one**", "**re: two**", "**re: three**"]


async def test_typing_indicator_while_a_slow_answer_is_prepared(tmp_path: Path) -> None:
    echo = Echo()
    echo.delay = 0.2
    tuning = replace(FAST, typing_delay=0.02, typing_refresh=0.05)
    async with FakeSignalApi() as api, running_bot(api, tmp_path, assistant=echo, tuning=tuning) as bot:
        await api.push(env.text_frame("slow one"))
        await api.wait_for_sent(1)
        await settle(bot)
        await asyncio.sleep(0.05)
    methods = [method for method, _ in api.recorded.typing]
    assert methods[0] == "PUT"
    assert methods.count("PUT") >= 2  # refreshed while busy
    assert methods[-1] == "DELETE"
    assert {recipient for _, recipient in api.recorded.typing} == {env.ANNA_UUID}


async def test_attachments_are_deleted_from_the_server(tmp_path: Path) -> None:
    frame = env.text_frame("see attached")
    frame["envelope"]["dataMessage"]["attachments"] = [{"id": "a1.jpg", "contentType": "image/jpeg", "size": 1}]
    async with FakeSignalApi() as api, running_bot(api, tmp_path) as bot:
        await api.push(frame)
        await api.wait_for_sent(1)
        await settle(bot)
    assert api.recorded.deleted_attachments == ["a1.jpg"]


async def test_long_answers_go_out_as_several_messages_in_order(tmp_path: Path) -> None:
    class Long(Echo):
        async def respond(self, message):  # type: ignore[no-untyped-def]
            from bot.shared.answer import Answer, Intent, Section

            sections = tuple(Section(f"Part {i}", ("word " * 80,)) for i in range(10))
            return Answer(intent=Intent.TOPIC, title="Long", sections=sections)

    async with FakeSignalApi() as api, running_bot(api, tmp_path, assistant=Long()) as bot:
        await api.push(env.text_frame("tell me everything"))
        await api.wait_for(lambda: len(api.recorded.sent) >= 3)
        await settle(bot)
    texts = sent_texts(api)
    assert all(len(t.encode()) <= 1800 for t in texts)
    assert texts[0].startswith("**Long**")
    parts = [int(line.split()[1].rstrip("*")) for t in texts for line in t.split("\n") if line.startswith("**Part")]
    assert parts == list(range(10))


# -- send failures: never a blind retry --


@pytest.mark.parametrize(
    ("reply", "outcome"),
    [
        (Reply(500, {"error": "internal"}), "delivery-unknown"),
        # A 429 without a challenge may have been delivered anyway (upstream #881).
        (Reply(429, {"error": "rate limiting", "account": env.BOT_NUMBER}), "delivery-unknown"),
        (Reply(400, {"error": "The user " + env.ANNA_NUMBER + " is not registered."}), "failed"),
        (Reply(400, {"error": "Failed to send message due to rate limiting"}), "delivery-unknown"),
        (Reply(drop=True), "delivery-unknown"),
    ],
)
async def test_send_failures_are_recorded_once_and_never_resent(tmp_path: Path, reply: Reply, outcome: str) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path) as bot:
        api.send_script.append(reply)
        await api.push(env.text_frame("first", timestamp=1))
        await api.wait_for(lambda: len(api.recorded.send_attempts) >= 1)
        await settle(bot, pause=0.1)
        assert bot.worker.outcomes == {outcome: 1}
        assert len(api.recorded.send_attempts) == 1
        # the next message goes through (after a rate-limit pause, if any)
        await api.push(env.text_frame("second", timestamp=2))
        await api.wait_for_sent(1)
        await settle(bot)
        assert len(api.recorded.send_attempts) == 2
        assert await bot.inbox.backlog() == 0


async def test_read_timeout_is_ambiguous_and_not_retried(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path, send_timeout=0.2) as bot:
        api.send_script.append(Reply(delay=0.4))
        await api.push(env.text_frame("slow server"))
        await api.wait_for(lambda: len(api.recorded.send_attempts) >= 1)
        await asyncio.sleep(0.3)
        await settle(bot)
        assert bot.worker.outcomes == {"delivery-unknown": 1}
        assert len(api.recorded.send_attempts) == 1


CHALLENGE = Reply(429, {"error": "rate limiting", "challenge_tokens": ["tok-1"], "account": env.BOT_NUMBER})
UNTRUSTED = Reply(400, {"error": "Failed to send message due to untrusted identities"})


def first_lines(api: FakeSignalApi) -> list[str]:
    return [body["message"].split("\n")[0] for body in api.recorded.sent]


async def test_a_challenged_answer_waits_out_the_pause_then_goes_in_order(tmp_path: Path) -> None:
    tuning = replace(FAST, rate_limit_pause=0.5)
    async with FakeSignalApi() as api, running_bot(api, tmp_path, tuning=tuning) as bot:
        api.send_script.append(CHALLENGE)
        await api.push(env.text_frame("a", timestamp=1))
        await api.wait_for(lambda: len(api.recorded.send_attempts) >= 1)
        await asyncio.sleep(0.1)
        assert bot.worker.outcomes == {"held": 1}
        assert 0 < bot.transport.health()["sends_paused_for"] <= 0.5  # type: ignore[operator]
        receipts = len(api.recorded.receipts)
        await api.push(env.text_frame("b", timestamp=2))
        await asyncio.sleep(0.1)
        assert len(api.recorded.receipts) == receipts  # none while paused: they count against the limit
        assert len(api.recorded.send_attempts) == 1  # nothing tried during the pause
        assert (await bot.alerts.load()).challenge == "tok-1"  # for `confidant signal challenge`
        await api.wait_for_sent(2, within=5)
        await settle(bot)
        assert bot.worker.outcomes == {"held": 1, "answered": 2}
        assert await bot.inbox.backlog() == 0
    assert first_lines(api) == ["**re: a**", "**re: b**"]
    assert bot.transport.health()["last_send_error"] is None


async def test_the_challenge_token_is_sealed_in_the_database(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path) as bot:
        api.send_script.append(CHALLENGE)
        await api.push(env.text_frame("a"))
        await api.wait_for(lambda: len(api.recorded.send_attempts) >= 1)
        await asyncio.sleep(0.1)
        async with bot.engine.connect() as connection:
            stored = repr((await connection.execute(text("SELECT * FROM operator_alerts"))).all())
        assert "rate-limit" in stored and "tok-1" not in stored


async def test_an_untrusted_person_s_answers_wait_for_trust_then_go_in_order(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path, tell_after=timedelta(seconds=0.3)) as bot:
        api.send_script.append(UNTRUSTED)
        await api.push(env.text_frame("a", timestamp=1))
        await api.wait_for(lambda: len(api.recorded.send_attempts) >= 1)
        await api.push(env.text_frame("b", timestamp=2))
        await api.push(env.text_frame("c", timestamp=1, uuid=env.person(7)[1], number=env.person(7)[0]))
        await api.wait_for_sent(1)  # someone else is not held up
        await asyncio.sleep(0.5)
        assert first_lines(api) == ["**re: c**"]
        assert len(api.recorded.send_attempts) == 2
        alerts = await bot.alerts.load()
        [(conversation, (pseudonym, _))] = alerts.untrusted.items()
        async with bot.engine.connect() as connection:
            stored = repr((await connection.execute(text("SELECT * FROM operator_alerts"))).all())
        assert pseudonym in stored and env.ANNA_UUID not in stored and env.ANNA_NUMBER not in stored
        await bot.alerts.trusted(conversation)  # what `confidant signal trust` does, from any host
        await api.wait_for_sent(4, within=5)
        await settle(bot)
        assert await bot.inbox.backlog() == 0
    # Held more than `tell_after`: one line says sorry, once, before the first answer that waited.
    assert first_lines(api) == ["**re: c**", "**Sorry for the wait**", "**re: a**", "**re: b**"]


async def test_held_answers_wait_across_a_restart(tmp_path: Path) -> None:
    async with FakeSignalApi() as api:
        async with running_bot(api, tmp_path):
            api.send_script.append(UNTRUSTED)
            await api.push(env.text_frame("a", timestamp=1))
            await api.wait_for(lambda: len(api.recorded.send_attempts) >= 1)
            await asyncio.sleep(0.1)
        async with running_bot(api, tmp_path) as restarted:
            await asyncio.sleep(0.3)
            assert len(api.recorded.send_attempts) == 1  # still untrusted: not even tried
            [conversation] = (await restarted.alerts.load()).untrusted
            await restarted.alerts.trusted(conversation)
            await api.wait_for_sent(1, within=5)
            await settle(restarted)
            assert await restarted.inbox.backlog() == 0
    assert first_lines(api) == ["**re: a**"]


async def test_invalid_request_gets_a_short_plain_apology(tmp_path: Path) -> None:
    async with FakeSignalApi() as api, running_bot(api, tmp_path) as bot:
        api.send_script.append(Reply(400, {"error": "Couldn't process request - invalid text style"}))
        await api.push(env.text_frame("a"))
        await api.wait_for_sent(1)
        await settle(bot)
        assert bot.worker.outcomes == {"failed": 1}
    [body] = api.recorded.sent
    assert body["text_mode"] == "normal"
    assert body["message"].startswith("Sorry, I could not send that answer")


async def test_real_assistant_behind_the_allowlist_knows_admins_by_number(tmp_path: Path) -> None:
    from bot.app import assistant_for
    from bot.config import load_settings
    from bot.shared.pseudonym import Keyer
    from tests.fakes.storage import TEST_SECRET

    settings = load_settings({"CONFIDANT_ADMINS": f"signal:{env.ANNA_NUMBER}", "CONFIDANT_DATA_DIR": str(tmp_path)})
    assistant = assistant_for(settings, keyer=Keyer(TEST_SECRET), users=None)
    stranger_number, stranger_uuid = env.person(7)
    async with FakeSignalApi() as api, running_bot(api, tmp_path, assistant=assistant) as bot:
        await api.push(env.text_frame("is whatsapp safe?", timestamp=1))
        await api.wait_for_sent(1)
        await api.push(env.text_frame("is whatsapp safe?", number=stranger_number, uuid=stranger_uuid, timestamp=2))
        await api.wait_for_sent(2)
        await settle(bot)
    by_recipient = {body["recipients"][0]: body["message"] for body in api.recorded.sent}
    assert "WhatsApp" in by_recipient[env.ANNA_UUID].split("\n")[0]
    assert by_recipient[stranger_uuid].startswith("**This Confidant is private**")


async def test_a_conversation_follows_up_on_signal(tmp_path: Path, knowledge: KnowledgeBase) -> None:
    gate = AccessGate(mode="open", admins=[])
    assistant = Assistant(Brain(knowledge), keyer=Keyer(b"k" * 32), gate=gate)
    async with FakeSignalApi() as api, running_bot(api, tmp_path, assistant=assistant) as bot:
        for index, text in enumerate(("is whatsapp safe?", "what about groups?", "and on android?")):
            await api.push(env.text_frame(text, timestamp=1767225600123 + index))
            await api.wait_for_sent(index + 1)
            await settle(bot)
    replies = sent_texts(api)
    assert replies[0].startswith("**WhatsApp**")
    whatsapp = knowledge.platforms["whatsapp"]
    assert "Groups:" in replies[1] and escape(whatsapp.groups[:40]) in replies[1]
    assert "On phones:" in replies[2] and escape(whatsapp.mobile[:40]) in replies[2]


def test_read_receipts_off_and_typing_on_by_default_and_both_settable(tmp_path: Path) -> None:
    from bot.config import load_settings

    base = {"CONFIDANT_SIGNAL_URL": "http://127.0.0.1:1", "CONFIDANT_SIGNAL_NUMBER": env.BOT_NUMBER}
    default = SignalTransport.from_settings(load_settings(base), keyer=None, state_dir=tmp_path)
    assert (default.tuning.read_receipts, default.tuning.typing) == (False, True)
    chosen = load_settings({**base, "CONFIDANT_SIGNAL_READ_RECEIPTS": "true", "CONFIDANT_SIGNAL_TYPING": "false"})
    transport = SignalTransport.from_settings(chosen, keyer=None, state_dir=tmp_path)
    assert (transport.tuning.read_receipts, transport.tuning.typing) == (True, False)


async def test_no_typing_indicator_when_turned_off(tmp_path: Path) -> None:
    echo = Echo()
    echo.delay = 0.2
    tuning = replace(FAST, typing_delay=0.02, typing_refresh=0.05, typing=False)
    async with FakeSignalApi() as api, running_bot(api, tmp_path, assistant=echo, tuning=tuning) as bot:
        await api.push(env.text_frame("slow one"))
        await api.wait_for_sent(1)
        await settle(bot)
    assert api.recorded.typing == []


async def test_a_quick_answer_costs_a_timer_not_a_task_and_shows_no_typing() -> None:
    async with FakeSignalApi() as api:
        transport = SignalTransport(SignalClient(api.url, env.BOT_NUMBER), tuning=replace(FAST, typing_delay=0.05))
        message = Incoming(transport="signal", sender=env.ANNA_UUID, chat=env.ANNA_UUID, text="x", message_key="k")
        tasks = len(asyncio.all_tasks())
        async with transport.working(message):
            assert len(asyncio.all_tasks()) == tasks
        await asyncio.sleep(0.1)
        async with transport.working(message):
            await asyncio.sleep(0.1)
        await transport.close()
    assert [method for method, _ in api.recorded.typing] == ["PUT", "DELETE"]
