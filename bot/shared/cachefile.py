"""A JSON file in the user's cache folder that holds data derived from source files, so that the next start need
not derive it again (bot/kb/snapshot.py, bot/brain/vocabulary.py).

The first line holds the key the data was derived for (the caller's hash of everything the data depends on) and a
digest of the rest. `read` returns the data only when both match: a file derived from other sources, changed or
cut short after it was written, is never used. The caller then derives the data again and writes it anew.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any


def cache_dir() -> Path:
    """The user's cache folder for Confidant ($XDG_CACHE_HOME/confidant on Linux)."""
    from platformdirs import user_cache_path

    return user_cache_path("confidant", appauthor=False)


def path_for(kind: str, source: Path, cache: Path | None = None) -> Path:
    """The cache file for data of `kind` derived from `source`: one per source, so that two sources in use do not
    keep replacing each other's."""
    where = hashlib.sha256(str(source.resolve()).encode()).hexdigest()[:16]
    return (cache or cache_dir()) / f"{kind}-{where}.json"


def key_of(parts: Iterable[tuple[str, bytes]]) -> str:
    """A hash of named byte strings: names count too, so that a renamed file changes the key."""
    digest = hashlib.sha256()
    for name, data in parts:
        digest.update(f"\0{len(name)}:{name}\0{len(data)}\0".encode() + data)
    return digest.hexdigest()


def _header(key: str, payload: bytes) -> bytes:
    return f"{key} {hashlib.sha256(payload).hexdigest()}".encode()


def read(path: Path, key: str) -> Any | None:
    """The JSON data at `path` if it was written for `key` and is whole; None otherwise."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    header, _, payload = raw.partition(b"\n")
    if not header.startswith(key.encode() + b" ") or header != _header(key, payload):
        return None
    try:
        return json.loads(payload)
    except ValueError:
        return None


def write(path: Path, key: str, data: object) -> None:
    """Atomic: a reader sees the old file or the new one, whole. A folder that cannot be written only costs the
    next start the work again, so that is not an error."""
    import tempfile  # here: a start that finds its cache whole writes nothing

    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(_header(key, payload) + b"\n" + payload)
            os.replace(temporary, path)
        finally:
            Path(temporary).unlink(missing_ok=True)
