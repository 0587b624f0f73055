"""`confidant db backup FILE`: a consistent copy of a SQLite database while Confidant runs.

SQLite's online backup API copies the pages of one read transaction, so the copy is whole even while
`confidant run` writes (a plain `cp` of the file can catch half a transaction, and misses the write-ahead
log). PostgreSQL has its own tool for this, `pg_dump` (docs/operating.md).
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path


class BackupError(Exception):
    """A backup that cannot be made; the message is one sentence for the operator."""


def backup_sqlite(database: Path, target: Path) -> None:
    """Copies `database` into the new file `target` (owner-only), consistently, while others may write."""
    if not database.is_file():
        raise BackupError(f"no database at {database}")
    try:
        # Created here, owner-only, and never over an existing file (a backup must not replace another).
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except OSError as error:
        raise BackupError(f"cannot create {target}: {error.strerror or error}") from None
    try:
        source = sqlite3.connect(database)
        try:
            copy = sqlite3.connect(target)
            try:
                source.backup(copy)
                (result,) = copy.execute("PRAGMA integrity_check").fetchone()
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as error:
        target.unlink(missing_ok=True)
        raise BackupError(f"backup of {database} failed: {error}") from None
    if result != "ok":
        target.unlink(missing_ok=True)
        raise BackupError(f"the copy of {database} does not pass SQLite's integrity check: {result}")
