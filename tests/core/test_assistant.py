from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.access.gate import AccessGate
from bot.brain import replies
from bot.brain.brain import Brain
from bot.brain.entries import ASK_REGION
from bot.config import load_settings
from bot.core.assistant import Assistant
from bot.logs import setup_logging
from bot.render.plain import render_plain
from bot.rooms.service import RoomService
from bot.shared.answer import Intent
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.database import create_engine
from bot.storage.migrate import upgrade
from bot.storage.users import Users

NUMBER = "+447700900123"


def incoming(text: str, *, sender: str = NUMBER, group: bool = False, addressed: bool = True) -> Incoming:
    return Incoming(
        transport="signal",
        sender=sender,
        chat=sender,
        text=text,
        message_key=text,
        is_group=group,
        addressed=addressed,
    )


@pytest.fixture
async def users(tmp_path: Path) -> AsyncIterator[Users]:
    engine = create_engine(f"sqlite:///{tmp_path / 'a.db'}")
    await upgrade(engine)
    yield Users(engine)
    await engine.dispose()


@pytest.fixture
def assistant(brain: Brain, users: Users) -> Assistant:
    gate = AccessGate(mode="allowlist", admins=[f"signal:{NUMBER}"])
    return Assistant(brain, keyer=Keyer(b"s" * 32), gate=gate, users=users, default_region="other")


async def test_answers_an_allowed_user(assistant: Assistant) -> None:
    answer = await assistant.respond(incoming("is signal safe?"))
    assert answer is not None and answer.platforms == ("signal",)


async def test_allowlist_refuses_strangers(assistant: Assistant) -> None:
    answer = await assistant.respond(incoming("is signal safe?", sender="+15550000000"))
    assert answer is not None and answer.title == "This Confidant is private"
    assert answer.platforms == ()


async def test_group_message_not_addressed_to_us_is_ignored(assistant: Assistant) -> None:
    assert await assistant.respond(incoming("is zoom safe", group=True, addressed=False)) is None
    assert await assistant.respond(incoming("is zoom safe", group=True, addressed=True)) is not None


async def test_region_setting_changes_compliance_lines(assistant: Assistant) -> None:
    saved = await assistant.respond(incoming("region us"))
    assert saved is not None and "us" in render_plain(saved)
    answer = await assistant.respond(incoming("is zoom safe"))
    assert answer is not None
    text = render_plain(answer)
    assert "HIPAA (US)" in text and "GDPR" not in text


async def test_bad_setting_values_get_a_question(assistant: Assistant) -> None:
    answer = await assistant.respond(incoming("region mars"))
    assert answer is not None and answer.title == "Which region?"
    answer = await assistant.respond(incoming("timezone middle earth"))
    assert answer is not None and answer.title == "Which time zone?"
    saved = await assistant.respond(incoming("timezone europe/london"))
    assert saved is not None and "Europe/London" in render_plain(saved)


async def test_forget_deletes_settings(assistant: Assistant, users: Users) -> None:
    await assistant.respond(incoming("region uk"))
    key = Keyer(b"s" * 32).user_key("signal", NUMBER)
    assert await users.settings(key) == {"region": "uk"}
    answer = await assistant.respond(incoming("/forget"))
    assert answer is not None and answer.intent is Intent.FORGET
    assert await users.settings(key) == {}


async def test_more_gives_the_long_version_of_the_last_answer(assistant: Assistant) -> None:
    await assistant.respond(incoming("what is e2ee"))
    more = await assistant.respond(incoming("more"))
    assert more is not None and more.topic == "e2ee" and more.links


async def test_oversized_message_gets_a_friendly_reply(assistant: Assistant) -> None:
    answer = await assistant.respond(incoming("is zoom safe " * 500))
    assert answer is not None and "too long" in answer.title


async def test_rate_limit_warns_once_then_stays_silent(brain: Brain) -> None:
    now = [0.0]
    gate = AccessGate(mode="open", admins=[], clock=lambda: now[0], rate_per_minute=3)
    assistant = Assistant(brain, keyer=Keyer(b"s" * 32), gate=gate)
    replies = [await assistant.respond(incoming(f"hi {n}")) for n in range(5)]
    assert [reply is not None for reply in replies] == [True, True, True, True, False]
    assert replies[3] is not None and replies[3].title == "One moment"
    now[0] += 60
    assert await assistant.respond(incoming("hi again")) is not None


