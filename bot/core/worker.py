"""The delivery worker: from the durable inbox to an answer sent exactly once, for any transport.

* A message is accepted only after `Inbox.add` has committed it (and its dedupe key), so a crash after that
  point loses nothing: `start` resumes every unfinished row.
* One conversation (transport + chat) is answered strictly in order; different conversations run at once,
  up to `max_conversations`.
* Several instances may share the inbox (PostgreSQL). A conversation is answered by the instance holding its
  lease: it takes the lease when it stores the conversation's message, answers every row of it (rows other
  instances stored too, read back from the inbox in the order received), and gives the lease up when none is
  left. A heartbeat renews the leases and takes conversations nobody holds, such as a killed instance's once
  its leases run out.
* Before a send starts the row is marked `sending`. A row found in that state after a restart may already
  have been delivered, so it is recorded as "delivery-unknown" and never sent again: at most once beats
  a duplicated answer in a counsellor's chat.
* A refusal that certainly delivered nothing and will be lifted (Signal's captcha challenge, a changed safety
  number) holds the conversation: its rows stay in the inbox, in order, and are sent when the sender says the
  refusal is over (checked at every heartbeat); an answer held more than a minute opens with an apology.
* Shutdown stops taking new work, gives in-flight answers until a deadline, then cancels the rest; rows not
  yet sending stay pending for the next start.
"""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.core.batch import GroupCommit
from bot.core.messengers import DeliveryError, Sender
from bot.core.stores import InboxItem, InboxStore
from bot.shared.answer import Answer, Intent, Section
from bot.shared.incoming import Incoming
from bot.shared.pseudonym import Keyer

logger = logging.getLogger(__name__)

# Long enough to absorb overlapping sockets, a second instance and sender retries; short enough that the
# hashes of old message keys do not pile up.
DEDUPE_WINDOW = timedelta(days=7)

# Said once, before an answer that waited more than `tell_after` for a refusal to be lifted.
DELAYED = Answer(
    intent=Intent.HELP,
    title="Sorry for the wait",
    sections=(Section(None, ("Signal held my answer back for a while; here it is.",)),),
)
TELL_AFTER = timedelta(minutes=1)

APOLOGY = Answer(
    intent=Intent.UNKNOWN,
    title="Sorry, something went wrong on my side.",
    footer="Please try again in a minute, or send /help.",
)


# Scrub the SQLite write-ahead log at least this often under steady load (and whenever the worker is idle).
SCRUB_EVERY = 200


class Responder(Protocol):
    async def respond(self, message: Incoming) -> Answer | None: ...


ConversationKey = str  # the conversation's keyed hash (InboxItem.conversation)

# How often an instance renews its leases and looks for conversations nobody answers. With the inbox's lease of
# 6 s, a killed instance's conversations are taken over within about 7 s.
HEARTBEAT_EVERY = 1.0


