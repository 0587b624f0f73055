"""`confidant kb check` and `confidant kb list`: the curator's tools, also run in CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from bot.kb.loader import KnowledgeError, load_knowledge


def check(root: Path, out: TextIO, err: TextIO) -> int:
    try:
        knowledge = load_knowledge(root)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem, file=err)
        print(f"{len(error.problems)} problem(s) in {root}", file=err)
        return 1
    for warning in knowledge.warnings:
        print(f"warning: {warning}", file=err)
    print(f"ok: {len(knowledge.platforms)} platforms, {len(knowledge.topics)} topics", file=out)
    return 0


def listing(root: Path, out: TextIO, err: TextIO, *, as_json: bool) -> int:
    try:
        knowledge = load_knowledge(root)
    except KnowledgeError as error:
        for problem in error.problems:
            print(problem, file=err)
        return 1
    rows = [
        {
            "id": platform.id,
            "kind": "platform",
            "name": platform.name,
            "aliases": list(platform.aliases),
            "reviewed": platform.reviewed.isoformat(),
            "sources": list(platform.sources),
        }
        for platform in knowledge.platforms.values()
    ] + [
        {
            "id": topic.id,
            "kind": "topic",
            "name": topic.name,
            "aliases": list(topic.phrasings),
            "reviewed": topic.reviewed.isoformat(),
            "sources": list(topic.sources),
        }
        for topic in knowledge.topics.values()
    ]
    rows.sort(key=lambda row: (row["kind"], row["id"]))
    if as_json:
        json.dump(rows, out, ensure_ascii=False)
        out.write("\n")
        return 0
    for row in rows:
        print(f"{row['kind']:<9} {row['id']:<22} {row['name']:<28} reviewed {row['reviewed']}", file=out)
    return 0
