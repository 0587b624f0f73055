"""Signal transport throughput, latency and memory, through the fake signal-cli-rest-api over loopback.

Everything real except Signal: the bot is a separate process running the real runner (`run_transports`),
frames cross a json-rpc WebSocket and replies cross REST on loopback TCP, every message is committed to a
durable SQLite inbox (a file, WAL, secure_delete) before it is answered, marked `sending` before its send
and deleted after it. Read receipts are on. The assistant is a stand-in that answers at once, so the figures
are those of the transport, worker and inbox (the brain has its own benchmark, bench/brain_latency.py).

    .venv/bin/python -m bench.signal_throughput            # 1,000 messages from 50 senders, then 10,000
    .venv/bin/python -m bench.signal_throughput --quick     # a smoke run

Phases:
  burst   all messages pushed at once; replies/s = messages / time until the last reply reached the server
  paced   messages pushed at a steady rate; p50/p99 from push to the reply reaching the server
  memory  10,000 more messages in bursts of 1,000; the bot process's resident memory after each
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from tests.fakes import signal_envelopes as env
from tests.fakes.signal_api import FakeSignalApi
from tests.fakes.signal_bot import start_bot_process


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


class Bench:
    def __init__(self, api: FakeSignalApi) -> None:
        self.api = api
        self.pushed: dict[str, float] = {}
        self.replied: dict[str, float] = {}
        self.duplicates = 0
        self.done = asyncio.Event()
        self.expected = 0
        self.serial = 0
        api.on_send = self.on_send

    async def on_send(self, body: dict[str, Any]) -> None:
        tag = body["message"].split("\n", 1)[0].strip("*").removeprefix("re ")
        if tag in self.replied:
            self.duplicates += 1
        self.replied[tag] = time.perf_counter()
        if len(self.replied) >= self.expected:
            self.done.set()

    async def run(self, count: int, senders: int, rate: float | None) -> tuple[float, list[float]]:
        self.pushed.clear()
        self.replied.clear()
        self.done.clear()
        self.expected = count
        people = [env.person(i) for i in range(senders)]
        started = time.perf_counter()
        for i in range(count):
            self.serial += 1
            number, uuid = people[i % senders]
            tag = f"m{self.serial}"
            if rate is not None and (delay := started + i / rate - time.perf_counter()) > 0:
                await asyncio.sleep(delay)
            self.pushed[tag] = time.perf_counter()
            frame = env.text_frame(tag, number=number, uuid=uuid, timestamp=1767225600000 + self.serial)
            if await self.api.push(frame) != 1:
                raise RuntimeError("no socket attached: the message would have been lost")
        await asyncio.wait_for(self.done.wait(), timeout=max(60.0, count / 10))
        elapsed = max(self.replied.values()) - started
        latencies = [(self.replied[t] - self.pushed[t]) * 1000 for t in self.pushed]
        return count / elapsed, latencies


async def main(messages: int, senders: int, rates: list[float], memory_messages: int) -> None:
    folder = Path(tempfile.mkdtemp(prefix="confidant-bench-"))
    async with FakeSignalApi() as api:
        bot = await start_bot_process(api.url, folder)
        try:
            await api.wait_for_sockets(within=30)
            bench = Bench(api)
            await bench.run(100, senders, None)  # warm-up: connections, caches, SQLite pages
            print(f"machine: {os.cpu_count()} CPUs; bot pid {bot.pid}; inbox {folder / 'confidant.db'}")

            cpu_before, own_before = cpu_seconds(bot.pid), time.process_time()
            throughput, burst = await bench.run(messages, senders, None)
            bot_cpu = (cpu_seconds(bot.pid) - cpu_before) / messages * 1000
            fake_cpu = (time.process_time() - own_before) / messages * 1000
            print(
                f"burst  {messages} messages from {senders} senders: {throughput:6.1f} replies/s "
                f"(latency incl. queueing: p50 {percentile(burst, 0.5):.0f} ms, p99 {percentile(burst, 0.99):.0f} ms); "
                f"CPU per message: bot {bot_cpu:.1f} ms, fake server {fake_cpu:.1f} ms"
            )
            for pace in rates:
                _, paced = await bench.run(messages, senders, pace)
                print(
                    f"paced  {messages} messages at {pace:.0f}/s: p50 {percentile(paced, 0.5):5.1f} ms, "
                    f"p99 {percentile(paced, 0.99):5.1f} ms, mean {statistics.fmean(paced):5.1f} ms"
                )

            samples = []
            for _ in range(memory_messages // 1000):
                await bench.run(1000, senders, None)
                samples.append(rss_mib(bot.pid))
            if samples:
                print(
                    f"memory {memory_messages} more messages, bot RSS after each 1,000 (MiB): "
                    + " ".join(f"{s:.1f}" for s in samples)
                )
            await asyncio.sleep(0.5)
            with sqlite3.connect(folder / "confidant.db") as db:
                backlog = db.execute("SELECT count(*) FROM inbox").fetchone()[0]
                outcomes = dict(db.execute("SELECT outcome, count(*) FROM processed_messages GROUP BY outcome"))
            print(f"duplicates sent: {bench.duplicates}; inbox backlog: {backlog}; outcomes: {outcomes}")
        finally:
            bot.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(bot.wait(), 30)
            print(f"bot exited with {code} after SIGTERM")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="200 messages, 2,000 for memory")
    parser.add_argument("--messages", type=int, default=1000)
    parser.add_argument("--senders", type=int, default=50)
    parser.add_argument("--rate", type=float, action="append", help="paced rate(s) in messages/s (default 50, 100)")
    parser.add_argument("--memory-messages", type=int, default=10_000)
    args = parser.parse_args()
    if args.quick:
        args.messages, args.memory_messages = 200, 2000
    asyncio.run(main(args.messages, args.senders, args.rate or [50.0, 100.0], args.memory_messages))
