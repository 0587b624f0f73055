"""The knowledge base's snapshot: what the validating loader accepted, kept as JSON in the user's cache folder
(bot/shared/cachefile.py), so that the next start loads it without YAML or pydantic (importing pydantic alone takes
about ten times as long as starting a bare interpreter).

A snapshot is used only when its key matches: a hash of this format, of the code that decides what is valid
(CODE) and of every entry file's name and bytes. An edit, an added or removed file or a change to that code makes
the key differ; then the validating loader runs, as it always did, and writes a new snapshot. A snapshot changed
or cut short after it was written is refused by its digest, and one whose data does not rebuild into the schema's
types by bot/kb/plain.py. Refused means loaded the slow, validated way, never an error. The checks that depend on
the day (a review running out) run on every load, the snapshot's included.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.kb.knowledge import KINDS, KnowledgeBase, entry_files, freshness, label_of
from bot.kb.plain import from_plain, to_plain
from bot.kb.schema import Platform, Topic
from bot.shared import cachefile

FORMAT = b"confidant knowledge snapshot 1"
PACKAGE = Path(__file__).resolve().parent.parent  # bot/
# The code that decides what the validating loader accepts and what it yields, relative to the package.
CODE = (
    "kb/schema.py",
    "kb/rules.py",
    "kb/validation.py",
    "kb/loader.py",
    "kb/sources.py",
    "kb/knowledge.py",
    "kb/plain.py",
    "kb/snapshot.py",
    "shared/normalise.py",
    "shared/cachefile.py",
    "yamlfile.py",
)


@dataclass(frozen=True)
class Sources:
    """The entry files of a knowledge base, each with the label problems name it by, and their key."""

    labels: dict[tuple[str, str], str]  # (folder, file name without suffix, which is the entry's id): label
    key: str


def sources(root: Path) -> Sources:
    """Reads every entry file (and the code in CODE) to hash it; raises OSError if one cannot be read."""
    files = [(folder, path) for folder in KINDS for path in entry_files(root, folder)]

    def parts() -> Iterator[tuple[str, bytes]]:
        yield "format", FORMAT
        for name in CODE:
            yield f"code/{name}", (PACKAGE / name).read_bytes()
        for folder, path in files:
            yield f"{folder}/{path.name}", path.read_bytes()

    key = cachefile.key_of(parts())
    return Sources({(folder, path.stem): label_of(path, root) for folder, path in files}, key)


def write(path: Path, found: Sources, knowledge: KnowledgeBase) -> None:
    """Save `knowledge`, which the validating loader just read from the files `found` describes."""
    entries: tuple[tuple[str, dict[str, Platform] | dict[str, Topic]], ...] = (
        ("platforms", knowledge.platforms),
        ("topics", knowledge.topics),
    )
    data = {
        folder: [[found.labels[folder, entry_id], to_plain(entry)] for entry_id, entry in of_kind.items()]
        for folder, of_kind in entries
    }
    cachefile.write(path, found.key, data)


@dataclass(frozen=True)
class Restored:
    """The entries a snapshot holds, rebuilt."""

    platforms: dict[str, Platform]
    topics: dict[str, Topic]
    labelled: tuple[tuple[str, Platform | Topic], ...]  # each entry with its file's label, in reading order


def read(path: Path, key: str) -> Restored | None:
    """The snapshot at `path` if it was written for `key`, is whole and rebuilds; None otherwise."""
    data = cachefile.read(path, key)
    if data is None:
        return None
    try:
        platforms = [(str(label), from_plain(Platform, entry)) for label, entry in data["platforms"]]
        topics = [(str(label), from_plain(Topic, entry)) for label, entry in data["topics"]]
    # Whatever is wrong with it, a snapshot that does not rebuild is not used: the validating loader decides.
    except Exception:
        return None
    return Restored(
        platforms={entry.id: entry for _, entry in platforms},
        topics={entry.id: entry for _, entry in topics},
        labelled=(*platforms, *topics),
    )


def load(root: Path, *, today: date | None = None, cache: Path | None = None) -> KnowledgeBase:
    """The knowledge base at `root`: from its snapshot when that matches the files and this code, else from the
    validating loader (raising its KnowledgeError), which then leaves a snapshot for the next start."""
    today = today or date.today()
    try:
        found: Sources | None = sources(root)
    except OSError:
        found = None  # a missing or unreadable folder or file: the validating loader names the problem
    path = cachefile.path_for("knowledge", root, cache)
    restored = read(path, found.key) if found is not None else None
    if restored is not None:
        problems, warnings = freshness(restored.labelled, today)
        if not problems:
            return KnowledgeBase(restored.platforms, restored.topics, tuple(warnings))
        # A review ran out since the snapshot was written: the validating loader reports it with the rest.
    from bot.kb.loader import load_knowledge

    knowledge = load_knowledge(root, today=today)
    if found is not None:
        write(path, found, knowledge)
    return knowledge
