"""Inbox leases between instances sharing one database: each conversation answered by one instance at a time,
taken over when its holder stops renewing, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer
from bot.storage.inbox import Inbox

KEYER = Keyer(b"l" * 32)


def message(n: int, chat: str = "+447700900123") -> Incoming:
    return Incoming(transport="signal", sender=chat, chat=chat, text=f"question {n}", message_key=f"{chat}:{n}")


def two_instances(engine: AsyncEngine, lease: float = 6.0) -> tuple[Inbox, Inbox]:
    return Inbox(engine, KEYER, lease_seconds=lease), Inbox(engine, KEYER, lease_seconds=lease)


async def test_the_first_to_store_a_conversation_answers_it(engine: AsyncEngine) -> None:
    first, second = two_instances(engine)
    [one] = await first.add_many([message(1)])
    [two] = await second.add_many([message(2)])
    [other] = await second.add_many([message(3, chat="+447700900999")])
    assert one is not None and one.leased
    assert two is not None and not two.leased  # first holds the conversation: second leaves the row to it
    assert other is not None and other.leased
    assert one.conversation == two.conversation == KEYER.conversation_key("signal", "+447700900123")
    assert "+44" not in one.conversation
    # The holder answers its row, then finds the one the other instance stored, and keeps the conversation.
    await first.complete([(one.id, "answered")])
    assert [item.message.text for item in await first.release(one.conversation)] == ["question 2"]
    [three] = await second.add_many([message(4)])
    assert three is not None and not three.leased
    await first.complete([(two.id, "answered")])
    assert [item.id for item in await first.release(one.conversation)] == [three.id]
    await first.complete([(three.id, "answered")])
    assert await first.release(one.conversation) == []
    # Given up: whoever stores the conversation's next message takes it.
    [four] = await second.add_many([message(5)])
    assert four is not None and four.leased


async def test_a_silent_holder_loses_its_conversations_when_the_lease_runs_out(engine: AsyncEngine) -> None:
    killed, survivor = two_instances(engine, lease=0.4)
    await killed.add_many([message(1), message(2), message(3, chat="+447700900999")])
    assert await survivor.heartbeat() == []  # still held
    await asyncio.sleep(0.2)
    await killed.heartbeat()  # renewed: still alive
    await asyncio.sleep(0.3)
    assert await survivor.heartbeat() == []
    await asyncio.sleep(0.5)  # no renewal since: the lease ran out
    taken = await survivor.heartbeat()
    assert [item.message.text for item in taken] == ["question 1", "question 2", "question 3"]
    assert all(item.leased for item in taken)
    assert await killed.heartbeat() == []  # back from the dead, it finds them taken


async def test_only_one_instance_may_send_a_row(engine: AsyncEngine) -> None:
    first, second = two_instances(engine)
    [item] = await first.add_many([message(1)])
    assert item is not None
    assert await second.mark_sending([item.id]) == {item.id}
    assert await first.mark_sending([item.id]) == set()


async def test_heartbeat_only_takes_conversations_of_the_given_messengers(engine: AsyncEngine) -> None:
    first, second = two_instances(engine, lease=0.1)
    await first.add_many([message(1)])
    await asyncio.sleep(0.2)
    assert await second.heartbeat(["telegram"]) == []
    assert len(await second.heartbeat(["signal"])) == 1


async def test_shutdown_lets_go_at_once_and_a_sole_instance_drops_old_leases(engine: AsyncEngine) -> None:
    first, second = two_instances(engine)
    await first.add_many([message(1)])
    await first.release_all()
    assert len(await second.heartbeat()) == 1
    third = Inbox(engine, KEYER)
    assert await third.heartbeat() == []
    await third.forget_leases()
    assert len(await third.heartbeat()) == 1


async def test_two_instances_storing_one_conversation_at_once_give_it_one_holder(engine: AsyncEngine) -> None:
    instances = [Inbox(engine, KEYER) for _ in range(4)]
    added = await asyncio.gather(*(inbox.add_many([message(n)]) for n, inbox in enumerate(instances)))
    leased = [item.leased for [item] in added if item is not None]
    assert len(leased) == 4 and leased.count(True) == 1
