"""Conversations in the database: two assistants (two instances) continue one conversation; ids only;
forgotten by "forget" and after a day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.access.gate import AccessGate
from bot.brain.brain import Brain
from bot.brain.entries import ASK_REGION
from bot.config import load_settings
from bot.core.assistant import Assistant
from bot.core.stores import Conversation
from bot.kb.loader import KnowledgeBase
from bot.render.plain import render_plain
from bot.rooms.service import RoomService
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.conversations import Conversations
from bot.storage.models import ConversationState
from bot.storage.users import Users

KEYER = Keyer(b"c" * 32)
NUMBER = "+447700900123"


def incoming(text: str) -> Incoming:
    return Incoming(transport="signal", sender=NUMBER, chat=NUMBER, text=text, message_key=text)


def instance(knowledge: KnowledgeBase, engine: AsyncEngine) -> Assistant:
    """One `confidant run`'s assistant: a brain of its own, the shared database."""
    return Assistant(
        Brain(knowledge),
        keyer=KEYER,
        gate=AccessGate(mode="open", admins=[]),
        users=Users(engine),
        conversations=Conversations(engine),
        rooms=RoomService.from_settings(load_settings({})),
    )


async def test_another_instance_continues_the_conversation(knowledge: KnowledgeBase, engine: AsyncEngine) -> None:
    first, second = instance(knowledge, engine), instance(knowledge, engine)
    asked = await first.respond(incoming("is whatsapp safe?"))
    assert asked is not None and ASK_REGION in render_plain(asked)
    follow_up = await second.respond(incoming("what about groups?"))
    assert follow_up is not None and follow_up.platforms == ("whatsapp",)
    assert ASK_REGION not in render_plain(follow_up)  # asked once, whichever instance asked
    more = await first.respond(incoming("more"))
    assert more is not None and more.platforms == ("whatsapp",) and more.intent.value == "more"
    await second.respond(incoming("room"))
    checklist = await first.respond(incoming("more"))
    assert checklist is not None and checklist.title == "Before you admit your client"


async def test_the_database_holds_ids_and_flags_only(knowledge: KnowledgeBase, engine: AsyncEngine) -> None:
    assistant = instance(knowledge, engine)
    await assistant.respond(incoming("does zoom record my client Jane Example?"))
    async with engine.connect() as connection:
        [row] = (await connection.execute(select(ConversationState.__table__))).mappings().all()
    assert row["user_key"] == KEYER.user_key("signal", NUMBER)
    assert row["platforms"] == "zoom" and row["aspects"] == "recording"
    assert row["asked_region"] is True
    stored = " ".join(str(value) for value in row.values())
    assert "Jane" not in stored and NUMBER not in stored


async def test_forget_deletes_the_conversation(knowledge: KnowledgeBase, engine: AsyncEngine) -> None:
    first, second = instance(knowledge, engine), instance(knowledge, engine)
    await first.respond(incoming("is signal safe?"))
    await second.respond(incoming("forget"))
    assert await Conversations(engine).load(KEYER.user_key("signal", NUMBER)) is None
    more = await first.respond(incoming("more"))  # first's brain still had Signal in mind; the store wins
    assert more is not None and more.title == "More about what?"


async def test_a_conversation_ends_after_a_day(engine: AsyncEngine) -> None:
    clock = [datetime(2026, 12, 1, 9, 0, tzinfo=UTC)]
    store = Conversations(engine, now=lambda: clock[0])
    await store.save("old", Conversation(platforms=("zoom",)))
    clock[0] += timedelta(hours=23)
    saved_at = datetime(2026, 12, 1, 9, 0, tzinfo=UTC).timestamp()
    assert await store.load("old") == Conversation(platforms=("zoom",), at=saved_at)  # when it was last about it
    clock[0] += timedelta(hours=2)
    assert await store.load("old") is None
    await Conversations(engine, now=lambda: clock[0]).save("new", Conversation(topic="e2ee"))  # tidies up too
    async with engine.connect() as connection:
        assert (await connection.execute(select(ConversationState.user_key))).scalars().all() == ["new"]


async def test_anything_but_ids_is_refused(engine: AsyncEngine) -> None:
    with pytest.raises(ValueError, match="ids only"):
        await Conversations(engine).save("u", Conversation(platforms=("my client Jane",)))
