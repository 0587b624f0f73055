"""CPU per message of the Signal transport alone: no database, no brain.

The transport (`SignalTransport` with the real `SignalClient`, its aiohttp wire and the WebSocket receiver,
read receipts and typing as `confidant run` defaults them) runs in its own process. It receives frames from
the fake signal-cli-rest-api (tests/fakes/signal_api.py, the real wire format) over a loopback WebSocket and
answers each with a fixed short answer through what the worker calls per message (`blocked`, `working`,
`ready`, `deliver`), from `--in-flight` workers reading a queue its `accept` fills: the worker's own costs
(the inbox, the assistant) are left out, so what is measured is the transport's.

This process runs the fake server and the closed loop of bench/signal_throughput.py (`--senders` people,
`--in-flight` questions out, each slot asking again as soon as its answer reached the server), and reads the
transport process's CPU from /proc, best of `--rounds` runs (CPU time: the machine is shared).

    .venv/bin/python -m bench.signal_transport
    .venv/bin/python -m bench.signal_transport --receipts on --typing off
    .venv/bin/python -m bench.signal_transport --noise     # with the typing and receipt frames people's phones send
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sys
import time

from bench.signal_throughput import Loop, cpu_seconds, percentile
from tests.fakes import signal_envelopes as env
from tests.fakes.signal_api import FakeSignalApi


async def serve(url: str, in_flight: int, receipts: bool, typing: bool) -> None:
    """The transport's side: `confidant run`'s Signal transport with a queue for a worker."""
    from bot.shared.answer import Answer, Intent, Section
    from bot.shared.incoming import Incoming
    from bot.shared.pseudonym import Keyer
    from bot.transports.signal.client import SignalClient
    from bot.transports.signal.transport import SignalTransport, Tuning

    answer = Answer(
        intent=Intent.PLATFORM,
        title="Signal",
        verdict="End-to-end encrypted by default.",
        sections=(Section(None, ("Safe for client conversations.",)),),
    )
    transport = SignalTransport(
        SignalClient(url, env.BOT_NUMBER),
        receive_mode="websocket",
        keyer=Keyer(b"confidant-bench-secret-key-0000000000000000"),
        tuning=Tuning(read_receipts=receipts, typing=typing),
    )
    await transport.start()
    queue: asyncio.Queue[Incoming] = asyncio.Queue()

    async def accept(message: Incoming) -> bool:
        queue.put_nowait(message)
        return True

    async def worker() -> None:
        while True:
            message = await queue.get()
            if transport.blocked(message):
                continue
            async with transport.working(message):
                pass
            await transport.ready()
            await transport.deliver(message, answer)

    workers = [asyncio.create_task(worker()) for _ in range(in_flight)]
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    receiving = asyncio.create_task(transport.receive(accept))
    await stop.wait()
    await transport.stop_receiving()
    await receiving
    for task in workers:
        task.cancel()
    await transport.close()


class NoisyLoop(Loop):
    """Each question comes with what a person's phone sends around it and the bot ignores: typing started and
    stopped before it, a delivery and a read receipt for the answer after it."""

    async def ask(self, index: int) -> float:
        number, uuid = self.people[index % len(self.people)]
        stamp = self.epoch + self.serial
        for action in ("STARTED", "STOPPED"):
            await self.api.push(
                env.envelope(number=number, uuid=uuid, timestamp=stamp, typingMessage={"action": action})
            )
        latency = await super().ask(index)
        for read in (False, True):
            receipt = {"when": stamp, "isDelivery": not read, "isRead": read, "isViewed": False, "timestamps": [stamp]}
            await self.api.push(env.envelope(number=number, uuid=uuid, timestamp=stamp, receiptMessage=receipt))
        return latency


async def spy_on(pid: int, path: str) -> asyncio.subprocess.Process:
    """py-spy on the transport process for the measured run (collapsed stacks; it adds CPU of its own)."""
    spy = await asyncio.create_subprocess_exec(
        "py-spy",
        "record",
        "--format",
        "raw",
        "--rate",
        "200",
        "--pid",
        str(pid),
        "-o",
        path,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    await asyncio.sleep(1.0)
    return spy


async def one_round(args: argparse.Namespace) -> tuple[float, float, float, float]:
    async with FakeSignalApi() as api:
        child = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bench.signal_transport",
            "--serve",
            api.url,
            "--in-flight",
            str(args.in_flight),
            "--receipts",
            args.receipts,
            "--typing",
            args.typing,
        )
        try:
            await api.wait_for_sockets(within=30)
            loop = (NoisyLoop if args.noise else Loop)(api, [env.person(i) for i in range(args.senders)])
            await loop.run(args.senders, args.in_flight, 0)  # warm-up: connections, every person once
            await asyncio.sleep(0.3)
            spy = await spy_on(child.pid, args.spy) if args.spy else None
            before = cpu_seconds(child.pid)
            began = time.process_time()
            throughput, latencies = await loop.run(args.messages, args.in_flight, args.senders)
            own = (time.process_time() - began) / args.messages * 1000
            cpu = (cpu_seconds(child.pid) - before) / args.messages * 1000
            if spy is not None:
                spy.send_signal(signal.SIGINT)
                await spy.wait()
            return cpu, throughput, percentile(latencies, 0.99), own
        finally:
            child.send_signal(signal.SIGTERM)
            await asyncio.wait_for(child.wait(), 30)


async def main(args: argparse.Namespace) -> None:
    print(
        f"machine: {os.cpu_count()} CPUs; {args.messages} messages from {args.senders} senders, "
        f"{args.in_flight} in flight; receipts {args.receipts}, typing {args.typing}"
        + ("; 4 ignored frames per message" if args.noise else ""),
        flush=True,
    )
    results = []
    for number in range(args.rounds):
        cpu, throughput, p99, own = await one_round(args)
        results.append(cpu)
        print(
            f"round {number + 1}: transport {cpu:.3f} ms CPU/message  {throughput:6.0f} messages/s  "
            f"p99 {p99:5.1f} ms  (fake server and loop: {own:.3f} ms CPU/message)",
            flush=True,
        )
    print(f"best of {args.rounds}: {min(results):.3f} ms CPU per message (transport process)")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--serve", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--senders", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--receipts", choices=("on", "off"), default="off", help="CONFIDANT_SIGNAL_READ_RECEIPTS")
    parser.add_argument("--noise", action="store_true", help="4 ignored frames per message (typing, receipts)")
    parser.add_argument("--spy", metavar="FILE", help="profile the transport with py-spy (collapsed stacks)")
    parser.add_argument("--typing", choices=("on", "off"), default="on", help="CONFIDANT_SIGNAL_TYPING")
    arguments = parser.parse_args()
    if arguments.serve:
        asyncio.run(serve(arguments.serve, arguments.in_flight, arguments.receipts == "on", arguments.typing == "on"))
    else:
        asyncio.run(main(arguments))
