"""Signal throughput, CPU and latency of `confidant run`, closed loop, against the previous release.

Everything real except Signal: the bot is `confidant run` itself (the real assistant, `CONFIDANT_ACCESS=open`,
every other setting at its default), in its own process, on a SQLite file in a fresh folder (WAL, secure
delete, scrubbing as configured) or on PostgreSQL (`--postgres URL`). A fake signal-cli-rest-api (json-rpc
mode) runs in this process: frames cross a loopback WebSocket, replies and read receipts loopback REST.

The load is the closed loop of issue 13: `--senders` people (1,000), `--in-flight` questions (50) out at any
moment, each slot asking the next person as soon as its previous question got its answer; `--questions` a
round (1,000), `--rounds` rounds (3). With `--baseline DIR` (a checkout of the previous release with its own
`.venv`) each round runs the baseline then this tree, alternating, so the ratio is measured in the same run.

    .venv/bin/python -m bench.signal_throughput                                  # this tree only
    .venv/bin/python -m bench.signal_throughput --baseline /tmp/speed-baseline   # A/B, ratio
    .venv/bin/python -m bench.signal_throughput --receipts off                   # CONFIDANT_SIGNAL_READ_RECEIPTS

Reported per variant (median over rounds, and each round): replies/s, CPU ms per reply of the bot process,
p50/p99 from push to the answer reaching the server, the bot's RSS, and anything lost or repeated (every
question must get exactly its answer; the inbox must be empty afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.fakes import signal_envelopes as env
from tests.fakes.signal_api import FakeSignalApi

HERE = Path(__file__).resolve().parents[1]
QUESTIONS = ("is whatsapp safe", "is signal safe", "zoom", "is telegram private", "email", "facetime")
SECRET = "confidant-bench-secret-key-0000000000000000"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@dataclass
class Round:
    replies_per_s: float
    cpu_ms: float
    p50: float
    p99: float
    rss: float
    lost: int
    repeated: int
    backlog: int


@dataclass
class Loop:
    """The closed loop: one question per person out at a time; a question is answered by its first send."""

    api: FakeSignalApi
    people: list[tuple[str, str]]
    waiting: dict[str, tuple[asyncio.Future[float], float]] = field(default_factory=dict)
    sends: Counter[str] = field(default_factory=Counter)
    serial: int = 0
    # Message timestamps start at the wall clock, so a second run on one PostgreSQL database is not deduplicated.
    epoch: int = field(default_factory=lambda: int(time.time() * 1000))

    def __post_init__(self) -> None:
        self.api.on_send = self.on_send
        self.who = {address: i for i, pair in enumerate(self.people) for address in pair}

    async def on_send(self, body: dict[str, Any]) -> None:
        for recipient in body["recipients"]:
            self.sends[recipient] += 1
            entry = self.waiting.pop(recipient, None)
            if entry is not None and not entry[0].done():
                entry[0].set_result(time.perf_counter())

    async def ask(self, index: int) -> float:
        number, uuid = self.people[index % len(self.people)]
        self.serial += 1
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        pushed = time.perf_counter()
        self.waiting[number] = self.waiting[uuid] = (future, pushed)
        frame = env.text_frame(
            QUESTIONS[self.serial % len(QUESTIONS)], number=number, uuid=uuid, timestamp=self.epoch + self.serial
        )
        if await self.api.push(frame) != 1:
            raise RuntimeError("no socket attached: the message would have been lost")
        answered = await asyncio.wait_for(future, 30)
        self.waiting.pop(number, None)
        self.waiting.pop(uuid, None)
        return (answered - pushed) * 1000

    async def run(self, questions: int, in_flight: int, start: int) -> tuple[float, list[float]]:
        latencies: list[float] = []
        counter = iter(range(start, start + questions))

        async def slot() -> None:
            for index in counter:
                latencies.append(await self.ask(index))

        began = time.perf_counter()
        await asyncio.gather(*(slot() for _ in range(in_flight)))
        return questions / (time.perf_counter() - began), latencies


async def start_profiler(pid: int, folder: Path, label: str) -> asyncio.subprocess.Process:
    """py-spy (installed by hand: `.venv/bin/pip install py-spy`) sampling the bot during the measured part,
    written as collapsed stacks; it costs the bot some CPU, so a profiled round's figures are not comparable."""
    folder.mkdir(parents=True, exist_ok=True)  # noqa: ASYNC240 - once, before the measured part
    output = folder / f"{label}-{time.strftime('%H%M%S')}.txt"
    spy = str(Path(sys.executable).parent / "py-spy")
    command = (spy, "record", "--pid", str(pid), "--format", "raw", "--rate", "250", "--output", str(output))
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.DEVNULL)
    await asyncio.sleep(0.5)  # attached before the load starts
    return process