async def test_no_private_data_in_logs_at_debug(assistant: Assistant, tmp_path: Path) -> None:
    import io

    stream = io.StringIO()
    handler = setup_logging("DEBUG", "json", stream)
    try:
        logging.getLogger("httpx").warning("GET https://api.telegram.org/bot123456:SECRETSECRETSECRETSECRET/getMe")
        logging.getLogger("bot.test").info("from %s about %s", NUMBER, "https://meet.jit.si/abcdefghijklmnop")
        for text in ("is WhatsApp safe for Jane Example?", "region uk", "room", "more", "/forget"):
            await assistant.respond(incoming(text))
    finally:
        logging.getLogger().removeHandler(handler)
    logged = stream.getvalue()
    assert logged  # something was logged, so the checks below mean something
    for secret in (NUMBER, "7700900123", "Jane Example", "SECRETSECRET", "meet.jit.si", "abcdefghijklmnop"):
        assert secret not in logged


async def test_strangers_are_told_once_a_day_then_left_alone(brain: Brain) -> None:
    now = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    gate = AccessGate(mode="allowlist", admins=[])
    assistant = Assistant(brain, keyer=Keyer(b"s" * 32), gate=gate, now=lambda: now[0])
    first = await assistant.respond(incoming("hi", sender="+15550000000"))
    assert first is not None and first.title == "This Confidant is private"
    assert await assistant.respond(incoming("hello?", sender="+15550000000")) is None
    now[0] += timedelta(hours=23, minutes=59)
    assert await assistant.respond(incoming("anyone?", sender="+15550000000")) is None
    now[0] += timedelta(minutes=1)
    assert await assistant.respond(incoming("anyone?", sender="+15550000000")) is not None


async def test_a_question_after_name_is_not_a_name(assistant: Assistant) -> None:
    answer = await assistant.respond(incoming("name a safe app for video therapy"))
    assert answer is not None and answer.intent is not Intent.SETTINGS
    saved = await assistant.respond(incoming("name Dr Lee"))
    assert saved is not None and "Dr Lee" in render_plain(saved)


async def test_only_transports_named_local_skip_the_allowlist() -> None:
    gate = AccessGate(mode="allowlist", admins=[], local=["console"])
    typed = Incoming(transport="console", sender="local", chat="local", text="hi", message_key="")
    remote = Incoming(transport="signal", sender="+447700900999", chat="+447700900999", text="hi", message_key="k")
    assert gate.role(typed) == "local"
    assert gate.role(remote) is None


async def test_a_conversation_is_asked_its_region_once(brain: Brain, users: Users) -> None:
    gate = AccessGate(mode="allowlist", admins=[f"signal:{NUMBER}"])
    assistant = Assistant(brain, keyer=Keyer(b"s" * 32), gate=gate, users=users)
    first = await assistant.respond(incoming("is zoom safe"))
    assert first is not None and ASK_REGION in render_plain(first)
    assert "UK/EU GDPR:" in render_plain(first) and "US HIPAA:" in render_plain(first)
    second = await assistant.respond(incoming("is signal safe"))
    assert second is not None and ASK_REGION not in render_plain(second)
    await assistant.respond(incoming("region uk"))
    third = render_plain(await assistant.respond(incoming("is zoom safe")) or replies.help_answer())
    assert "UK GDPR:" in third and "HIPAA" not in third


async def test_stateless_use_is_never_asked_its_region(brain: Brain) -> None:
    gate = AccessGate(mode="open", admins=[])
    assistant = Assistant(brain, keyer=Keyer(b"s" * 32), gate=gate)
    answer = await assistant.respond(incoming("is zoom safe"))
    assert answer is not None and ASK_REGION not in render_plain(answer)
    assert "UK/EU GDPR:" in render_plain(answer)


async def test_checklist_and_more_after_a_room(brain: Brain, users: Users) -> None:
    gate = AccessGate(mode="allowlist", admins=[f"signal:{NUMBER}"])
    rooms = RoomService.from_settings(load_settings({}))
    assistant = Assistant(brain, keyer=Keyer(b"s" * 32), gate=gate, users=users, rooms=rooms)
    room = await assistant.respond(incoming("room"))
    assert room is not None and room.intent is Intent.ROOM and room.links_first
    more = await assistant.respond(incoming("more"))
    assert more is not None and more.title == "Before you admit your client"
    again = await assistant.respond(incoming("more"))
    assert again is not None and again.title != "Before you admit your client"  # only right after the room
    checklist = await assistant.respond(incoming("checklist"))
    assert checklist is not None and "turn on the lobby" in render_plain(checklist)
