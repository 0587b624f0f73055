"""The knowledge base as the rest of the program sees it, and the checks that depend on the day they run.

Nothing here imports pydantic or YAML: the brain and the snapshot loader (bot/kb/snapshot.py) need only this and
the schema's dataclasses.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.bundled import bundled
from bot.kb.schema import Platform, Topic

# Freshness. A curator is warned (and `kb stale` lists the entry) from REVIEW_DUE_DAYS, a month before answers
# tell readers to check the sources too (READER_NOTICE_DAYS); only past FAIL_AFTER_DAYS does `kb check` fail, so
# CI does not turn red while a review is merely due.
REVIEW_DUE_DAYS = 150
READER_NOTICE_DAYS = 180
FAIL_AFTER_DAYS = 365


class KnowledgeError(Exception):
    """The knowledge base cannot be used; `problems` are `file: field: problem` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class KnowledgeBase:
    """The validated entries by id, and the curator's warnings (reviews coming due)."""

    platforms: dict[str, Platform]
    topics: dict[str, Topic]
    warnings: tuple[str, ...] = field(default=())

    def name_of(self, entry_id: str) -> str:
        entry = self.platforms.get(entry_id) or self.topics.get(entry_id)
        return entry.name if entry is not None else entry_id


def bundled_knowledge_dir() -> Path:
    """The knowledge base shipped with the program: inside the wheel, or the checkout's `knowledge/` folder."""
    return bundled("knowledge")


KINDS = ("platforms", "topics")  # the folders of a knowledge base, in the order entries are read


def entry_files(root: Path, folder: str) -> list[Path]:
    """The entry files of one folder, in the order they are read and reported."""
    return sorted((root / folder).glob("*.y*ml"))


def label_of(path: Path, root: Path) -> str:
    """How problems name a file: from the knowledge base's own folder down (`knowledge/platforms/zoom.yaml`)."""
    try:
        return str(path.relative_to(root.parent))
    except ValueError:
        return str(path)


def freshness(labelled: Iterable[tuple[str, Platform | Topic]], today: date) -> tuple[list[str], list[str]]:
    """(problems, warnings) about when each entry was reviewed. Run on every load, the snapshot's too: an
    entry valid yesterday can be a year old today."""
    problems: list[str] = []
    warnings: list[str] = []
    for label, entry in labelled:
        age = (today - entry.reviewed).days
        if age < 0:
            problems.append(f"{label}: reviewed: {entry.reviewed} is in the future")
        elif age > FAIL_AFTER_DAYS:
            problems.append(f"{label}: reviewed: {age} days ago; re-check the sources (limit {FAIL_AFTER_DAYS})")
        elif age > REVIEW_DUE_DAYS:
            warnings.append(f"{label}: reviewed: {age} days ago; due for a re-check (`confidant kb stale`)")
    return problems, warnings
