"""Fixtures for the website tests: the built site, Debian's headless Chromium and axe-core.

The browser tests skip, saying why, only where chromium or axe-core is missing; under CI (`CI` set) a missing one
fails instead, because `.ci/run` installs both first.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.kb.loader import KnowledgeBase
from bot.site.build import build_site
from tests.site.browser import Browser, find_chromium

REPO = Path(__file__).resolve().parents[2]
AXE_DEFAULT = Path.home() / ".cache/confidant-tests/axe/node_modules/axe-core/axe.min.js"
SCREENSHOTS_DEFAULT = REPO / ".cache/site-screenshots"
SITE_URL = "https://scorecard.example"


def _missing(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}; .ci/run installs it before the tests, so under CI this is a failure")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def site_dir(knowledge: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    build_site(knowledge, out, site_url=SITE_URL)
    return out


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = find_chromium()
    if executable is None:
        _missing("Debian's chromium is not installed (apt-get install -y chromium, or set CONFIDANT_TEST_CHROMIUM)")
    assert executable is not None
    running = Browser(executable)
    try:
        yield running
    finally:
        running.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    path = Path(os.environ.get("CONFIDANT_TEST_AXE", AXE_DEFAULT))
    if not path.is_file():
        _missing(
            f"axe-core is not installed at {path} (npm install --prefix ~/.cache/confidant-tests/axe axe-core, "
            "or set CONFIDANT_TEST_AXE to axe.min.js)"
        )
    return path.read_text(encoding="utf-8")


SAVED: list[Path] = []


@pytest.fixture(scope="session")
def screenshots() -> Path:
    """Where the browser tests save what a person would see (kept out of git); the run's summary names it."""
    folder = Path(os.environ.get("CONFIDANT_TEST_SCREENSHOTS", SCREENSHOTS_DEFAULT))
    folder.mkdir(parents=True, exist_ok=True)
    SAVED.append(folder)
    return folder


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for folder in SAVED:
        names = ", ".join(sorted(path.name for path in folder.iterdir() if path.suffix in (".png", ".pdf")))
        terminalreporter.write_line(f"website screenshots: {folder} ({names})")
