"""`confidant ask` starts without the heavy libraries where nothing configures Confidant (README, Cold start), and
still validates whatever does configure it. The start's speed is measured in bench/brain_latency.py, not here."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path

import pytest

from bot.app import assistant_for
from bot.cli import _without_loop
from bot.config import Settings, load_settings
from bot.keys import keyer_for
from bot.shared.answer import Intent
from bot.transports.console import incoming
from bot.unconfigured import FILES, PREFIX, Defaults, configured

HEAVY = (
    *("pydantic", "pydantic_core", "pydantic_settings", "sqlalchemy", "alembic", "asyncio", "yaml", "httpx"),
    *("telegram", "aiohttp", "jwt", "cryptography", "logging"),
)
REPORT = f"""
import sys
from bot.cli import main
status = main(sys.argv[1:])
print(",".join(sorted({{name.split(".")[0] for name in sys.modules}} & set({HEAVY!r}))), file=sys.stderr)
sys.exit(status)
"""


def unconfigured_run(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`confidant` with no CONFIDANT_ variable, in an empty folder, its data and cache folders under `folder`."""
    environment = {key: value for key, value in os.environ.items() if not key.upper().startswith(PREFIX)}
    environment |= {"XDG_DATA_HOME": str(folder / "data"), "XDG_CACHE_HOME": str(folder / "cache"), **(env or {})}
    return subprocess.run(  # noqa: S603 - our own program, fixed arguments
        [sys.executable, "-c", REPORT, *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=folder,
        timeout=60,
        check=False,
    )


def test_ask_loads_none_of_the_heavy_libraries_once_its_caches_exist(tmp_path: Path) -> None:
    first = unconfigured_run(tmp_path, "ask", "is whatsapp safe")  # validates the knowledge base, leaves snapshots
    assert first.returncode == 0, first.stderr
    second = unconfigured_run(tmp_path, "ask", "is whatsapp safe")
    assert second.returncode == 0, second.stderr
    assert second.stderr == "\n"  # not one of them
    assert second.stdout == first.stdout
    assert second.stdout.startswith("WhatsApp: ")


def test_ask_answers_alike_with_and_without_validated_settings(tmp_path: Path) -> None:
    question = "compare zoom and signal for video sessions"
    unconfigured_run(tmp_path, "ask", "hello")  # leaves the snapshots
    quick = unconfigured_run(tmp_path, "ask", "--json", question)
    validated = unconfigured_run(tmp_path, "ask", "--json", question, env={"CONFIDANT_ACCESS": "allowlist"})
    assert quick.returncode == validated.returncode == 0
    assert quick.stdout == validated.stdout
    assert "pydantic" in validated.stderr and "pydantic" not in quick.stderr


@pytest.mark.parametrize("name", FILES)
def test_a_settings_file_in_the_working_folder_is_validated(tmp_path: Path, name: str) -> None:
    (tmp_path / name).write_text("CONFIDANT_REGION=mars\n" if name == ".env" else 'region = "mars"\n', "utf-8")
    result = unconfigured_run(tmp_path, "ask", "is signal safe")
    assert result.returncode == 2
    assert result.stderr.splitlines()[0].startswith("CONFIDANT_REGION: Input should be")
    assert result.stdout == ""


def test_a_variable_in_any_case_is_validated(tmp_path: Path) -> None:
    result = unconfigured_run(tmp_path, "ask", "is signal safe", env={"confidant_region": "mars"})
    assert result.returncode == 2
    assert result.stderr.startswith("CONFIDANT_REGION: ")


def test_what_counts_as_configured(tmp_path: Path) -> None:
    assert not configured({"HOME": "/home/x", "TZ": "UTC"}, tmp_path)
    assert configured({"CONFIDANT_REGION": "uk"}, tmp_path)
    assert configured({"Confidant_Telegram_Token_File": "/run/secrets/t"}, tmp_path)
    (tmp_path / "confidant.toml").write_text("", encoding="utf-8")
    assert configured({}, tmp_path)


def test_the_names_are_the_ones_the_settings_read() -> None:
    config = Settings.model_config
    assert config.get("env_prefix") == PREFIX
    assert config.get("case_sensitive", False) is False
    assert {config.get("env_file"), config.get("toml_file")} == set(FILES)


def test_the_defaults_are_the_settings_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in [name for name in os.environ if name.upper().startswith("CONFIDANT_")]:
        monkeypatch.delenv(name)  # nothing configured at all (the PostgreSQL pass sets a database and a key)
    monkeypatch.setenv("TZ", "Europe/Lisbon")
    defaults, settings = Defaults(), load_settings({})
    for name in Defaults.__dataclass_fields__:
        assert getattr(defaults, name) == getattr(settings, name), name
    assert defaults.validated() == load_settings()


def test_a_room_asked_for_on_the_quick_path_gets_the_validated_settings() -> None:
    defaults = Defaults(data_dir=Path(os.environ["CONFIDANT_DATA_DIR"]))
    assistant = assistant_for(defaults, keyer=keyer_for(defaults), users=None, defer_rooms=True)
    answer = _without_loop(assistant.respond(incoming("make a room for 3pm")))
    assert answer is not None and answer.intent is Intent.ROOM


class Future:
    """What a coroutine that waits for I/O hands its event loop."""

    def __await__(self) -> Generator[str, None, None]:
        yield "a future"


def test_a_coroutine_that_waits_for_io_is_refused_without_a_loop() -> None:
    async def waits() -> None:
        await Future()

    with pytest.raises(RuntimeError, match="has no event loop, but the assistant waited"):
        _without_loop(waits())

    async def answers() -> int:
        await asyncio.sleep(0)  # gives way once, which needs no loop
        return 7

    assert _without_loop(answers()) == 7


