"""Folders that live at the top of the repository but ship inside the wheel (see pyproject.toml)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def bundled(folder: str) -> Path:
    """`folder` as installed (`bot/_bundled/<folder>`), or the checkout's top-level one in a development install."""
    installed = PACKAGE / "_bundled" / folder
    return installed if installed.is_dir() else PACKAGE.parent / folder
