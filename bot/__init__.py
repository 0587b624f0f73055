"""Confidant: tells counsellors whether a communication platform is safe for their clients."""

from __future__ import annotations

__version__ = "0.1.0"
