"""`confidant kb check`, `kb list` and `kb stale`: the curator's tools; `check` also runs in CI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import TextIO

from bot.kb.loader import REVIEW_DUE_DAYS, KnowledgeBase, KnowledgeError, load_knowledge
from bot.kb.schema import Platform, Topic


def load_or_report(root: Path, err: TextIO, today: date | None = None) -> KnowledgeBase | None:
    """The knowledge base, or None after printing every problem as `file: field: problem`."""
    try:
        return load_knowledge(root, today=today)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem, file=err)
        print(f"{len(error.problems)} problem(s) in {root}", file=err)
        return None


def check(root: Path, out: TextIO, err: TextIO) -> int:
    knowledge = load_or_report(root, err)
    if knowledge is None:
        return 1
    for warning in knowledge.warnings:
        print(f"warning: {warning}", file=err)
    print(f"ok: {len(knowledge.platforms)} platforms, {len(knowledge.topics)} topics", file=out)
    return 0


def _row(entry: Platform | Topic) -> dict[str, object]:
    """One `kb list --json` row; `aliases` are the names and phrasings the entry is found by."""
    if isinstance(entry, Platform):
        kind, aliases = "platform", ((entry.name,) if entry.match_name else ()) + entry.aliases + entry.context_aliases
    else:
        kind, aliases = "topic", entry.phrasings
    return {
        "id": entry.id,
        "kind": kind,
        "name": entry.name,
        "aliases": list(aliases),
        "reviewed": entry.reviewed.isoformat(),
        "sources": list(entry.sources),
    }


def listing(root: Path, out: TextIO, err: TextIO, *, as_json: bool) -> int:
    knowledge = load_or_report(root, err)
    if knowledge is None:
        return 1
    entries: list[Platform | Topic] = [*knowledge.platforms.values(), *knowledge.topics.values()]
    rows = sorted((_row(entry) for entry in entries), key=lambda row: (str(row["kind"]), str(row["id"])))
    if as_json:
        json.dump(rows, out, ensure_ascii=False)
        out.write("\n")
        return 0
    for row in rows:
        print(f"{row['kind']!s:<9} {row['id']!s:<22} {row['name']!s:<44} reviewed {row['reviewed']}", file=out)
    return 0


def stale(
    root: Path,
    out: TextIO,
    err: TextIO,
    *,
    days: int = REVIEW_DUE_DAYS,
    as_json: bool = False,
    today: date | None = None,
) -> int:
    """Entries reviewed more than `days` ago, oldest first, each with its sources: the curator's to-do list.

    Exits 0 whether or not anything is due (an entry due for review is work, not an error)."""
    today = today or date.today()
    knowledge = load_or_report(root, err, today)
    if knowledge is None:
        return 1
    entries: list[Platform | Topic] = [*knowledge.platforms.values(), *knowledge.topics.values()]
    due = sorted(
        (entry for entry in entries if (today - entry.reviewed).days > days),
        key=lambda entry: (entry.reviewed, entry.id),
    )
    if as_json:
        rows = [{**_row(entry), "days": (today - entry.reviewed).days} for entry in due]
        json.dump(rows, out, ensure_ascii=False)
        out.write("\n")
        return 0
    for entry in due:
        row = _row(entry)
        print(f"{row['reviewed']!s}  {row['id']!s:<22} {row['kind']!s:<9} {row['name']!s}", file=out)
        for url in entry.sources:
            print(f"    {url}", file=out)
    print(f"{len(due)} of {len(entries)} entries reviewed more than {days} days ago", file=err)
    return 0
