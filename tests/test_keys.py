"""The installation's secret key: generated per data folder on SQLite, required and shared on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, load_settings
from bot.keys import keyer_for
from bot.shared.pseudonym import Keyer

POSTGRES = "postgresql://confidant@db.internal:5432/confidant"


@pytest.fixture(autouse=True)
def _no_suite_database(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read the environment too: without the key the suite sets when it runs on PostgreSQL."""
    monkeypatch.delenv("CONFIDANT_SECRET_KEY", raising=False)
    monkeypatch.delenv("CONFIDANT_DATABASE_URL", raising=False)


def test_postgresql_needs_the_key_set_and_says_how_to_make_one(tmp_path: Path) -> None:
    settings = load_settings({"CONFIDANT_DATABASE_URL": POSTGRES, "CONFIDANT_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError) as raised:
        keyer_for(settings)
    [line] = raised.value.lines
    assert line.startswith("CONFIDANT_SECRET_KEY: required with PostgreSQL")
    assert "secrets.token_hex(32)" in line
    assert not (tmp_path / "secret.key").exists()  # no key of this host's own is made up


def test_a_generated_key_is_named_and_copying_it_keeps_every_hash(tmp_path: Path) -> None:
    on_sqlite = load_settings({"CONFIDANT_DATA_DIR": str(tmp_path)})
    before = keyer_for(on_sqlite).user_key("signal", "+447700900123")  # generates data/secret.key
    moved = load_settings({"CONFIDANT_DATABASE_URL": POSTGRES, "CONFIDANT_DATA_DIR": str(tmp_path)})
    with pytest.raises(ConfigError) as raised:
        keyer_for(moved)
    [line] = raised.value.lines
    assert f"copy the contents of {tmp_path / 'secret.key'}" in line
    copied = (tmp_path / "secret.key").read_text(encoding="ascii")
    settings = load_settings(
        {"CONFIDANT_DATABASE_URL": POSTGRES, "CONFIDANT_DATA_DIR": str(tmp_path), "CONFIDANT_SECRET_KEY": copied}
    )
    assert keyer_for(settings).user_key("signal", "+447700900123") == before


def test_other_keys_are_used_as_written(tmp_path: Path) -> None:
    passphrase = "a passphrase of some length"
    settings = load_settings({"CONFIDANT_SECRET_KEY": passphrase, "CONFIDANT_DATA_DIR": str(tmp_path)})
    expected = Keyer(b"a passphrase of some length").user_key("signal", "x")
    assert keyer_for(settings).user_key("signal", "x") == expected
    with pytest.raises(ConfigError, match="at least 16 characters"):
        keyer_for(load_settings({"CONFIDANT_SECRET_KEY": "short"}))