async def one_round(root: Path, args: argparse.Namespace, label: str) -> Round:
    folder = Path(tempfile.mkdtemp(prefix=f"confidant-bench-{label}-"))
    environ = {
        **os.environ,
        "CONFIDANT_ACCESS": "open",
        "CONFIDANT_DATA_DIR": str(folder),
        "CONFIDANT_SECRET_KEY": SECRET,
        "CONFIDANT_SIGNAL_NUMBER": env.BOT_NUMBER,
        "CONFIDANT_SIGNAL_RECEIVE": "websocket",
        "CONFIDANT_HTTP_ADDR": f"127.0.0.1:{free_port()}",
        "CONFIDANT_LOG_LEVEL": "WARNING",
    }
    if args.postgres:
        environ["CONFIDANT_DATABASE_URL"] = args.postgres
    if args.receipts is not None:
        environ["CONFIDANT_SIGNAL_READ_RECEIPTS"] = "true" if args.receipts == "on" else "false"
    async with FakeSignalApi() as api:
        environ["CONFIDANT_SIGNAL_URL"] = api.url
        bot = await asyncio.create_subprocess_exec(
            str(root / ".venv/bin/confidant"),
            "run",
            cwd=folder,
            env=environ,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE if args.verbose else asyncio.subprocess.DEVNULL,
        )
        try:
            await api.wait_for_sockets(within=60)
            loop = Loop(api, [env.person(i) for i in range(args.senders)])
            # Warm-up, every person once: connections, pages, and the steady state of a bot that has run a while.
            await loop.run(args.senders, args.in_flight, 0)
            await asyncio.sleep(0.3)
            loop.sends.clear()
            profiler = await start_profiler(bot.pid, args.profile, label) if args.profile else None
            cpu_before = cpu_seconds(bot.pid)
            throughput, latencies = await loop.run(args.questions, args.in_flight, args.senders)
            cpu = (cpu_seconds(bot.pid) - cpu_before) / args.questions * 1000
            if profiler is not None:
                profiler.send_signal(signal.SIGINT)
                await profiler.wait()
            rss = rss_mib(bot.pid)
            await asyncio.sleep(0.5)
            asked = Counter(env.person(i % args.senders)[0] for i in range(args.senders, args.senders + args.questions))
            got = Counter({number: loop.sends[number] + loop.sends[uuid] for number, uuid in loop.people})
            lost = sum(max(0, asked[n] - got[n]) for n in asked)
            repeated = sum(max(0, got[n] - asked[n]) for n in got)
            backlog = -1
            db = folder / "confidant.db"
            if db.exists():
                with sqlite3.connect(db) as connection:
                    backlog = connection.execute("SELECT count(*) FROM inbox").fetchone()[0]
            return Round(
                throughput, cpu, percentile(latencies, 0.5), percentile(latencies, 0.99), rss, lost, repeated, backlog
            )
        finally:
            if bot.returncode is None:
                bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
            if args.verbose and bot.stderr is not None:
                sys.stderr.write((await bot.stderr.read()).decode()[-3000:])


def line(label: str, r: Round) -> str:
    return (
        f"{label:9} {r.replies_per_s:7.0f} replies/s  CPU {r.cpu_ms:5.2f} ms/reply  p50 {r.p50:6.1f} ms  "
        f"p99 {r.p99:6.1f} ms  RSS {r.rss:5.1f} MiB  lost {r.lost} repeated {r.repeated} backlog {r.backlog}"
    )


def median(rounds: list[Round]) -> Round:
    def m(name: str) -> float:
        return float(statistics.median(getattr(r, name) for r in rounds))

    return Round(
        m("replies_per_s"),
        m("cpu_ms"),
        m("p50"),
        m("p99"),
        m("rss"),
        sum(r.lost for r in rounds),
        sum(r.repeated for r in rounds),
        max(r.backlog for r in rounds),
    )


async def main(args: argparse.Namespace) -> None:
    variants = [("baseline", Path.cwd() / args.baseline)] if args.baseline else []
    variants.append(("this", HERE))
    print(
        f"machine: {os.cpu_count()} CPUs; closed loop: {args.senders} senders, {args.in_flight} in flight, "
        f"{args.questions} questions x {args.rounds} rounds; "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}; receipts {args.receipts or 'default'}",
        flush=True,
    )
    results: dict[str, list[Round]] = {label: [] for label, _ in variants}
    for number in range(args.rounds):
        for label, root in variants:
            result = await one_round(root, args, label)
            results[label].append(result)
            print(f"round {number + 1} " + line(label, result), flush=True)
    print("median over rounds (lost/repeated summed):")
    for label, rounds in results.items():
        print("  " + line(label, median(rounds)))
    if args.baseline:
        a, b = median(results["baseline"]), median(results["this"])
        print(
            f"  ratio this/baseline: replies/s x{b.replies_per_s / a.replies_per_s:.1f}, "
            f"CPU per reply x{b.cpu_ms / a.cpu_ms:.2f}, p99 x{b.p99 / a.p99:.2f}"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--baseline", help="a checkout of the previous release, with its own .venv")
    parser.add_argument("--senders", type=int, default=1000)
    parser.add_argument("--in-flight", type=int, default=50)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--receipts", choices=("on", "off"), help="CONFIDANT_SIGNAL_READ_RECEIPTS")
    parser.add_argument("--postgres", help="a PostgreSQL URL for the bot's database instead of SQLite")
    parser.add_argument("--verbose", action="store_true", help="show the bot's log tail")
    parser.add_argument("--profile", type=Path, help="a folder for py-spy samples of the measured part")
    asyncio.run(main(parser.parse_args()))
