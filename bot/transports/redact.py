"""Scrubbing ids out of text that must be logged but comes from outside (upstream error messages).

Our own log lines never contain ids in the first place; this is for server texts such as
"User +4915… is not registered", which an operator needs to see the gist of.
"""

from __future__ import annotations

import re

_PATTERNS = (
    (re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE), "<link>"),
    (re.compile(r"\b[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}\b", re.IGNORECASE), "<uuid>"),
    (re.compile(r"group\.[A-Za-z0-9+/=_-]+"), "<group>"),
    (re.compile(r"\+?\d[\d ()-]{4,}\d"), "<number>"),
    # long base64-ish runs: group ids, tokens
    (re.compile(r"[A-Za-z0-9+/_-]{20,}={0,2}"), "<id>"),
)


def redact(text: str, *, limit: int = 200) -> str:
    for pattern, placeholder in _PATTERNS:
        text = pattern.sub(placeholder, text)
    return text[:limit]
