"""Scrubbing ids out of text that must be logged but comes from outside (upstream error messages).

Our own log lines never contain ids in the first place; this is for server texts such as
"User +4915… is not registered", which an operator needs to see the gist of. The patterns are the logging
filter's (bot.logs), so both agree on what counts as private.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from bot.logs import redact as redact_all


def redact(text: str, *, limit: int = 200) -> str:
    return redact_all(text)[:limit]


def without_credentials(url: str) -> str:
    """The URL without any user:password@, for messages that name the server an operator configured."""
    parts = urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(parts._replace(netloc=host))
