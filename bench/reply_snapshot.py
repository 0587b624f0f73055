"""Every reply to every question in tests/data, as each renderer writes it, into one text file.

The proof that a speed-up changed no answer: write a snapshot before, another after, and compare them byte for
byte (`cmp before.txt after.txt`). Each question is asked with no region and with each region (the rules lines
differ), and "more" follows it; conversations run turn by turn, as one user each. The date and the clock are
fixed, so a snapshot depends only on the code and the knowledge base.

Run by hand:  .venv/bin/python -m bench.reply_snapshot /tmp/replies.txt
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from bench.brain_latency import realistic_conversations
from bot.brain.brain import Brain
from bot.kb.loader import bundled_knowledge_dir, load_knowledge
from bot.render.plain import render_plain
from bot.render.signal import render_signal
from bot.render.telegram import buttons_for, render_telegram
from bot.shared.answer import Answer

TODAY = date(2026, 12, 6)
REGIONS = (None, "uk", "eu", "us")


def rendered(answer: Answer) -> str:
    telegram = "\n<<message>>\n".join(render_telegram(answer))
    buttons = ", ".join(f"{button.label}={button.data}" for button in buttons_for(answer))
    signal = "\n<<message>>\n".join(render_signal(answer))
    return f"--- plain\n{render_plain(answer)}\n--- signal\n{signal}\n--- telegram\n{telegram}\n--- buttons {buttons}\n"


def snapshot() -> Iterator[str]:
    brain = Brain(load_knowledge(bundled_knowledge_dir()), today=lambda: TODAY, clock=lambda: 1_000_000.0)
    for region in REGIONS:
        for number, turns in enumerate(realistic_conversations()):
            user = f"{region}-{number}"
            for text in (*turns, "more"):
                reading = brain.read(text)
                answer = brain.answer(reading, user=user, region=region, text=text, ask_region=region is None)
                yield f"=== {region} {user} {text!r}\n{reading!r}\n{rendered(answer)}"


def main() -> None:
    out = Path(sys.argv[1])
    with out.open("w", encoding="utf-8") as handle:
        handle.writelines(snapshot())
    print(f"wrote {out} ({out.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
