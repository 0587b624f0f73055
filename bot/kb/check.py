"""`confidant kb check` and `confidant kb list`: the curator's tools, also run in CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from bot.kb.loader import KnowledgeBase, KnowledgeError, load_knowledge
from bot.kb.schema import Platform, Topic


def load_or_report(root: Path, err: TextIO) -> KnowledgeBase | None:
    """The knowledge base, or None after printing every problem as `file: field: problem`."""
    try:
        return load_knowledge(root)
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
