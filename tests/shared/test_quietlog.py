from __future__ import annotations

import logging
import subprocess
import sys

import pytest

from bot.shared.quietlog import QuietLogger


def test_records_reach_logging_once_it_is_loaded(caplog: pytest.LogCaptureFixture) -> None:
    log = QuietLogger("bot.test")
    with caplog.at_level(logging.DEBUG, logger="bot.test"):
        log.debug("read %s", "it", extra={"user": "u1"})
        log.info("refused")
        log.warning("odd")
    assert [(record.levelname, record.getMessage()) for record in caplog.records] == [
        ("DEBUG", "read it"),
        ("INFO", "refused"),
        ("WARNING", "odd"),
    ]
    assert caplog.records[0].user == "u1"  # type: ignore[attr-defined]
    assert {record.funcName for record in caplog.records} == {"test_records_reach_logging_once_it_is_loaded"}


def test_debug_and_info_do_not_load_logging_and_warnings_do() -> None:
    script = (
        "import sys; from bot.shared.quietlog import QuietLogger; log = QuietLogger('x');"
        "log.debug('a'); log.info('b'); print('logging' in sys.modules);"
        "log.warning('c'); print('logging' in sys.modules)"
    )
    command = [sys.executable, "-c", script]
    result = subprocess.run(command, capture_output=True, text=True, timeout=30, check=True)  # noqa: S603
    assert result.stdout.split() == ["False", "True"]
    assert result.stderr == "c\n"  # logging's last-resort handler, as with any unconfigured logger