class Worker:
    def __init__(
        self,
        inbox: InboxStore,
        assistant: Responder,
        senders: Iterable[Sender],
        *,
        keyer: Keyer | None = None,
        max_conversations: int = 32,
        clock: Callable[[], float] = time.monotonic,
        sole: bool = False,
        heartbeat_every: float = HEARTBEAT_EVERY,
        tell_after: timedelta = TELL_AFTER,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`sole`: no other instance uses this inbox (SQLite, under the instance lock), so leases left by an
        earlier run are dropped at start instead of waited out."""
        # One inbox write at a time from this process. SQLite allows a single writer; letting several
        # pooled connections race makes them sleep in SQLite's busy handler (milliseconds each), which cost
        # more than half the throughput in bench/signal_throughput.py. Waiting on an asyncio lock is cheap.
        self._storage = asyncio.Lock()
        # A store that merges concurrent writes into one transaction itself (SQLite's one writer,
        # bot.storage.writer) gets the three group commits at once, so that one commit carries them all.
        merged = bool(getattr(inbox, "merges_writes", False))

        def lock() -> asyncio.Lock:
            return asyncio.Lock() if merged else self._storage

        self._adds: GroupCommit[Incoming, InboxItem | None] = GroupCommit(lock(), inbox.add_many)
        self._marks: GroupCommit[int, bool] = GroupCommit(lock(), self._mark_sending)
        # (row, outcome, conversation to give up with it, if that was its last row here) -> rows left in it
        self._completes: GroupCommit[tuple[int, str, str | None], list[InboxItem] | None] = GroupCommit(
            lock(), self._complete
        )
        # Answered messages whose deleted text may still sit in SQLite's write-ahead log (see Inbox.scrub).
        self._unscrubbed = 0
        self._scrubber: asyncio.Task[None] | None = None
        self._inbox = inbox
        self._assistant = assistant
        self._senders: dict[str, Sender] = {sender.name: sender for sender in senders}
        self._keyer = keyer
        self._slots = asyncio.Semaphore(max_conversations)
        self._clock = clock
        self._queues: dict[ConversationKey, deque[InboxItem]] = {}
        self._tasks: dict[ConversationKey, asyncio.Task[None]] = {}
        # Conversations that got a row of ours while being answered: read their rows back in inbox order.
        self._reread: set[ConversationKey] = set()
        # Rows whose storage failed here: left for another instance or the next start, not retried in a loop.
        self._given_up: set[int] = set()
        self._sole = sole
        self._heartbeat_every = heartbeat_every
        self._heartbeat: asyncio.Task[None] | None = None
        # Conversations waiting for a refusal to be lifted, with the message at their head.
        self._held: dict[ConversationKey, Incoming] = {}
        # Conversations given up together with their last answer, and the rows found in them meanwhile.
        self._released: dict[ConversationKey, list[InboxItem]] = {}
        self._tell_after = tell_after
        self._now = now
        self._closing = False
        self.outcomes: Counter[str] = Counter()
        self.last_failure: str | None = None

    # -- intake --

    async def start(self) -> int:
        """Queue every unfinished row of our transports that no other instance holds (after a crash or a
        restart), then keep doing so every heartbeat; returns how many were queued now."""
        async with self._storage:
            if self._sole:
                await self._inbox.forget_leases()
            resumed = await self._inbox.heartbeat(list(self._senders))
        for item in resumed:
            self._enqueue(item)
        if resumed:
            logger.info("resuming %d unfinished message(s) from the inbox", len(resumed))
        self._heartbeat = asyncio.create_task(self._beat())
        return len(resumed)

    async def _beat(self) -> None:
        while not self._closing:
            await asyncio.sleep(self._heartbeat_every)
            if self._sole:
                # No other instance: no lease to renew or take over, and a write each second would only
                # make the answers behind it wait (p99 at 50 messages/s: 94 ms with it, 11 without).
                await self._resume_held()
                continue
            try:
                async with self._storage:
                    taken = await self._inbox.heartbeat(list(self._senders))
            except Exception as error:
                # Leases run out if this lasts: another instance may then take our conversations, and the
                # pending -> sending mark keeps either of us from sending an answer twice.
                logger.warning("inbox heartbeat failed: %s", type(error).__name__)
                continue
            if taken and not self._closing:
                logger.info("took over %d unfinished message(s)", len(taken))
                for item in taken:
                    self._enqueue(item)
            await self._resume_held()

    async def _resume_held(self) -> None:
        for key, message in list(self._held.items()):
            if self._closing or key in self._tasks or self._senders[message.transport].blocked(message):
                continue
            del self._held[key]
            try:
                rows = await self._inbox.rows_of(key)
            except Exception as error:
                self._held[key] = message
                logger.warning("held answers not resumed yet: %s", type(error).__name__)
                continue
            logger.info("sending %d held answer(s) of a conversation", len(rows))
            for item in rows:
                self._enqueue(item)

    async def accept(self, message: Incoming) -> bool:
        """Persist, then queue. False for a duplicate. During shutdown the row is kept for the next start."""
        item = await self._adds.submit(message)
        if item is None:
            logger.debug("duplicate %s message dropped", message.transport)
            return False
        # Not leased: another instance is answering this conversation and will find the row.
        if item.leased and not self._closing:
            self._enqueue(item)
        return True

    def _enqueue(self, item: InboxItem) -> None:
        key = item.conversation
        queue = self._queues.setdefault(key, deque())
        if any(queued.id == item.id for queued in queue):
            return
        queue.append(item)
        if key not in self._tasks:
            self._tasks[key] = asyncio.create_task(self._conversation(key))
        else:
            # Rows another instance stored may sit between the one in hand and this one.
            self._reread.add(key)

    async def _conversation(self, key: ConversationKey) -> None:
        queue = self._queues[key]
        try:
            async with self._slots:
                while not self._closing:
                    if key in self._released:
                        self._add_new(queue, self._released.pop(key))
                        if not queue:
                            break  # given up with its last answer
                    elif not queue and not await self._refill(queue, key, finished=True):
                        break
                    try:
                        await self._process(queue[0])
                    except _Held:
                        self._held[key] = queue[0].message
                        queue.clear()  # the rows stay in the inbox, and the lease with this instance
                        break
                    except Exception as error:
                        # Storage trouble, most likely. The row stays in the inbox and is taken up at the next
                        # start; retrying here at once would spin on a database that keeps failing.
                        self.outcomes["deferred"] += 1
                        self._given_up.add(queue[0].id)
                        logger.error("message left for the next start: %s at %s", type(error).__name__, _where(error))
                    queue.popleft()
                    if key in self._reread:
                        self._reread.discard(key)
                        await self._refill(queue, key, finished=False)
        finally:
            del self._tasks[key]
            self._reread.discard(key)
            self._released.pop(key, None)
            if not queue:
                del self._queues[key]
            elif not self._closing:
                self._tasks[key] = asyncio.create_task(self._conversation(key))
            if not self._tasks and self._unscrubbed:
                self._start_scrub()

    async def _refill(self, queue: deque[InboxItem], key: ConversationKey, *, finished: bool) -> bool:
        """Replace the queue with the conversation's rows in the inbox, oldest first (rows answered here are
        deleted, so what is left is what is to do). `finished`: nothing is in hand, so give the lease up
        unless rows remain. True if there is work."""
        try:
            if finished:
                async with self._storage:
                    rows = await self._inbox.release(key)
            else:
                rows = await self._inbox.rows_of(key)
        except Exception as error:
            logger.error("could not read the inbox: %s at %s", type(error).__name__, _where(error))
            return bool(queue)
        queue.clear()
        self._add_new(queue, rows)
        return bool(queue)

    def _add_new(self, queue: deque[InboxItem], rows: list[InboxItem]) -> None:
        """Rows read back from the inbox, after those queued (and not twice, nor the ones given up here)."""
        known = {item.id for item in queue} | self._given_up
        queue.extend(row for row in rows if row.id not in known)

    # -- one message --

    async def _process(self, item: InboxItem) -> None:
        message = item.message
        transport = self._senders[message.transport]
        if item.state == "sending":
            # A send had started when the process stopped: it may have arrived. Never send twice.
            await self._finish(item, "delivery-unknown", "interrupted during a send")
            return
        if transport.blocked(message):
            raise _Held  # nothing is tried while a refusal lasts: each try would count against the limit
        started = self._clock()
        try:
            async with transport.working(message):
                answer = await self._assistant.respond(message)
        except Exception as error:
            # The exception text may quote the message, so only its type and place are logged.
            logger.error("assistant failed: %s at %s; sending an apology", type(error).__name__, _where(error))
            answer = APOLOGY
        if answer is None:
            await self._finish(item, "dropped")
            return
        await transport.ready()
        if not await self._marks.submit(item.id):
            # No longer pending: another instance took this conversation over (this one lost its lease while
            # the database was unreachable) and has this row in hand, or finished it.
            self.outcomes["taken-over"] += 1
            logger.warning("%s message left to the instance that took its conversation over", message.transport)
            return
        if item.held_since is not None and self._now() - item.held_since > self._tell_after:
            answer = _after_a_wait(answer)
        try:
            await transport.deliver(message, answer)
        except DeliveryError as error:
            if error.outcome == "held":
                await self._hold(item, error.reason)
                raise _Held from None
            await self._finish(item, error.outcome, error.reason)
            return
        except Exception as error:
            logger.error("%s delivery crashed: %s at %s", message.transport, type(error).__name__, _where(error))
            await self._finish(item, "delivery-unknown", type(error).__name__)
            return
        await self._finish(item, "answered")
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "answered %s conversation %s in %.0f ms",
                message.transport,
                self._pseudonym(message),
                (self._clock() - started) * 1000,
            )

    async def _finish(self, item: InboxItem, outcome: str, reason: str | None = None) -> None:
        key = item.conversation
        queue = self._queues.get(key)
        # The conversation's last row here: give it up in the same transaction (saves one per message).
        last = queue is not None and len(queue) == 1 and queue[0] is item and key not in self._reread
        left = await self._completes.submit((item.id, outcome, key if last else None))
        if left is not None:
            self._released[key] = left
        self._unscrubbed += 1
        if self._unscrubbed >= SCRUB_EVERY:
            self._start_scrub()  # under steady load the worker is never idle: scrub by count as well
        self.outcomes[outcome] += 1
        if reason is not None:
            self.last_failure = reason
            logger.warning(
                "%s message to %s ended %s: %s",
                item.message.transport,
                self._pseudonym(item.message),
                outcome,
                reason,
            )

    async def _hold(self, item: InboxItem, reason: str) -> None:
        async with self._storage:
            await self._inbox.hold(item.id)
        self.outcomes["held"] += 1
        self.last_failure = reason
        logger.warning(
            "%s answer to %s held until %s is resolved; it stays in the inbox",
            item.message.transport,
            self._pseudonym(item.message),
            reason,
        )

    async def _mark_sending(self, ids: list[int]) -> list[bool]:
        marked = await self._inbox.mark_sending(ids)
        return [item_id in marked for item_id in ids]

    async def _complete(self, results: list[tuple[int, str, str | None]]) -> list[list[InboxItem] | None]:
        release = {conversation for _, _, conversation in results if conversation is not None}
        kept = await self._inbox.complete([(row, outcome) for row, outcome, _ in results], scrub=False, release=release)
        return [kept.get(conversation) if conversation is not None else None for _, _, conversation in results]

    def _start_scrub(self) -> None:
        self._unscrubbed = 0
        if self._scrubber is None or self._scrubber.done():
            self._scrubber = asyncio.create_task(self._scrub())

    async def _scrub(self) -> None:
        async with self._storage:
            await self._inbox.scrub()

    def _pseudonym(self, message: Incoming) -> str:
        return self._keyer.conversation(message.transport, message.chat) if self._keyer else "-"

    # -- shutdown, upkeep, health --

    @property
    def busy(self) -> int:
        return sum(len(queue) for queue in self._queues.values())

    async def idle(self) -> None:
        """Wait until every queued message is finished (tests and the benchmark)."""
        while self._tasks:
            await asyncio.gather(*self._tasks.values(), return_exceptions=True)
        if self._scrubber is not None:
            await self._scrubber

    async def shutdown(self, deadline: float) -> bool:
        """Stop starting new messages; give the ones in hand `deadline` seconds, then let go of every
        conversation, so that other instances take what is left at once. True if all finished."""
        self._closing = True
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            await asyncio.gather(self._heartbeat, return_exceptions=True)
        tasks = list(self._tasks.values())
        unfinished: set[asyncio.Task[None]] = set()
        if tasks:
            _, unfinished = await asyncio.wait(tasks, timeout=deadline)
        for task in unfinished:
            task.cancel()
        if unfinished:
            await asyncio.gather(*unfinished, return_exceptions=True)
            logger.warning("shutdown deadline reached; %d conversation(s) left for the next start", len(unfinished))
        if self._scrubber is not None:
            # The last answer starts a scrub of the deleted text; it must finish before the database closes.
            await asyncio.gather(self._scrubber, return_exceptions=True)
        try:
            async with self._storage:
                await self._inbox.release_all()
        except Exception as error:
            logger.warning("leases not given up (they run out by themselves): %s", type(error).__name__)
        return not unfinished

    async def purge(self, now: datetime | None = None) -> int:
        """Forget dedupe keys older than the window (the inbox rows themselves are deleted when answered)."""
        cutoff = (now or datetime.now(UTC)) - DEDUPE_WINDOW
        async with self._storage:
            return await self._inbox.purge_processed(cutoff)

    def health(self) -> Mapping[str, object]:
        return {
            "queued": self.busy,
            "held_conversations": len(self._held),
            "conversations": len(self._tasks),
            "outcomes": dict(self.outcomes),
            "last_failure": self.last_failure,
        }


class _Held(Exception):
    """The conversation waits for a refusal to be lifted."""


def _after_a_wait(answer: Answer) -> Answer:
    """The answer, after one line saying sorry for the wait (as a message of its own, sent first)."""
    return replace(DELAYED, follow_ups=(replace(answer, follow_ups=()), *answer.follow_ups))


def _where(error: BaseException) -> str:
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return "?"
    last = frames[-1]
    return f"{last.filename.rsplit('/', 1)[-1]}:{last.lineno}"
