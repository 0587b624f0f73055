"""The knowledge base's snapshot: what the validating loader accepted, kept as JSON in the user's cache folder,
so that the next start loads it without YAML or pydantic (importing pydantic alone takes about ten times as long
as starting a bare interpreter).

A snapshot is used only when its key matches: a hash of this format, of the code that decides what is valid
(CODE) and of every entry file's name and bytes. An edit, an added or removed file or a change to that code makes
the key differ; then the validating loader runs, as it always did, and writes a new snapshot. The payload carries
its own digest, so a snapshot changed or cut short after it was written is refused too, as is one whose data does
not rebuild into the schema's types (bot/kb/plain.py). Refused means loaded the slow, validated way, never an
error. The checks that depend on the day (a review running out) run on every load, the snapshot's included.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from bot.kb.knowledge import KINDS, KnowledgeBase, entry_files, freshness, label_of
from bot.kb.plain import from_plain, to_plain
from bot.kb.schema import Platform, Topic

FORMAT = "confidant knowledge snapshot 1"
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
    "yamlfile.py",
)


@dataclass(frozen=True)
class Sources:
    """The entry files of a knowledge base, each with the label problems name it by, and their key."""

    labels: dict[tuple[str, str], str]  # (folder, file name without suffix, which is the entry's id): label
    key: str


def sources(root: Path) -> Sources:
    """Reads every entry file (and the code in CODE) to hash it; raises OSError if one cannot be read."""
    digest = hashlib.sha256(FORMAT.encode())
    for name in CODE:
        digest.update(b"\0code\0" + name.encode() + b"\0" + (PACKAGE / name).read_bytes())
    labels: dict[tuple[str, str], str] = {}
    for folder in KINDS:
        for path in entry_files(root, folder):
            digest.update(b"\0" + f"{folder}/{path.name}".encode() + b"\0" + path.read_bytes())
            labels[folder, path.stem] = label_of(path, root)
    return Sources(labels, digest.hexdigest())


def snapshot_path(cache: Path, root: Path) -> Path:
    """One snapshot per knowledge-base folder, so that two folders in use do not keep replacing each other's."""
    where = hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
    return cache / f"knowledge-{where}.json"


def _header(key: str, payload: bytes) -> bytes:
    return f"{key} {hashlib.sha256(payload).hexdigest()}".encode()


def write(path: Path, found: Sources, knowledge: KnowledgeBase) -> None:
    """Save `knowledge`, which the validating loader just read from `found`. Atomic: a reader sees the old file
    or the new one, whole. Raises OSError when the folder cannot be written."""
    payload = json.dumps(
        {
            folder: [[found.labels[folder, entry_id], to_plain(entry)] for entry_id, entry in entries.items()]
            for folder, entries in (("platforms", knowledge.platforms), ("topics", knowledge.topics))
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(_header(found.key, payload) + b"\n" + payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Restored:
    platforms: dict[str, Platform]
    topics: dict[str, Topic]
    labelled: tuple[tuple[str, Platform | Topic], ...]  # each entry with its file's label, in reading order


def read(path: Path, key: str) -> Restored | None:
    """The snapshot at `path` if it was written for `key` and is whole and well-formed; None otherwise."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    header, _, payload = raw.partition(b"\n")
    if not header.startswith(key.encode() + b" ") or header != _header(key, payload):
        return None
    try:
        data = json.loads(payload)
        platforms = [(label, from_plain(Platform, entry)) for label, entry in data["platforms"]]
        topics = [(label, from_plain(Topic, entry)) for label, entry in data["topics"]]
    # Whatever is wrong with it, a snapshot that does not rebuild is not used: the validating loader decides.
    except Exception:
        return None
    return Restored(
        platforms={entry.id: entry for _, entry in platforms},
        topics={entry.id: entry for _, entry in topics},
        labelled=(*platforms, *topics),
    )


def cache_dir() -> Path:
    """Where snapshots live: the user's cache folder ($XDG_CACHE_HOME/confidant on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("confidant", appauthor=False)


def load(root: Path, *, today: date | None = None, cache: Path | None = None) -> KnowledgeBase:
    """The knowledge base at `root`: from its snapshot when that matches the files and this code, else from the
    validating loader (raising its KnowledgeError), which then leaves a snapshot for the next start."""
    today = today or date.today()
    try:
        found = sources(root)
    except OSError:
        found = None  # a missing or unreadable folder or file: the validating loader names the problem
    path = snapshot_path(cache or cache_dir(), root)
    restored = read(path, found.key) if found is not None else None
    if restored is not None:
        problems, warnings = freshness(restored.labelled, today)
        if not problems:
            return KnowledgeBase(restored.platforms, restored.topics, tuple(warnings))
        # A review ran out since the snapshot was written: the validating loader reports it with the rest.
    from bot.kb.loader import load_knowledge

    knowledge = load_knowledge(root, today=today)
    if found is not None:
        # A cache folder that cannot be written only costs the next start the validation.
        with contextlib.suppress(OSError):
            write(path, found, knowledge)
    return knowledge
