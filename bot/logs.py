"""Logging set-up: our own records and every third-party logger pass through a redacting filter.

Code never logs message text; the filter is the second line of defence for what libraries log (httpx logs request
URLs, which carry the Telegram token; websockets and python-telegram-bot log frames and updates at DEBUG).
"""

from __future__ import annotations

import json
import logging
import re
import sys
from typing import TextIO

# Loggers that log payloads, URLs (with our number or token in them) or SQL parameters (message text): kept at
# WARNING whatever CONFIDANT_LOG_LEVEL says. A logger's filter does not see its children's records, so the
# children that log are named too.
NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "httpcore.connection",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "websockets",
    "websockets.client",
    "websockets.server",
    "telegram",
    "telegram.ext",
    "telegram.Bot",
    "telegram.ext.ExtBot",
    "telegram.ext.Application",
    "telegram.ext.Updater",
    "telegram.request.BaseRequest",
    "telegram.request.HTTPXRequest",
    "aiohttp.access",
    "aiohttp.server",
    "apscheduler",
    "asyncio",
    "aiosqlite",
    "alembic",
    "sqlalchemy",
    "sqlalchemy.engine",
    "sqlalchemy.engine.Engine",
    "sqlalchemy.pool",
    "asyncpg",
)

# Order matters: whole links and tokens first, then the ids that could be inside other text.
_PATTERNS = (
    (re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE), "<url>"),
    (re.compile(r"\bbot\d+:[A-Za-z0-9_-]{20,}"), "<token>"),
    (re.compile(r"\b\d{6,}:[A-Za-z0-9_-]{20,}\b"), "<token>"),
    (re.compile(r"\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "<jwt>"),
    (re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.IGNORECASE), "<uuid>"),
    (re.compile(r"group\.[A-Za-z0-9+/=_-]+"), "<group>"),
    (re.compile(r"\+?\d[\d ()-]{4,}\d"), "<number>"),
    # long base64-like runs: group ids, keys, tokens of other shapes
    (re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}"), "<id>"),
)


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


# Libraries whose log arguments can hold whole payloads (python-telegram-bot logs the updates it failed to
# parse, message text included, at CRITICAL, which no level cap stops): only their fixed wording is kept.
PAYLOAD_LOGGERS = ("telegram",)


def _logs_payloads(name: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in PAYLOAD_LOGGERS)


class RedactingFilter(logging.Filter):
    """Rewrites every record's final message with URLs, tokens, UUIDs and phone numbers replaced."""

    def filter(self, record: logging.LogRecord) -> bool:
        if _logs_payloads(record.name):
            withheld = " (details withheld)" if record.args else ""
            record.msg, record.args = f"{record.msg}{withheld}", None
            if record.exc_info and record.exc_info[1] is not None:
                # The exception's type says what went wrong; its text may quote the payload.
                record.msg += f": {type(record.exc_info[1]).__name__}"
                record.exc_info = None
        message = record.getMessage()
        record.msg = redact(message)
        record.args = None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        return True


class WarningsOnly(logging.Filter):
    """Stays on a noisy logger even if someone lowers its level to DEBUG while debugging."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.levelno >= logging.WARNING


def quiet_noisy_loggers() -> None:
    for name in NOISY_LOGGERS:
        library = logging.getLogger(name)
        library.setLevel(logging.WARNING)
        if not any(isinstance(existing, WarningsOnly) for existing in library.filters):
            library.addFilter(WarningsOnly())


class JsonFormatter(logging.Formatter):
    FIELDS = ("user", "intent", "transport", "outcome", "elapsed_ms")

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_text:
            entry["error"] = record.exc_text
        return json.dumps(entry, ensure_ascii=False)


def setup_logging(level: str = "INFO", fmt: str = "text", stream: TextIO | None = None) -> logging.Handler:
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactingFilter())
    handler.setFormatter(
        JsonFormatter() if fmt == "json" else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(level)
    quiet_noisy_loggers()
    return handler
