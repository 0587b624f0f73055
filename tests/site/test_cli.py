"""`confidant kb site DIR`, run as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.test_cli import clean_environment, confidant


def test_kb_site_writes_the_site_and_says_where(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = confidant("kb", "site", str(out), env={"CONFIDANT_SITE_URL": "https://example.org/"})
    assert result.returncode == 0, result.stderr
    first, second = result.stdout.splitlines()
    assert first.startswith("wrote ") and f"to {out} in " in first and first.endswith(" s")
    assert second == f"open {out / 'index.html'} in a browser, or publish the folder as it is"
    page = (out / "platforms/whatsapp/index.html").read_text(encoding="utf-8")
    assert '<link rel="canonical" href="https://example.org/platforms/whatsapp/">' in page


def test_kb_site_without_a_url_says_how_to_add_one(tmp_path: Path) -> None:
    result = confidant("kb", "site", str(tmp_path / "site"))
    assert result.returncode == 0, result.stderr
    assert "set CONFIDANT_SITE_URL" in result.stdout.splitlines()[-1]


def test_kb_site_reports_a_broken_knowledge_base_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    result = confidant("kb", "site", str(out), env={"CONFIDANT_KNOWLEDGE_DIR": str(tmp_path / "missing")})
    assert result.returncode == 1
    assert "no knowledge base here" in result.stderr
    assert not out.exists()


def test_kb_site_reports_a_folder_it_cannot_write(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    result = confidant("kb", "site", str(blocker))
    assert result.returncode == 1
    assert result.stderr.startswith(f"{blocker}: cannot write the site: ")
    assert "Traceback" not in result.stderr


def test_ask_does_not_load_the_website_builder() -> None:
    # `confidant ask` must start fast: the template engine is imported only by `kb site`. The brain links to a
    # platform's page through bot.site.urls, which is pure string work, so that much may load.
    probe = (
        "import sys; from bot.cli import main; main(['ask', 'is whatsapp safe']); "
        "print(sorted(name for name in sys.modules if name.startswith(('jinja2', 'bot.site'))))"
    )
    result = subprocess.run(  # noqa: S603 - our own interpreter, fixed arguments
        [sys.executable, "-c", probe], capture_output=True, text=True, env=clean_environment(), timeout=60, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "['bot.site', 'bot.site.urls']"
