from __future__ import annotations

import argparse
from pathlib import Path

from bot.config import load_settings
from bot.shared.pseudonym import Keyer
from bot.transports import registry
from bot.transports.messenger import Wiring


def test_nothing_configured_names_every_way_to_switch_a_messenger_on() -> None:
    [line] = registry.problems(load_settings({}))
    assert line.startswith("confidant run: no messenger is configured")
    assert "CONFIDANT_SIGNAL_URL" in line and "CONFIDANT_TELEGRAM_TOKEN" in line


def test_a_half_configured_messenger_names_the_missing_variable() -> None:
    settings = load_settings({"CONFIDANT_SIGNAL_URL": "http://127.0.0.1:8080"})
    assert [m.name for m in registry.enabled(settings)] == ["signal"]
    assert registry.problems(settings) == ["CONFIDANT_SIGNAL_NUMBER: required when CONFIDANT_SIGNAL_URL is set"]


def test_an_admin_of_no_known_messenger_is_a_problem() -> None:
    settings = load_settings(
        {
            "CONFIDANT_SIGNAL_URL": "http://127.0.0.1:8080",
            "CONFIDANT_SIGNAL_NUMBER": "+447700900123",
            "CONFIDANT_ADMINS": "signal:+447700900456,matrix:@a:b",
        }
    )
    [line] = registry.problems(settings)
    assert line.startswith("CONFIDANT_ADMINS: 'matrix' is no messenger")


def test_only_the_terminal_is_local() -> None:
    assert registry.local_names() == frozenset({"console"})
    assert set(registry.names()) >= {"console", "signal", "telegram"}


def test_build_makes_one_transport_per_enabled_messenger(tmp_path: Path) -> None:
    wiring = Wiring(keyer=Keyer(b"k" * 32), state_dir=tmp_path)
    assert registry.build(load_settings({}), wiring) == []
    settings = load_settings(
        {"CONFIDANT_SIGNAL_URL": "http://127.0.0.1:8080", "CONFIDANT_SIGNAL_NUMBER": "+447700900123"}
    )
    [transport] = registry.build(settings, wiring)
    assert transport.name == "signal"


def test_a_command_no_messenger_owns_is_left_to_the_caller() -> None:
    assert registry.run_command(argparse.Namespace(command="room"), load_settings({})) is None
