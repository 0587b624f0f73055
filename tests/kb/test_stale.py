"""`confidant kb stale`: the entries due for review, oldest first, with their sources."""

from __future__ import annotations

import io
import json
from pathlib import Path

from bot.kb.check import stale
from tests.kb.test_loader import TODAY, platform, topic, write


def run(root: Path, **options: object) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = stale(root, out, err, today=TODAY, **options)  # type: ignore[arg-type]
    return code, out.getvalue(), err.getvalue()


def knowledge(tmp_path: Path) -> Path:
    kb = tmp_path / "knowledge"
    write(kb, "platforms", platform("fresh", reviewed="2026-11-01"))
    write(kb, "platforms", platform("older", reviewed="2026-05-01", sources=["https://example.org/o1", "https://example.org/o2"]))
    write(kb, "platforms", platform("oldest", reviewed="2026-01-10"))
    write(kb, "topics", topic("middle", reviewed="2026-03-03"))
    return kb


def test_due_entries_oldest_first_with_sources(tmp_path: Path) -> None:
    code, out, err = run(knowledge(tmp_path))
    assert code == 0
    lines = out.splitlines()
    heads = [line for line in lines if not line.startswith("    ")]
    assert [head.split()[:3] for head in heads] == [
        ["2026-01-10", "oldest", "platform"],
        ["2026-03-03", "middle", "topic"],
        ["2026-05-01", "older", "platform"],
    ]
    assert heads[0].endswith("Oldest")
    older = lines.index(heads[2])
    assert lines[older + 1 :] == ["    https://example.org/o1", "    https://example.org/o2"]
    assert "3 of 4 entries reviewed more than 150 days ago" in err


def test_days_option(tmp_path: Path) -> None:
    _, out, _ = run(knowledge(tmp_path), days=300)
    assert [line.split()[1] for line in out.splitlines() if not line.startswith(" ")] == ["oldest"]
    _, out, err = run(knowledge(tmp_path), days=1000)
    assert out == ""
    assert "0 of 4" in err


def test_json(tmp_path: Path) -> None:
    code, out, _ = run(knowledge(tmp_path), as_json=True)
    assert code == 0
    rows = json.loads(out)
    assert [row["id"] for row in rows] == ["oldest", "middle", "older"]
    assert rows[0]["days"] == 322
    assert rows[2]["sources"] == ["https://example.org/o1", "https://example.org/o2"]


def test_broken_knowledge_base_exits_1(tmp_path: Path) -> None:
    kb = tmp_path / "knowledge"
    write(kb, "platforms", platform(verdict="great"))
    code, out, err = run(kb)
    assert code == 1
    assert out == ""
    assert "verdict" in err
