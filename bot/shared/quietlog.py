"""A logger that imports `logging` only when one of its records could be shown.

Importing logging costs about half a bare interpreter's start (it compiles a case-insensitive pattern as it
loads), which `confidant ask` would pay for debug and info lines nobody sees. Until something imports logging,
nothing can have configured it: the root logger then has its default level, WARNING, and drops debug and info
records. So those are dropped here without importing it; once logging is loaded (bot/logs.py sets it up for
every long-running command), every record goes to it as usual.
"""

from __future__ import annotations

import sys
from typing import Any


class QuietLogger:
    def __init__(self, name: str) -> None:
        self.name = name

    def _emit(self, method: str, message: str, args: tuple[object, ...], options: dict[str, Any]) -> None:
        import logging

        getattr(logging.getLogger(self.name), method)(message, *args, stacklevel=3, **options)

    def debug(self, message: str, *args: object, **options: Any) -> None:
        if "logging" in sys.modules:
            self._emit("debug", message, args, options)

    def info(self, message: str, *args: object, **options: Any) -> None:
        if "logging" in sys.modules:
            self._emit("info", message, args, options)

    def warning(self, message: str, *args: object, **options: Any) -> None:
        self._emit("warning", message, args, options)
