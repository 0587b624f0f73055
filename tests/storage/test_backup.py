"""Backup and restore on SQLite, as docs/operating.md tells an operator to do it."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import threading
from pathlib import Path

import pytest

from bot.storage.backup import BackupError, backup_sqlite
from tests.test_cli import confidant


def blocks(output: str) -> list[str]:
    return [block for block in output.split("\n----\n") if block.strip()]


def test_backup_then_restore_into_a_new_folder_keeps_peoples_settings(tmp_path: Path) -> None:
    old, new, backups = tmp_path / "old", tmp_path / "new", tmp_path / "backups"
    backups.mkdir()
    first = confidant("chat", stdin="region us\n", env={"CONFIDANT_DATA_DIR": str(old)})
    assert first.returncode == 0, first.stderr
    assert "Saved" in blocks(first.stdout)[0]

    made = confidant("db", "backup", str(backups / "confidant.db"), env={"CONFIDANT_DATA_DIR": str(old)})
    assert made.returncode == 0, made.stderr
    assert stat.S_IMODE((backups / "confidant.db").stat().st_mode) == 0o600
    again = confidant("db", "backup", str(backups / "confidant.db"), env={"CONFIDANT_DATA_DIR": str(old)})
    assert again.returncode == 1 and "File exists" in again.stderr  # never over another backup

    # The restore of docs/operating.md: the database and the secret key, into a new data folder.
    new.mkdir(mode=0o700)
    shutil.copy2(backups / "confidant.db", new / "confidant.db")
    shutil.copy2(old / "secret.key", new / "secret.key")
    shutil.rmtree(old)
    restored = confidant("chat", stdin="is zoom safe\n", env={"CONFIDANT_DATA_DIR": str(new)})
    assert restored.returncode == 0, restored.stderr
    [answer] = blocks(restored.stdout)
    assert "HIPAA (US)" in answer and "UK/EU GDPR" not in answer  # the region set before the backup


def test_restore_without_the_secret_key_loses_the_settings(tmp_path: Path) -> None:
    """Why the runbook backs up the key with the database: settings are stored under a keyed hash."""
    old, new = tmp_path / "old", tmp_path / "new"
    assert confidant("chat", stdin="region us\n", env={"CONFIDANT_DATA_DIR": str(old)}).returncode == 0
    new.mkdir()
    assert confidant("db", "backup", str(new / "confidant.db"), env={"CONFIDANT_DATA_DIR": str(old)}).returncode == 0
    restored = confidant("chat", stdin="is zoom safe\n", env={"CONFIDANT_DATA_DIR": str(new)})
    assert "UK/EU GDPR" in blocks(restored.stdout)[0]


def test_backup_is_consistent_while_another_connection_writes(tmp_path: Path) -> None:
    database = tmp_path / "live.db"
    with sqlite3.connect(database) as setup:
        setup.execute("PRAGMA journal_mode=WAL")
        setup.execute("CREATE TABLE t (n INTEGER NOT NULL)")
    stop = threading.Event()

    def write() -> None:
        writer = sqlite3.connect(database)
        n = 0
        while not stop.is_set():
            with writer:  # two rows per transaction: a copy holds an even count
                writer.execute("INSERT INTO t VALUES (?)", (n,))
                writer.execute("INSERT INTO t VALUES (?)", (n,))
            n += 1
        writer.close()

    thread = threading.Thread(target=write)
    thread.start()
    try:
        copies = [tmp_path / f"copy{index}.db" for index in range(5)]
        for copy in copies:
            backup_sqlite(database, copy)
    finally:
        stop.set()
        thread.join()
    for copy in copies:
        with sqlite3.connect(copy) as check:
            (count,) = check.execute("SELECT count(*) FROM t").fetchone()
        assert count % 2 == 0


def test_backup_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    with pytest.raises(BackupError, match="no database at"):
        backup_sqlite(tmp_path / "missing.db", tmp_path / "copy.db")
    result = confidant("db", "backup", str(tmp_path / "b.db"), env={"CONFIDANT_DATABASE_URL": "postgresql://u@h/db"})
    assert result.returncode == 2
    assert result.stderr.startswith("confidant db backup: the database is PostgreSQL; back it up with pg_dump")
