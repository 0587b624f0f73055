"""Every log record at every level, formatted before any redaction could hide a leak: for the privacy tests."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from bot.logs import NOISY_LOGGERS, quiet_noisy_loggers


class Everything(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))  # with the traceback, if there is one

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@contextlib.contextmanager
def everything_logged() -> Iterator[Everything]:
    """The root logger at DEBUG, the libraries set up as every command sets them up (bot/logs.py), then turned
    up to DEBUG as an operator might while debugging, which must not undo the protection."""
    root = logging.getLogger()
    handler = Everything()
    saved = root.level, {name: logging.getLogger(name).level for name in NOISY_LOGGERS}
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    quiet_noisy_loggers()
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(saved[0])
        for name, level in saved[1].items():
            logging.getLogger(name).setLevel(level)
